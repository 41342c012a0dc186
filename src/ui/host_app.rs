//! The host laptop: one meeting record, stored after every action, shown in six steps —
//! set up, draw, tablets and codes, collect, board, close and export.

use std::sync::Arc;

use leptos::prelude::*;

use super::{Bilingual, HostBoard, HostClose, HostCollect, HostDraw, HostSetup, HostTablets, Said};
use crate::browser::device_key::load_or_create_device_key;
use crate::browser::platform;
use crate::browser::storage::{self, HOST_STATE_KEY};
use crate::domain::code::MeetingSecret;
use crate::domain::collect::{HostMeeting, HostStateV1, Phase};
use crate::domain::meeting::Meeting;
use crate::domain::signing::{DeviceKey, fingerprint};

/// What every host screen shares: the meeting record, the banner, and the host key.
#[derive(Clone)]
pub struct HostContext {
    pub host: RwSignal<Option<HostMeeting>>,
    pub problem: RwSignal<Option<String>>,
    pub notice: RwSignal<Option<String>>,
    pub key: Arc<Option<DeviceKey>>,
}

impl HostContext {
    /// Applies one host action and stores the record at once; a storage failure becomes the
    /// banner with the advice to export a backup.
    pub fn act<R>(&self, action: impl FnOnce(&mut HostMeeting) -> R) -> Option<R> {
        let mut result = None;
        let mut failure = None;
        self.host.update(|host| {
            if let Some(host) = host.as_mut() {
                result = Some(action(host));
                failure = storage::save(HOST_STATE_KEY, host.state()).err();
            }
        });
        self.problem.set(failure.map(|e| {
            super::join(
                &e.to_string(),
                "：会议记录未能保存，请立即在“结束与导出”中导出备份 — : the meeting record was not saved; export a backup now under “Close and export”",
            )
        }));
        result
    }

    /// Starts a fresh record for `meeting` (the caller made sure the old one was exported).
    pub fn start(&self, meeting: Meeting) -> Result<(), String> {
        let secret = MeetingSecret::from_bytes(platform::random_bytes::<32>()?);
        let host = HostMeeting::new(meeting, secret, &platform::now());
        storage::save(HOST_STATE_KEY, host.state()).map_err(|e| e.to_string())?;
        self.host.set(Some(host));
        Ok(())
    }

    pub fn with_host<R>(&self, f: impl FnOnce(&HostMeeting) -> R) -> Option<R> {
        self.host.with(|h| h.as_ref().map(f))
    }

    pub fn host_key(&self) -> Option<&DeviceKey> {
        self.key.as_ref().as_ref()
    }

    pub fn say(&self, text: impl Into<String>) {
        self.notice.set(Some(text.into()));
    }
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

const TABS: [(Tab, &str, &str); 6] = [
    (Tab::Setup, "会议设置", "Set up"),
    (Tab::Draw, "抽签", "Draw"),
    (Tab::Tablets, "平板与选票码", "Tablets & codes"),
    (Tab::Collect, "收票", "Collect"),
    (Tab::Board, "大屏", "Board"),
    (Tab::Close, "结束与导出", "Close & export"),
];

/// The host's whole app.
#[component]
pub fn HostApp(
    /// Called when staff want to give the device another role.
    on_change_role: Callback<()>,
) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let key = Arc::new(match load_or_create_device_key() {
        Ok(key) => Some(key),
        Err(e) => {
            problem.set(Some(e.to_string()));
            None
        }
    });
    let stored = match storage::load::<HostStateV1>(HOST_STATE_KEY) {
        Ok(Some(state)) => match HostMeeting::from_state(state) {
            Ok(host) => Some(host),
            Err(e) => {
                problem.set(Some(super::join(
                    &e.to_string(),
                    "（已保存的记录保留未动） — (the stored record is left untouched)",
                )));
                None
            }
        },
        Ok(None) => None,
        Err(e) => {
            problem.set(Some(e.to_string()));
            None
        }
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
    let ctx = HostContext {
        host: RwSignal::new(stored),
        problem,
        notice: RwSignal::new(None),
        key,
    };
    provide_context(ctx.clone());
    crate::browser::offline::keep_scanner_offline();
    let tab = RwSignal::new(first_tab);
    let notice = ctx.notice;
    let nav = TABS
        .iter()
        .map(|&(t, zh, en)| {
            view! {
                <button class="tabs__tab" role="tab" aria-selected=move || (tab.get() == t).to_string()
                    on:click=move |_| {
                        notice.set(None);
                        tab.set(t);
                    }>
                    <Bilingual zh=zh en=en />
                </button>
            }
        })
        .collect_view();
    let ctx_phase = ctx.clone();
    let phase = move || ctx_phase.with_host(HostMeeting::phase);
    let ctx_title = ctx.clone();
    view! {
        <section class="host-app" data-tab=move || format!("{:?}", tab.get()).to_lowercase()>
            <header class="host-app__bar">
                <span class="host-app__title">{move || ctx_title.with_host(|h| h.meeting().title().to_owned()).unwrap_or_default()}</span>
                <span class="host-app__phase" data-testid="phase">
                    {move || match phase() {
                        Some(Phase::Setup) => view! { <Bilingual zh="设置中" en="Setting up" /> }.into_any(),
                        Some(Phase::Open) => view! { <Bilingual zh="投票进行中" en="Voting open" /> }.into_any(),
                        Some(Phase::Closed) => view! { <Bilingual zh="投票已结束" en="Voting closed" /> }.into_any(),
                        None => ().into_any(),
                    }}
                </span>
                <span class="host-app__key">
                    <Bilingual zh="主持人指纹" en="Host key" /> " " <span class="fingerprint" data-testid="host-fingerprint">{host_fp}</span>
                </span>
            </header>
            <nav class="tabs" role="tablist" aria-label=super::tr("主持人步骤", "Host steps")>{nav}</nav>
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
                    <Bilingual zh="更改设备用途" en="Change this device's role" />
                </button>
            </footer>
        </section>
    }
}

/// The host context, for the step screens.
pub fn host_context() -> HostContext {
    expect_context::<HostContext>()
}
