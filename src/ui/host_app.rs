//! The host laptop: one meeting record, stored after every action, shown in six steps —
//! set up, draw, tablets and codes, collect, board, close and export.

use std::sync::Arc;

use leptos::prelude::*;

use crate::i18n::{t, t_string, td_string, use_i18n};
use crate::msg;

use super::{HostBoard, HostClose, HostCollect, HostDraw, HostSetup, HostTablets, LocalText, Message, Said};
use crate::browser::device_key::device_key;
use crate::browser::platform;
use crate::browser::storage::StorageFailure;
use crate::browser::store::{self, Change, HOST_STATE_KEY, REMOVED_MEETINGS_KEY};
use crate::domain::code::MeetingSecret;
use crate::domain::collect::{HostMeeting, Phase};
use crate::domain::meeting::Meeting;
use crate::domain::removed::RemovedMeetingsV1;
use crate::domain::signing::{DeviceKey, fingerprint};

/// What every host screen shares: the meeting record, the banner, the host key, and what is
/// on its way to the disk.
#[derive(Clone)]
pub struct HostContext {
    pub host: RwSignal<Option<HostMeeting>>,
    pub problem: RwSignal<Option<Message>>,
    pub notice: RwSignal<Option<Message>>,
    pub key: Arc<Option<DeviceKey>>,
    /// Writes of the record not yet on disk.
    pub unsaved: RwSignal<u32>,
    /// Acknowledgements waiting for the disk: run once every write before them is stored,
    /// dropped if one fails.
    held: StoredValue<Vec<Box<dyn FnOnce()>>, LocalStorage>,
    /// The record as last stored (its JSON text): what the screen goes back to if a write fails.
    stored: StoredValue<Option<String>>,
}

impl HostContext {
    /// Applies one host action and stores the record. The action's acknowledgement
    /// ([`say`](Self::say)) is shown only once the record is on disk; if the write fails, the
    /// record on screen goes back to what is stored, and the banner says to export a backup.
    pub fn act<R>(&self, action: impl FnOnce(&mut HostMeeting) -> R) -> Option<R> {
        let mut result = None;
        let mut change = None;
        self.host.update(|host| {
            if let Some(host) = host.as_mut() {
                result = Some(action(host));
                change = Some(Change::put(HOST_STATE_KEY, host.state()));
            }
        });
        if let Some(change) = change {
            self.persist(change.map(|c| vec![c]));
        }
        result
    }

    /// Writes `changes` of the record; on success the held acknowledgement is shown, on
    /// failure the record on screen is put back to the stored one.
    fn persist(&self, changes: Result<Vec<Change>, StorageFailure>) {
        self.unsaved.update(|n| *n += 1);
        // What this write stores for the record (nothing when it removes it): the text the
        // screen goes back to if a later write fails. Serialized once, for the change itself.
        let text = changes.as_ref().ok().and_then(|changes| {
            changes
                .iter()
                .find(|c| c.key() == HOST_STATE_KEY)
                .and_then(|c| c.text().map(str::to_owned))
        });
        let ctx = self.clone();
        let done = move |result: Result<(), StorageFailure>| {
            ctx.unsaved.update(|n| *n = n.saturating_sub(1));
            match result {
                Ok(()) => {
                    ctx.stored.set_value(text);
                    if ctx.unsaved.get_untracked() == 0 {
                        let held = ctx.held.try_update_value(std::mem::take).unwrap_or_default();
                        for acknowledge in held {
                            acknowledge();
                        }
                    }
                }
                Err(e) => {
                    ctx.held.update_value(Vec::clear);
                    ctx.notice.set(None);
                    let back = ctx
                        .stored
                        .get_value()
                        .and_then(|text| HostMeeting::from_json(&text).ok());
                    ctx.host.set(back);
                    ctx.problem.set(Some(msg!(
                        host_app.the_meeting_record_was_not,
                        problem = Message::core(e)
                    )));
                }
            }
        };
        match changes {
            Ok(changes) => store::write(changes, done),
            Err(e) => done(Err(e)),
        }
    }

    /// Starts a fresh record for `meeting` (the caller made sure the old one was exported).
    pub fn start(&self, meeting: Meeting) -> Result<(), String> {
        let secret = MeetingSecret::from_bytes(platform::random_bytes::<32>()?);
        let host = HostMeeting::new(meeting, secret, &platform::now());
        let change = Change::put(HOST_STATE_KEY, host.state());
        self.host.set(Some(host));
        self.persist(change.map(|c| vec![c]));
        Ok(())
    }

    /// Removes the meeting record from the laptop ("start a new meeting"). The removal is
    /// logged in the list of removed meetings in the same transaction that removes the record,
    /// and the core refuses while the record holds anything not yet exported.
    pub fn remove_record(&self) -> Result<(), Message> {
        let list = removed_meetings()?;
        let Some(next) = self.with_host(|h| list.with_removal(h, &platform::now())) else {
            return Ok(());
        };
        let next = next.map_err(Message::core)?;
        let changes =
            Change::put(REMOVED_MEETINGS_KEY, &next).map(|c| vec![c, Change::delete(HOST_STATE_KEY)]);
        self.host.set(None);
        self.persist(changes);
        Ok(())
    }

    pub fn with_host<R>(&self, f: impl FnOnce(&HostMeeting) -> R) -> Option<R> {
        self.host.with(|h| h.as_ref().map(f))
    }

    pub fn host_key(&self) -> Option<&DeviceKey> {
        self.key.as_ref().as_ref()
    }

    /// Runs `acknowledge` once the record is on disk with the action just taken — at once
    /// when nothing waits for the disk; never if the write fails (the banner says so then).
    pub fn when_saved(&self, acknowledge: impl FnOnce() + 'static) {
        if self.unsaved.get_untracked() == 0 {
            acknowledge();
        } else {
            self.held.update_value(|held| held.push(Box::new(acknowledge)));
        }
    }

    /// Shows the acknowledgement of the action just taken once it is on disk ("saving…"
    /// until then).
    pub fn say(&self, text: Message) {
        if self.unsaved.get_untracked() > 0 {
            self.notice.set(Some(msg!(host_app.saving)));
        }
        let notice = self.notice;
        self.when_saved(move || notice.set(Some(text)));
    }
}

/// The laptop's list of removed meeting records as stored (empty when there is none).
pub fn removed_meetings() -> Result<RemovedMeetingsV1, Message> {
    store::load::<RemovedMeetingsV1>(REMOVED_MEETINGS_KEY)
        .map_err(Message::core)?
        .unwrap_or_default()
        .checked()
        .map_err(Message::core)
}

/// The host's steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Setup,
    Draw,
    Tablets,
    Collect,
    Board,
    Close,
}

const TABS: [(Tab, LocalText); 6] = [
    (Tab::Setup, |l| td_string!(l, host_app.tab_setup).to_string()),
    (Tab::Draw, |l| td_string!(l, host_app.tab_draw).to_string()),
    (Tab::Tablets, |l| td_string!(l, host_app.tab_tablets).to_string()),
    (Tab::Collect, |l| td_string!(l, host_app.tab_collect).to_string()),
    (Tab::Board, |l| td_string!(l, host_app.tab_board).to_string()),
    (Tab::Close, |l| td_string!(l, host_app.tab_close).to_string()),
];

/// The host's whole app.
#[component]
pub fn HostApp(
    /// Called when staff want to give the device another role.
    on_change_role: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let problem = RwSignal::new(None::<Message>);
    let key = Arc::new(match device_key() {
        Ok(key) => Some(key),
        Err(e) => {
            problem.set(Some(Message::core(e)));
            None
        }
    });
    let stored = match store::load_text(HOST_STATE_KEY) {
        Some(text) => match HostMeeting::from_json(&text) {
            Ok(host) => Some(host),
            Err(e) => {
                problem.set(Some(msg!(
                    host_app.the_stored_record_is_left,
                    problem = Message::core(e)
                )));
                None
            }
        },
        None => None,
    };
    let first_tab = match stored.as_ref().map(HostMeeting::phase) {
        Some(Phase::Open) => Tab::Collect,
        Some(Phase::Closed) => Tab::Board,
        _ => Tab::Setup,
    };
    let host_fp = key
        .as_ref()
        .as_ref()
        .and_then(|k| fingerprint(&k.public_key()))
        .unwrap_or_default();
    let stored_text = stored
        .as_ref()
        .and_then(|h| serde_json::to_string(h.state()).ok());
    let ctx = HostContext {
        host: RwSignal::new(stored),
        problem,
        notice: RwSignal::new(None),
        key,
        unsaved: RwSignal::new(0),
        held: StoredValue::new_local(Vec::new()),
        stored: StoredValue::new(stored_text),
    };
    provide_context(ctx.clone());
    crate::browser::offline::keep_scanner_offline();
    let tab = RwSignal::new(first_tab);
    let notice = ctx.notice;
    // Without a meeting record (a new meeting was started) only the set-up step has anything
    // to do: it offers the ways to start one.
    let host_signal = ctx.host;
    Effect::new(move || {
        if host_signal.with(Option::is_none) {
            tab.set(Tab::Setup);
        }
    });
    let nav = TABS
        .iter()
        .map(|&(t, name)| {
            view! {
                <button class="tabs__tab" role="tab" aria-selected=move || (tab.get() == t).to_string()
                    on:click=move |_| {
                        notice.set(None);
                        tab.set(t);
                    }>
                    {move || name(i18n.get_locale())}
                </button>
            }
        })
        .collect_view();
    let ctx_phase = ctx.clone();
    let phase = move || ctx_phase.with_host(HostMeeting::phase);
    let ctx_title = ctx.clone();
    let ctx_trial = ctx.clone();
    view! {
        <section class="host-app" data-tab=move || format!("{:?}", tab.get()).to_lowercase()>
            <header class="host-app__bar">
                {move || ctx_title.with_host(|h| h.meeting().title().to_owned()).map(|title| view! {
                    <span class="host-app__title">{title}</span>
                })}
                {move || {
                    let phase = match phase()? {
                        Phase::Setup => view! { {t!(i18n, host_app.setting_up)} }.into_any(),
                        Phase::Open => view! { {t!(i18n, host_app.voting_open)} }.into_any(),
                        Phase::Closed => view! { {t!(i18n, host_app.voting_closed)} }.into_any(),
                    };
                    Some(view! { <span class="host-app__phase" data-testid="phase">{phase}</span> })
                }}
                {move || ctx_trial.with_host(HostMeeting::is_trial).unwrap_or(false).then(|| view! {
                    <span class="host-app__phase" data-state="warning" data-testid="trial">{t!(i18n, host_app.trial_run)}</span>
                })}
                <span class="host-app__key">
                    {t!(i18n, host_app.host_key)} " " <span class="fingerprint" data-testid="host-fingerprint">{host_fp}</span>
                </span>
            </header>
            <nav class="tabs" role="tablist" aria-label=move || t_string!(i18n, host_app.host_steps).to_string()>{nav}</nav>
            {move || problem.get().map(|p| view! { <p class="banner" data-state="error" role="alert"><Said text=p /></p> })}
            <p class="host-app__status" role="status" aria-live="polite">{move || ctx.notice.get().map(|n| view! { <Said text=n /> })}</p>
            {move || match tab.get() {
                Tab::Setup => view! { <HostSetup /> }.into_any(),
                Tab::Draw => view! { <HostDraw /> }.into_any(),
                Tab::Tablets => view! { <HostTablets /> }.into_any(),
                Tab::Collect => view! { <HostCollect /> }.into_any(),
                Tab::Board => view! { <HostBoard /> }.into_any(),
                Tab::Close => view! { <HostClose /> }.into_any(),
            }}
            <footer class="host-app__footer">
                <button class="button" data-variant="quiet" on:click=move |_| on_change_role.run(())>
                    {t!(i18n, host_app.change_this_device_s_role)}
                </button>
            </footer>
        </section>
    }
}

/// The host context, for the step screens.
pub fn host_context() -> HostContext {
    expect_context::<HostContext>()
}
