//! The tablet: join the host's meeting, then one rater after another — code, rate, review,
//! submit, clear — and hand the ballots in behind the staff PIN.

use leptos::prelude::*;

use crate::i18n::{t, t_string, td_string, use_i18n};
use crate::msg;

use super::rating_form::{jump_to, summary_line};
use super::{ConfirmAction, ConfirmTexts, Message, PresenterIndex, QrImage, RatingForm, Said};
use crate::browser::device_key::device_key;
use crate::browser::file::with_chosen_file;
use crate::browser::platform;
use crate::browser::storage::StorageFailure;
use crate::browser::store::{self, Change, TABLET_DRAFT_KEY, TABLET_STATE_KEY};
use crate::domain::ballot::BallotDraft;
use crate::domain::kiosk::{JoinError, PinError, TabletEvent, TabletLogEntryV1, Tap, decode_signed_join};
use crate::domain::meeting::{CredentialMode, Meeting};
use crate::domain::record::join::SignedJoinV2;
use crate::domain::record::tablet::{TabletStateV2, TabletV2};
use crate::domain::record::transport::hand_in_file;
use crate::domain::signing::{DeviceKey, fingerprint};

/// The tablet's checked state (record format 2).
type Kiosk = TabletV2;

/// Seconds the "submitted" screen stays before it clears itself for the next rater.
const SUBMITTED_SECONDS: u64 = 5;

/// What the tablet shows besides the rating form itself.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// Rating (or waiting for the next rater's code when no ballot is open).
    Kiosk,
    Review,
    /// Submitted in memory, waiting for the disk: nothing is acknowledged yet.
    Saving,
    /// Just submitted (the n-th time on this screen): no receipt; the screen clears itself
    /// after a few seconds unless a later ballot's screen replaced it.
    Submitted(u64),
    /// Staff only, after the PIN.
    HandIn,
}

fn storage_problem(e: StorageFailure) -> Message {
    msg!(rater_app.not_saved_on_this_tablet, problem = Message::core(e))
}

/// The tablet state as one change (on join, submit and hand-in).
fn state_change(kiosk: &Kiosk) -> Result<Change, StorageFailure> {
    Change::put(TABLET_STATE_KEY, kiosk.state())
}

/// The open ballot as one change, or its removal once submitted or discarded.
fn draft_change(kiosk: &Kiosk) -> Result<Change, StorageFailure> {
    match kiosk.stored_draft() {
        Some(draft) => Change::put(TABLET_DRAFT_KEY, &draft),
        None => Ok(Change::delete(TABLET_DRAFT_KEY)),
    }
}

/// Both, for one transaction: a submitted ballot and the removal of its draft reach the disk
/// together, so after a crash the ballot is either still open or submitted — never both.
fn whole_change(kiosk: &Kiosk) -> Result<Vec<Change>, StorageFailure> {
    Ok(vec![state_change(kiosk)?, draft_change(kiosk)?])
}

/// Writes `changes`; `on_done` hears once they are on disk, or why not.
fn persist(
    changes: Result<Vec<Change>, StorageFailure>,
    on_done: impl FnOnce(Result<(), StorageFailure>) + 'static,
) {
    match changes {
        Ok(changes) => store::write(changes, on_done),
        Err(e) => on_done(Err(e)),
    }
}

/// Whether the taps on the open ballot are on disk: the "saved" mark on the rating bar shows
/// only once the last tap's write has completed.
#[derive(Clone, Copy)]
struct DraftSaves {
    issued: RwSignal<u64>,
    done: RwSignal<u64>,
    failed: RwSignal<bool>,
}

impl DraftSaves {
    fn new() -> Self {
        DraftSaves {
            issued: RwSignal::new(0),
            done: RwSignal::new(0),
            failed: RwSignal::new(false),
        }
    }

    fn write(self, change: Result<Change, StorageFailure>, problem: RwSignal<Option<Message>>) {
        let n = self.issued.get_untracked() + 1;
        self.issued.set(n);
        persist(change.map(|c| vec![c]), move |result| match result {
            Ok(()) => {
                if n > self.done.get_untracked() {
                    self.done.set(n);
                }
                if n == self.issued.get_untracked() {
                    self.failed.set(false);
                }
            }
            Err(e) => {
                self.failed.set(true);
                problem.set(Some(storage_problem(e)));
            }
        });
    }

    /// "saved", "saving" or "failed", tracked.
    fn state(self) -> &'static str {
        if self.failed.get() {
            "failed"
        } else if self.done.get() == self.issued.get() {
            "saved"
        } else {
            "saving"
        }
    }
}

/// The tablet's whole app.
#[component]
pub fn RaterApp(
    /// Called when staff want to give the device another role.
    on_change_role: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let problem = RwSignal::new(None::<Message>);
    let key: std::sync::Arc<Option<DeviceKey>> = std::sync::Arc::new(match device_key() {
        Ok(key) => Some(key),
        Err(e) => {
            problem.set(Some(Message::core(e)));
            None
        }
    });
    let stored = match store::load::<TabletStateV2>(TABLET_STATE_KEY) {
        Ok(Some(state)) => {
            match Kiosk::from_stored_with_draft(state, store::load(TABLET_DRAFT_KEY).ok().flatten()) {
                Ok(kiosk) => Some(kiosk),
                Err(e) => {
                    problem.set(Some(msg!(
                        rater_app.the_saved_data_is_left,
                        problem = Message::core(e)
                    )));
                    None
                }
            }
        }
        Ok(None) => None,
        Err(e) => {
            problem.set(Some(Message::core(e)));
            None
        }
    };
    let kiosk = RwSignal::new(stored);
    let fragment = platform::fragment();
    let pending = RwSignal::new(
        fragment
            .strip_prefix("join=")
            .map(|payload| decode_signed_join(payload).map_err(Message::core)),
    );
    let step = RwSignal::new(Step::Kiosk);
    let submitted = RwSignal::new(0u64);
    let device_fp = key
        .as_ref()
        .as_ref()
        .and_then(|k| fingerprint(&k.public_key()))
        .unwrap_or_default();

    let device_fp_footer = device_fp.clone();
    let saves = DraftSaves::new();
    let update = move |f: &dyn Fn(&mut Kiosk)| {
        let mut change = None;
        kiosk.update(|k| {
            if let Some(k) = k.as_mut() {
                f(k);
                change = Some(draft_change(k));
            }
        });
        if let Some(change) = change {
            saves.write(change, problem);
        }
    };

    // The screen changes only when these change, never on a tap: the form updates in place.
    let has_kiosk = Memo::new(move |_| kiosk.with(|k| k.as_ref().map(|k| k.meeting().id().to_owned())));
    let trial = Memo::new(move |_| kiosk.with(|k| k.as_ref().is_some_and(Kiosk::is_trial)));
    let has_draft = Memo::new(move |_| kiosk.with(|k| k.as_ref().is_some_and(|k| k.draft().is_some())));
    let key_join = std::sync::Arc::clone(&key);
    let body = move || {
        if let Some(join) = pending.get() {
            let key = std::sync::Arc::clone(&key_join);
            return untrack(|| {
                view! { <JoinScreen join=join key=key kiosk=kiosk pending=pending problem=problem /> }
                    .into_any()
            });
        }
        if has_kiosk.get().is_none() {
            return view! { <WaitingScreen pending=pending /> }.into_any();
        }
        let drafting = has_draft.get();
        let current = step.get();
        untrack(|| {
            let meeting = kiosk
                .with(|k| k.as_ref().map(|k| k.meeting().clone()))
                .unwrap_or_else(crate::domain::demo::demo_meeting);
            match current {
                Step::Submitted(n) => {
                    // The next rater gets a clean screen even if nobody taps.
                    set_timeout(
                        move || {
                            if step.get_untracked() == Step::Submitted(n) {
                                step.set(Step::Kiosk);
                            }
                        },
                        std::time::Duration::from_secs(SUBMITTED_SECONDS),
                    );
                    view! {
                    <section class="screen kiosk-done" aria-labelledby="done-title">
                        <h1 id="done-title" class="screen__title" tabindex="-1">
                            {t!(i18n, rater_app.ballot_submitted)}
                        </h1>
                        <p class="notice" data-state="pass">
                            {t!(i18n, rater_app.your_ballot_is_kept_secret)}
                        </p>
                        <button class="button" data-variant="primary" on:click=move |_| step.set(Step::Kiosk)>
                            {t!(i18n, rater_app.pass_to_the_next_rater)}
                        </button>
                    </section>
                }
                .into_any()
                }
                Step::Saving => view! {
                    <section class="screen kiosk-done" aria-labelledby="saving-title" aria-busy="true">
                        <h1 id="saving-title" class="screen__title" tabindex="-1">
                            {t!(i18n, rater_app.saving_the_ballot)}
                        </h1>
                        <p class="notice" data-state="waiting" role="status">
                            {t!(i18n, rater_app.saving_the_ballot_wait)}
                        </p>
                    </section>
                }
                .into_any(),
                Step::HandIn => {
                    let key = std::sync::Arc::clone(&key);
                    view! { <HandInScreen kiosk=kiosk key=key problem=problem device_fp=device_fp.clone() on_done=Callback::new(move |()| step.set(Step::Kiosk)) on_change_role=on_change_role /> }.into_any()
                }
                Step::Review if drafting => {
                    let submit = move |_| {
                        // The ballot as it was before this submit: put back if the disk refuses it,
                        // so the screen never says "submitted" for a ballot that is not stored.
                        let before = kiosk.get_untracked();
                        let mut outcome = None;
                        kiosk.update(|k| {
                            if let Some(k) = k.as_mut() {
                                outcome = Some(k.submit().map(|()| whole_change(k)));
                            }
                        });
                        match outcome {
                            Some(Ok(changes)) => {
                                step.set(Step::Saving);
                                persist(changes, move |result| match result {
                                    Ok(()) => {
                                        problem.set(None);
                                        submitted.update(|n| *n += 1);
                                        step.set(Step::Submitted(submitted.get_untracked()));
                                    }
                                    Err(e) => {
                                        kiosk.set(before);
                                        step.set(Step::Review);
                                        problem.set(Some(msg!(
                                            rater_app.ballot_not_submitted,
                                            problem = Message::core(e)
                                        )));
                                    }
                                });
                            }
                            Some(Err(e)) => problem.set(Some(Message::core(e))),
                            None => {}
                        }
                    };
                    let lines = kiosk.with(|k| {
                    let k = k.as_ref()?;
                    let d = k.draft()?;
                    Some(
                        k.meeting()
                            .presenters()
                            .iter()
                            .zip(d.marks())
                            .enumerate()
                            .map(|(i, (p, m))| view! {
                                <tr><td>{i + 1}</td><td>{p.name.clone()}</td><td><Said text=summary_line(k.meeting(), m) /></td></tr>
                            })
                            .collect_view(),
                    )
                });
                    let blank = kiosk.with(|k| {
                        k.as_ref()
                            .and_then(|k| k.draft())
                            .is_some_and(BallotDraft::is_untouched)
                    });
                    // An untouched ballot is complete as a blank one; any other needs every gap filled.
                    let gap = if blank {
                        None
                    } else {
                        kiosk.with(|k| {
                            k.as_ref()
                                .and_then(|k| k.draft())
                                .and_then(BallotDraft::first_gap)
                        })
                    };
                    let incomplete = gap.is_some();
                    let back_gap = gap.clone();
                    view! {
                    <section class="screen kiosk-review" aria-labelledby="review-title">
                        <h1 id="review-title" class="screen__title">{t!(i18n, rater_app.review_and_submit)}</h1>
                        {gap.clone().map(|g| view! { <p class="banner" data-state="error" role="alert"><Said text=Message::core(g) /></p> })}
                        {blank.then(|| view! { <p class="notice" data-state="waiting">{t!(i18n, rater_app.you_rated_nobody_submitted_this)}</p> })}
                        <table class="table review-table">
                            <thead><tr><th>"#"</th><th>{t!(i18n, rater_app.presenter)}</th><th>{t!(i18n, rater_app.marks)}</th></tr></thead>
                            <tbody>{lines}</tbody>
                        </table>
                        <div class="actions">
                            <button class="button" on:click=move |_| {
                                step.set(Step::Kiosk);
                                if let Some(g) = back_gap.clone() {
                                    set_timeout(move || jump_to("k", g.presenter_number - 1, g.first_aspect), std::time::Duration::from_millis(30));
                                }
                            }>
                                {t!(i18n, rater_app.back_to_the_form)}
                            </button>
                            <button class="button" data-variant="primary" disabled=incomplete on:click=submit>
                                {t!(i18n, rater_app.submit_ballot)}
                            </button>
                        </div>
                    </section>
                }
                .into_any()
                }
                _ => {
                    if drafting {
                        rating_screen(meeting, kiosk, step, update, saves).into_any()
                    } else {
                        view! { <StartScreen kiosk=kiosk on_hand_in=Callback::new(move |()| step.set(Step::HandIn)) /> }.into_any()
                    }
                }
            }
        })
    };

    view! {
        <section class="rater-app" aria-label=move || t_string!(i18n, rater_app.rater_tablet_2).to_string()>
            {move || problem.get().map(|p| view! { <p class="banner" data-state="error" role="alert"><Said text=p /></p> })}
            {move || trial.get().then(|| view! {
                <p class="banner" data-state="warning" data-testid="trial">{t!(i18n, rater_app.trial_run)}</p>
            })}
            {body}
            <footer class="rater-app__footer">
                // Fingerprints only before joining (staff compare them); once joined they are
                // shown to staff behind the PIN, never to raters.
                {move || has_kiosk.get().is_none().then(|| view! {
                    <span>{t!(i18n, rater_app.this_tablet)} " " <span class="fingerprint">{device_fp_footer.clone()}</span></span>
                })}
                // Once the tablet has joined, only staff (behind the PIN, on the hand-in screen)
                // may give it another role.
                <button class="button" data-variant="quiet"
                    hidden=move || has_kiosk.get().is_some()
                    on:click=move |_| on_change_role.run(())>
                    {t!(i18n, rater_app.change_this_device_s_role)}
                </button>
            </footer>
        </section>
    }
}

fn rating_screen(
    meeting: Meeting,
    kiosk: RwSignal<Option<Kiosk>>,
    step: RwSignal<Step>,
    update: impl Fn(&dyn Fn(&mut Kiosk)) + Copy + Send + Sync + 'static,
    saves: DraftSaves,
) -> impl IntoView {
    let i18n = use_i18n();
    // One copy of the draft per tap; each presenter's memo then reads it by reference.
    let draft = Signal::from(Memo::new(move |_| {
        kiosk.with(|k| k.as_ref().and_then(|k| k.draft().cloned()))
    }));
    let progress = Memo::new(move |_| {
        kiosk.with(|k| {
            k.as_ref()
                .and_then(|k| k.draft())
                .map_or((0, 0), BallotDraft::progress)
        })
    });
    let on_tap = Callback::new(move |tap: Tap| update(&move |k| k.tap(tap)));
    let title = meeting.title().to_owned();
    // The rater's group, never the code: once rating starts the code is not on screen.
    let credential = kiosk.with(|k| {
        let k = k.as_ref()?;
        k.draft().map(|d| {
            let group = match d.credential() {
                crate::domain::ballot::Credential::Code(c) => c.group(),
                crate::domain::ballot::Credential::Group(g) => g,
            };
            k.meeting().groups()[group].name.clone()
        })
    });
    view! {
        <section class="screen kiosk-rate" aria-labelledby="rate-title">
            <h1 id="rate-title" class="screen__title">{title}</h1>
            <div class="kiosk-rate__bar" role="status">
                <span class="kiosk-rate__progress" data-testid="progress">
                    {move || { let (d, t) = progress.get(); view! { <Said text=msg!(rater_app.progress, done = d, total = t) /> } }}
                </span>
                <span class="kiosk-rate__credential">{credential}</span>
                <span class="kiosk-rate__saved" data-testid="save-state" data-state=move || saves.state()>
                    {move || match saves.state() {
                        "failed" => t!(i18n, rater_app.tap_not_saved).into_any(),
                        "saving" => t!(i18n, rater_app.tap_saving).into_any(),
                        _ => t!(i18n, rater_app.tap_saved).into_any(),
                    }}
                </span>
                <PresenterIndex meeting=meeting.clone() draft=draft prefix="k" />
                <button class="button" on:click=move |_| {
                    if let Some(g) = kiosk.with(|k| k.as_ref().and_then(|k| k.draft()).and_then(BallotDraft::first_gap)) {
                        jump_to("k", g.presenter_number - 1, g.first_aspect);
                    }
                }>
                    {t!(i18n, rater_app.jump_to_what_is_empty)}
                </button>
                <button class="button" data-variant="primary" on:click=move |_| step.set(Step::Review)>
                    {t!(i18n, rater_app.review_and_submit)}
                </button>
            </div>
            <RatingForm meeting=meeting draft=draft on_tap=on_tap prefix="k" />
            <div class="actions">
                <button class="button" data-variant="primary" on:click=move |_| step.set(Step::Review)>
                    {t!(i18n, rater_app.review_and_submit)}
                </button>
                <ConfirmAction variant="quiet" on_confirm=Callback::new(move |()| update(&|k| k.discard_draft())) texts=ConfirmTexts {
                    action: |l| td_string!(l, rater_app.discard_this_ballot).to_string(),
                    question: |l| td_string!(l, rater_app.discard_this_ballot_2).to_string(),
                    confirm: |l| td_string!(l, rater_app.discard).to_string(),
                    cancel: |l| td_string!(l, rater_app.keep_rating).to_string(),
                } />
            </div>
        </section>
    }
}

/// A tablet with no meeting yet: join by the host's link, or open a meeting file.
#[component]
fn WaitingScreen(pending: RwSignal<Option<Result<SignedJoinV2, Message>>>) -> impl IntoView {
    let i18n = use_i18n();
    let on_file = move |ev: leptos::ev::Event| {
        with_chosen_file(&ev, move |result| {
            pending.set(Some(result.map_err(Message::core).and_then(|(_, text)| {
                decode_signed_join(&text).map_err(|e: JoinError| Message::core(e))
            })));
        });
    };
    view! {
        <section class="screen" aria-labelledby="wait-title">
            <h1 id="wait-title" class="screen__title">{t!(i18n, rater_app.rater_tablet)}</h1>
            <p class="notice" data-state="waiting">
                {t!(i18n, rater_app.this_tablet_has_not_joined)}
            </p>
            <label class="file-pick">
                {t!(i18n, rater_app.open_a_meeting_file)}
                <input type="file" accept=".json,application/json" on:change=on_file />
            </label>
        </section>
    }
}

/// The staff member checks the meeting and the host fingerprint, then sets the hand-in PIN.
#[component]
fn JoinScreen(
    join: Result<SignedJoinV2, Message>,
    key: std::sync::Arc<Option<DeviceKey>>,
    kiosk: RwSignal<Option<Kiosk>>,
    pending: RwSignal<Option<Result<SignedJoinV2, Message>>>,
    problem: RwSignal<Option<Message>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let cancel = move |_| {
        pending.set(None);
        platform::clear_fragment();
    };
    let checked = join.and_then(|j| {
        j.check()
            .map(|c| (j, c.meeting))
            .map_err(|e| Message::core(JoinError::Signed(e)))
    });
    let (join, meeting) = match checked {
        Err(message) => {
            return view! {
                <section class="screen" aria-labelledby="join-title">
                    <h1 id="join-title" class="screen__title">{t!(i18n, rater_app.cannot_join_the_meeting)}</h1>
                    <p class="banner" data-state="error" role="alert"><Said text=message /></p>
                    <button class="button" on:click=cancel>{t!(i18n, rater_app.back)}</button>
                </section>
            }
            .into_any();
        }
        Ok(pair) => pair,
    };
    // Another round (another meeting, or the same meeting file run again) is another session.
    let other_round = |k: &Kiosk| k.session() != join.session;
    // A trial (试运行) of this meeting gives way to its live round: its ballots are cleared.
    let clears_trial = kiosk.with(|k| {
        k.as_ref()
            .is_some_and(|k| other_round(k) && k.is_trial() && k.meeting().id() == meeting.id())
    });
    // A tablet that holds ballots of another round keeps them until they are handed in.
    let blocked = kiosk.with(|k| {
        k.as_ref()
            .filter(|k| !clears_trial && other_round(k) && (k.not_handed_in() > 0 || k.draft().is_some()))
            .map(|k| (k.meeting().title().to_owned(), k.not_handed_in()))
    });
    let same = kiosk.with(|k| k.as_ref().is_some_and(|k| !other_round(k)));
    // The record of an earlier round is replaced only with that round's PIN.
    let replacing = kiosk.with(|k| {
        k.as_ref()
            .filter(|k| !clears_trial && other_round(k) && !k.state().confirmed.is_empty())
            .map(|k| {
                (
                    k.meeting().title().to_owned(),
                    k.state()
                        .confirmed
                        .iter()
                        .map(|b| b.ballots as usize)
                        .sum::<usize>(),
                )
            })
    });
    let needs_old_pin = replacing.is_some();
    let old_pin = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let pin_again = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Message>);
    let host_fp = fingerprint(&join.host).unwrap_or_default();
    let (date, place, n) = (
        meeting.date().to_owned(),
        meeting.place().to_owned(),
        meeting.presenters().len(),
    );
    let date = Message::new(move |l| super::format_date(l, &date));
    let summary = if meeting.credential() == CredentialMode::Code {
        msg!(rater_app.summary_code, date = date, place = place, n = n)
    } else {
        msg!(rater_app.summary_open, date = date, place = place, n = n)
    };
    let title = meeting.title().to_owned();
    let pair = StoredValue::new(join);
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pin.get() != pin_again.get() {
            message.set(Some(msg!(rater_app.the_two_pins_differ)));
            return;
        }
        if needs_old_pin
            && let Some(Err(e)) =
                kiosk.with_untracked(|k| k.as_ref().map(|k| k.check_pin(&old_pin.get_untracked())))
        {
            message.set(Some(msg!(rater_app.old_pin_refused, problem = Message::core(e))));
            return;
        }
        let salt = match platform::random_hex::<16>() {
            Ok(salt) => salt,
            Err(e) => return message.set(Some(Message::core(e))),
        };
        let Some(device) = key.as_ref().as_ref() else {
            return message.set(Some(msg!(rater_app.no_device_key)));
        };
        match Kiosk::join(pair.get_value(), device, &pin.get(), &salt, &platform::now()) {
            Err(e) => message.set(Some(Message::core(e))),
            // The tablet shows the meeting only once its state is on disk.
            Ok(new) => persist(whole_change(&new), move |result| match result {
                Ok(()) => {
                    problem.set(None);
                    kiosk.set(Some(new));
                    pending.set(None);
                    platform::clear_fragment();
                }
                Err(e) => message.set(Some(storage_problem(e))),
            }),
        }
    };
    let body = if let Some((other, held)) = blocked {
        view! {
            <p class="banner" data-state="error" role="alert">
                <Said text=msg!(rater_app.blocked_by_other, other = other, held = held) />
            </p>
            <button class="button" on:click=cancel>{t!(i18n, rater_app.back)}</button>
        }
        .into_any()
    } else if same {
        view! {
            <p class="notice" data-state="pass">{t!(i18n, rater_app.this_tablet_has_already_joined)}</p>
            <button class="button" data-variant="primary" on:click=cancel>{t!(i18n, rater_app.continue_)}</button>
        }
        .into_any()
    } else {
        view! {
            <form class="form" on:submit=confirm>
                {clears_trial.then(|| view! {
                    <p class="banner" data-state="warning" role="note" data-testid="clears-trial">
                        {t!(i18n, rater_app.trial_ballots_are_cleared)}
                    </p>
                })}
                {replacing.clone().map(|(other, held)| view! {
                    <p class="banner" data-state="warning" role="note" data-testid="replacing">
                        <Said text=msg!(rater_app.replacing_other, other = other, held = held) />
                    </p>
                    <label class="field">
                        <span><Said text=msg!(rater_app.old_hand_in_pin) /></span>
                        <input type="password" inputmode="numeric" autocomplete="off" name="old-pin" required
                            prop:value=old_pin on:input=move |ev| old_pin.set(event_target_value(&ev)) />
                    </label>
                })}
                <p>{t!(i18n, rater_app.staff_set_the_hand_in)}</p>
                <label class="field">
                    <span>{t!(i18n, rater_app.hand_in_pin)}</span>
                    <input type="password" inputmode="numeric" autocomplete="off" name="pin" required
                        prop:value=pin on:input=move |ev| pin.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span>{t!(i18n, rater_app.pin_again)}</span>
                    <input type="password" inputmode="numeric" autocomplete="off" name="pin-again" required
                        prop:value=pin_again on:input=move |ev| pin_again.set(event_target_value(&ev)) />
                </label>
                {move || message.get().map(|m| view! { <p class="banner" data-state="error" role="alert"><Said text=m /></p> })}
                <div class="actions">
                    <button type="button" class="button" on:click=cancel>{t!(i18n, rater_app.cancel)}</button>
                    <button type="submit" class="button" data-variant="primary">{t!(i18n, rater_app.join_the_meeting)}</button>
                </div>
            </form>
        }
        .into_any()
    };
    view! {
        <section class="screen join-screen" aria-labelledby="join-title">
            <h1 id="join-title" class="screen__title">{t!(i18n, rater_app.join_the_meeting)}</h1>
            <p class="join-screen__meeting"><strong>{title}</strong></p>
            <p><Said text=summary /></p>
            <p>
                {t!(i18n, rater_app.host_key_fingerprint_compare_with)} " "
                <strong class="fingerprint" data-testid="host-fingerprint">{host_fp}</strong>
            </p>
            {body}
        </section>
    }
    .into_any()
}

/// Between raters: the next rater enters the code from the slip (or picks the group).
#[component]
fn StartScreen(kiosk: RwSignal<Option<Kiosk>>, on_hand_in: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let code = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Message>);
    let begin = move |start: &dyn Fn(&mut Kiosk) -> Result<(), crate::domain::kiosk::StartError>| {
        // Tried on a copy: a refused code leaves the stored state (and this screen) untouched.
        let Some(mut next) = kiosk.get_untracked() else {
            return;
        };
        match start(&mut next) {
            // The form opens once the new ballot is on disk.
            Ok(()) => persist(draft_change(&next).map(|c| vec![c]), move |result| match result {
                Ok(()) => {
                    kiosk.set(Some(next));
                    if let Some(w) = web_sys::window() {
                        w.scroll_to_with_x_and_y(0.0, 0.0);
                    }
                }
                Err(e) => message.set(Some(storage_problem(e))),
            }),
            Err(e) => message.set(Some(Message::core(e))),
        }
    };
    let (title, uses_codes, groups) = kiosk.with(|k| {
        let k = k.as_ref();
        (
            k.map(|k| k.meeting().title().to_owned()).unwrap_or_default(),
            k.is_some_and(|k| k.meeting().credential() == CredentialMode::Code),
            k.map(|k| {
                k.meeting()
                    .groups()
                    .iter()
                    .map(|g| g.name.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
        )
    });
    let entry = if uses_codes {
        view! {
            <form class="form kiosk-start__form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let text = code.get();
                begin(&move |k| k.start_with_code(&text));
            }>
                <label class="field">
                    <span>{t!(i18n, rater_app.enter_the_code_on_your)}</span>
                    <input class="code-input" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false"
                        placeholder="XXX-XXX-XXX" maxlength="20"
                        prop:value=code on:input=move |ev| { message.set(None); code.set(event_target_value(&ev)); } />
                </label>
                <button type="submit" class="button" data-variant="primary">{t!(i18n, rater_app.start_rating)}</button>
            </form>
        }
        .into_any()
    } else {
        let buttons = groups
            .into_iter()
            .enumerate()
            .map(|(g, name)| view! {
                <button class="button" data-variant="primary" on:click=move |_| begin(&move |k| k.start_with_group(g))>{name}</button>
            })
            .collect_view();
        view! {
            <fieldset class="kiosk-start__groups">
                <legend>{t!(i18n, rater_app.choose_your_rater_group)}</legend>
                <p class="notice">{t!(i18n, rater_app.open_mode_you_choose)}</p>
                {buttons}
            </fieldset>
        }
        .into_any()
    };
    view! {
        <section class="screen kiosk-start" aria-labelledby="start-title">
            <h1 id="start-title" class="screen__title">{title}</h1>
            <p class="notice" data-state="waiting">
                {t!(i18n, rater_app.each_rater_fills_one_ballot)}
            </p>
            {entry}
            {move || message.get().map(|m| view! { <p class="banner" data-state="error" role="alert"><Said text=m /></p> })}
            <button class="button" data-variant="quiet" on:click=move |_| on_hand_in.run(())>
                {t!(i18n, rater_app.hand_in_staff)}
            </button>
        </section>
    }
}

/// Staff only: after the PIN, the ballots not yet handed in, the batches sealed for the host
/// (their QR codes cycled for the webcam, or a file), and the confirmation of each batch by the
/// code the host shows. Fingerprints and counts are shown here, never on the raters' screens.
#[component]
fn HandInScreen(
    kiosk: RwSignal<Option<Kiosk>>,
    key: std::sync::Arc<Option<DeviceKey>>,
    problem: RwSignal<Option<Message>>,
    device_fp: String,
    on_done: Callback<()>,
    on_change_role: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let pin = RwSignal::new(String::new());
    let unlocked = RwSignal::new(false);
    let batch_code = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Message>);
    // Three wrong PINs in a row lock the form for a minute (the rule and its count live in the
    // tablet's stored log, so reopening this screen or reloading does not reset them). The
    // button is re-enabled by a timer; the core refuses a try that comes early anyway.
    let locked = RwSignal::new(false);
    let lock_for = move |seconds: i64| {
        locked.set(true);
        set_timeout(
            move || locked.set(false),
            std::time::Duration::from_secs(seconds.max(1) as u64),
        );
    };
    if let Some(seconds) =
        kiosk.with_untracked(|k| k.as_ref().and_then(|k| k.pin_locked_for(&platform::now())))
    {
        lock_for(seconds);
        message.set(Some(Message::core(PinError::Locked { seconds })));
    }
    let unlock = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let now = platform::now();
        let mut outcome = None;
        let mut change = None;
        kiosk.update(|k| {
            if let Some(k) = k.as_mut() {
                outcome = Some(k.open_hand_in(&pin.get_untracked(), &now));
                change = Some(state_change(k).map(|c| vec![c]));
            }
        });
        // Staff reach the ballots even when this tablet's storage fails: the log entry is then
        // lost, and the banner says so.
        if let Some(change) = change {
            persist(change, move |result| {
                problem.set(result.err().map(storage_problem))
            });
        }
        match outcome {
            Some(Ok(())) => {
                message.set(None);
                unlocked.set(true);
            }
            Some(Err(e)) => {
                let later = platform::now();
                match kiosk.with_untracked(|k| k.as_ref().and_then(|k| k.pin_locked_for(&later))) {
                    Some(seconds) => {
                        lock_for(seconds);
                        message.set(Some(Message::core(PinError::Locked { seconds })));
                    }
                    None => message.set(Some(Message::core(e))),
                }
                pin.set(String::new());
            }
            None => {}
        }
    };
    // Seals every pending ballot into a batch for the host; only the envelope stays. The
    // screen shows the batch once the tablet state is on disk; if the write fails, the rows
    // go back to pending.
    let seal = move |closing: bool| {
        let Some(device) = key.as_ref().as_ref() else {
            return message.set(Some(msg!(rater_app.no_device_key)));
        };
        let fresh = platform::random_bytes::<32>().and_then(|s| Ok((s, platform::random_bytes::<32>()?)));
        let (seed, ephemeral) = match fresh {
            Ok(pair) => pair,
            Err(e) => return message.set(Some(Message::core(e))),
        };
        let now = platform::now();
        stored_then_shown(
            kiosk,
            message,
            move |k| {
                k.make_batch(device, seed, ephemeral, closing, &now)
                    .map(|d| d.number)
            },
            move |number| message.set(Some(msg!(rater_app.batch_sealed, number = number))),
        );
    };
    let seal_one = seal.clone();
    let seal_last = seal;
    let export = move |_| {
        let files = kiosk.with(|k| {
            k.as_ref().map(|k| {
                let id = k.meeting().id().to_owned();
                k.sealed_displays()
                    .into_iter()
                    .map(|d| {
                        (
                            format!("hand-in-{id}-{}.json", d.number),
                            hand_in_file(&d.envelope),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        });
        for (name, text) in files.unwrap_or_default() {
            if let Err(e) = platform::download(&name, "application/json", &text) {
                return message.set(Some(Message::core(e)));
            }
        }
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let now = platform::now();
        let (pin, code) = (pin.get_untracked(), batch_code.get_untracked());
        // "Confirmed" only once the erasure is on disk; until then the batch stays sealed.
        stored_then_shown(
            kiosk,
            message,
            move |k| k.confirm_batch(&pin, &code, &now),
            move |number| {
                batch_code.set(String::new());
                message.set(Some(msg!(rater_app.batch_confirmed, number = number)));
            },
        );
    };
    let details = move || {
        kiosk.with(|k| {
            k.as_ref().map(|k| {
                let pending = k.state().pending.len();
                let sealed: u32 = k.state().sealed.iter().map(|b| b.ballots).sum();
                let confirmed: u32 = k.state().confirmed.iter().map(|b| b.ballots).sum();
                let batches = k.state().sealed.len() + k.state().confirmed.len();
                let closed = k.state().closed;
                view! {
                    <dl class="facts">
                        <dt>{t!(i18n, rater_app.this_tablet)}</dt><dd class="fingerprint" data-testid="tablet-fingerprint">{device_fp.clone()}</dd>
                        <dt>{t!(i18n, rater_app.host)}</dt><dd class="fingerprint">{k.host_fingerprint()}</dd>
                        <dt>{t!(i18n, rater_app.ballots_not_in_a_batch)}</dt><dd data-testid="pending">{pending}</dd>
                        <dt>{t!(i18n, rater_app.ballots_sealed_waiting)}</dt><dd data-testid="sealed">{sealed}</dd>
                        <dt>{t!(i18n, rater_app.ballots_confirmed)}</dt><dd data-testid="confirmed">{confirmed}</dd>
                        <dt>{t!(i18n, rater_app.batches_so_far)}</dt><dd data-testid="batches">{batches}</dd>
                    </dl>
                    {closed.then(|| view! { <p class="notice" data-state="pass">{t!(i18n, rater_app.closing_batch_sealed)}</p> })}
                    <HandInLog entries=k.log_entries().to_vec() />
                }
            })
        })
    };
    // Every code of every sealed batch, cycled for the host's webcam: all of it ciphertext.
    let shown = RwSignal::new(0usize);
    if let Ok(timer) = set_interval_with_handle(
        move || shown.update(|i| *i += 1),
        std::time::Duration::from_millis(1500),
    ) {
        on_cleanup(move || timer.clear());
    }
    let codes = Memo::new(move |_| {
        kiosk.with(|k| {
            k.as_ref()
                .map(|k| {
                    k.sealed_displays()
                        .into_iter()
                        .flat_map(|d| d.qr)
                        .collect::<Vec<String>>()
                })
                .unwrap_or_default()
        })
    });
    let qr_text = Signal::derive(move || {
        codes.with(|c| {
            if c.is_empty() {
                String::new()
            } else {
                c[shown.get() % c.len()].clone()
            }
        })
    });
    let qr_caption = move || {
        let n = codes.with(Vec::len);
        (n > 0).then(|| view! { <Said text=msg!(rater_app.code_n_of, k = shown.get() % n + 1, n = n) /> })
    };
    let has_sealed = move || codes.with(|c| !c.is_empty());
    let closed = move || kiosk.with(|k| k.as_ref().is_some_and(|k| k.state().closed));
    view! {
        <section class="screen hand-in" aria-labelledby="hand-in-title">
            <h1 id="hand-in-title" class="screen__title">{t!(i18n, rater_app.hand_in_staff)}</h1>
            {move || if unlocked.get() {
                let seal_one = seal_one.clone();
                let seal_last = seal_last.clone();
                view! {
                    {details.clone()}
                    {move || (!closed()).then(|| {
                        let seal_one = seal_one.clone();
                        let seal_last = seal_last.clone();
                        view! {
                            <div class="actions">
                                <button class="button" data-variant="primary" on:click=move |_| seal_one(false)>
                                    {t!(i18n, rater_app.seal_a_batch)}
                                </button>
                                <ConfirmAction variant="quiet" on_confirm=Callback::new(move |()| seal_last(true)) texts=ConfirmTexts {
                                    action: |l| td_string!(l, rater_app.seal_the_closing_batch).to_string(),
                                    question: |l| td_string!(l, rater_app.seal_the_closing_batch_question).to_string(),
                                    confirm: |l| td_string!(l, rater_app.seal_the_closing_batch).to_string(),
                                    cancel: |l| td_string!(l, rater_app.cancel).to_string(),
                                } />
                            </div>
                        }
                    })}
                    {move || has_sealed().then(|| view! {
                        <figure class="hand-in__qr" data-testid="hand-in-qr">
                            <QrImage text=qr_text label=msg!(rater_app.ballot_qr_code) level=qrcode::EcLevel::M
                                too_long=msg!(rater_app.this_ballot_does_not_fit) />
                            <figcaption>{qr_caption}</figcaption>
                        </figure>
                        <button class="button" on:click=export>
                            {t!(i18n, rater_app.export_the_ballot_file)}
                        </button>
                        <form class="form" on:submit=confirm>
                            <label class="field">
                                <span>{t!(i18n, rater_app.batch_code_the_host_shows)}</span>
                                <input name="batch-code" autocomplete="off" autocapitalize="characters" spellcheck="false"
                                    prop:value=batch_code on:input=move |ev| batch_code.set(event_target_value(&ev)) />
                            </label>
                            <button type="submit" class="button">{t!(i18n, rater_app.confirm_the_batch)}</button>
                        </form>
                    })}
                    <button class="button" data-variant="quiet" on:click=move |_| on_change_role.run(())>
                        {t!(i18n, rater_app.change_this_device_s_role_2)}
                    </button>
                }.into_any()
            } else {
                view! {
                    <form class="form" on:submit=unlock>
                        <label class="field">
                            <span>{t!(i18n, rater_app.hand_in_pin)}</span>
                            <input type="password" inputmode="numeric" autocomplete="off" name="unlock-pin"
                                prop:value=pin on:input=move |ev| pin.set(event_target_value(&ev)) />
                        </label>
                        <button type="submit" class="button" data-variant="primary" disabled=move || locked.get()>{t!(i18n, rater_app.unlock)}</button>
                    </form>
                }.into_any()
            }}
            {move || message.get().map(|m| view! { <p class="notice" role="status" data-testid="hand-in-message"><Said text=m /></p> })}
            <button class="button" data-variant="quiet" on:click=move |_| on_done.run(())>
                {t!(i18n, rater_app.back_to_rating)}
            </button>
        </section>
    }
}

/// A staff action on the tablet state, tried on a copy: the screen changes — the sealed
/// batch's QR codes appear, a confirmed batch's disappear — only once the new state is on
/// disk, so nothing is shown to the host that a crash could take back. A refusal or a failed
/// write leaves the screen and the stored state as they were, with the message.
fn stored_then_shown<T: 'static, E: std::fmt::Display>(
    kiosk: RwSignal<Option<Kiosk>>,
    message: RwSignal<Option<Message>>,
    action: impl FnOnce(&mut Kiosk) -> Result<T, E>,
    on_stored: impl FnOnce(T) + 'static,
) {
    let Some(mut next) = kiosk.get_untracked() else {
        return;
    };
    match action(&mut next) {
        Ok(value) => persist(state_change(&next).map(|c| vec![c]), move |result| match result {
            Ok(()) => {
                kiosk.set(Some(next));
                on_stored(value);
            }
            Err(e) => message.set(Some(storage_problem(e))),
        }),
        Err(e) => message.set(Some(Message::core(e.to_string()))),
    }
}

/// The tablet's own log of hand-in actions, newest first.
#[component]
fn HandInLog(entries: Vec<TabletLogEntryV1>) -> impl IntoView {
    let i18n = use_i18n();
    (!entries.is_empty()).then(|| {
        let rows = entries
            .into_iter()
            .rev()
            .map(|entry| {
                let what = match entry.event {
                    TabletEvent::Joined { host_fingerprint } => {
                        msg!(rater_app.log_joined, fingerprint = host_fingerprint)
                    }
                    TabletEvent::HandInOpened { held } => msg!(rater_app.log_opened, held = held),
                    TabletEvent::PinRefused => msg!(rater_app.log_pin_refused),
                    TabletEvent::BallotFileExported { ballots } => msg!(rater_app.log_exported, ballots = ballots),
                    TabletEvent::HandInConfirmed { count } => msg!(rater_app.log_confirmed, count = count),
                    TabletEvent::HandInRefused { host, tablet } => {
                        msg!(rater_app.log_refused, host = host, tablet = tablet)
                    }
                    TabletEvent::BatchSealed { number, ballots, .. } => {
                        msg!(rater_app.log_batch_sealed, number = number, ballots = ballots)
                    }
                    TabletEvent::BatchConfirmed { number } => msg!(rater_app.log_batch_confirmed, number = number),
                };
                let time = entry.time;
                view! {
                    <tr>
                        <td>{move || super::format_time(i18n.get_locale(), &time)}</td>
                        <td><Said text=what /></td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <section class="hand-in__log" aria-labelledby="hand-in-log-title" data-testid="hand-in-log">
                <h2 id="hand-in-log-title">{t!(i18n, rater_app.log_title)}</h2>
                <table class="table">
                    <thead><tr><th>{t!(i18n, rater_app.log_time)}</th><th>{t!(i18n, rater_app.log_event)}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </section>
        }
    })
}
