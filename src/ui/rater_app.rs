//! The tablet: join the host's meeting, then one rater after another — code, rate, review,
//! submit, clear — and hand the ballots in behind the staff PIN.

use leptos::prelude::*;

use super::rating_form::{jump_to, summary_line};
use super::{Bilingual, ConfirmAction, ConfirmTexts, QrImage, RatingForm, Said};
use crate::browser::device_key::load_or_create_device_key;
use crate::browser::file::with_chosen_file;
use crate::browser::platform;
use crate::browser::storage::{self, TABLET_DRAFT_KEY, TABLET_STATE_KEY};
use crate::domain::ballot::BallotDraft;
use crate::domain::kiosk::{JoinError, JoinV1, Kiosk, TabletStateV1, Tap, decode_join};
use crate::domain::meeting::{CredentialMode, Meeting};
use crate::domain::signing::{DeviceKey, fingerprint};

/// What the tablet shows besides the rating form itself.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// Rating (or waiting for the next rater's code when no ballot is open).
    Kiosk,
    Review,
    /// Just submitted: the tracker, shown once, then the next rater.
    Submitted(String),
    /// Staff only, after the PIN.
    HandIn,
}

fn storage_problem(e: storage::StorageFailure) -> String {
    super::join(
        &e.to_string(),
        "：本机未能保存，请勿刷新，并尽快由工作人员交票 — : not saved on this tablet; do not reload, and have staff hand in now",
    )
}

/// Stores the tablet state (on join, submit and hand-in).
fn save_state(kiosk: &Kiosk) -> Option<String> {
    storage::save(TABLET_STATE_KEY, kiosk.state())
        .err()
        .map(storage_problem)
}

/// Stores the open ballot, or removes it once submitted or discarded (after every tap).
fn save_draft(kiosk: &Kiosk) -> Option<String> {
    match kiosk.stored_draft() {
        Some(draft) => storage::save(TABLET_DRAFT_KEY, &draft).err().map(storage_problem),
        None => {
            storage::remove(TABLET_DRAFT_KEY);
            None
        }
    }
}

/// Stores both, state first: a submitted ballot is kept before its draft is cleared.
fn save(kiosk: &Kiosk) -> Option<String> {
    save_state(kiosk).or_else(|| save_draft(kiosk))
}

/// The tablet's whole app.
#[component]
pub fn RaterApp(
    /// Called when staff want to give the device another role.
    on_change_role: Callback<()>,
) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let key: std::sync::Arc<Option<DeviceKey>> = std::sync::Arc::new(match load_or_create_device_key() {
        Ok(key) => Some(key),
        Err(e) => {
            problem.set(Some(e.to_string()));
            None
        }
    });
    let stored = match storage::load::<TabletStateV1>(TABLET_STATE_KEY) {
        Ok(Some(state)) => match Kiosk::from_stored(state, storage::load(TABLET_DRAFT_KEY).ok().flatten()) {
            Ok(kiosk) => Some(kiosk),
            Err(e) => {
                problem.set(Some(super::join(
                    &e.to_string(),
                    "（已保存的数据保留未动） — (the saved data is left untouched)",
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
    let kiosk = RwSignal::new(stored);
    let fragment = platform::fragment();
    let pending = RwSignal::new(
        fragment
            .strip_prefix("join=")
            .map(|payload| decode_join(payload).map_err(|e| e.to_string())),
    );
    let step = RwSignal::new(Step::Kiosk);
    let device_fp = key
        .as_ref()
        .as_ref()
        .and_then(|k| fingerprint(&k.public_key()))
        .unwrap_or_default();

    let update = move |f: &dyn Fn(&mut Kiosk)| {
        let mut saved = None;
        kiosk.update(|k| {
            if let Some(k) = k.as_mut() {
                f(k);
                saved = save_draft(k);
            }
        });
        problem.set(saved);
    };

    // The screen changes only when these change, never on a tap: the form updates in place.
    let has_kiosk = Memo::new(move |_| kiosk.with(|k| k.as_ref().map(|k| k.meeting().id().to_owned())));
    let host_fp = Memo::new(move |_| kiosk.with(|k| k.as_ref().map(Kiosk::host_fingerprint)));
    let has_draft = Memo::new(move |_| kiosk.with(|k| k.as_ref().is_some_and(|k| k.draft().is_some())));
    let body = move || {
        if let Some(join) = pending.get() {
            return untrack(|| {
                view! { <JoinScreen join=join kiosk=kiosk pending=pending problem=problem /> }.into_any()
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
            Step::Submitted(tracker) => view! {
                <section class="screen kiosk-done" aria-labelledby="done-title">
                    <h1 id="done-title" class="screen__title" tabindex="-1">
                        <Bilingual zh="选票已提交" en="Ballot submitted" />
                    </h1>
                    <p class="notice" data-state="pass">
                        <Bilingual zh="您的选票已签名并保存在本平板上，表格已清空。" en="Your ballot is signed and stored on this tablet; the form is cleared." />
                    </p>
                    <p class="kiosk-done__tracker">
                        <Bilingual zh="回执码（可记下，用于事后核对）" en="Ballot tracker (note it to check later)" />
                        <strong class="tracker" data-testid="tracker">{tracker}</strong>
                    </p>
                    <button class="button" data-variant="primary" on:click=move |_| step.set(Step::Kiosk)>
                        <Bilingual zh="交给下一位评议人" en="Pass to the next rater" />
                    </button>
                </section>
            }
            .into_any(),
            Step::HandIn => view! { <HandInScreen kiosk=kiosk problem=problem on_done=Callback::new(move |()| step.set(Step::Kiosk)) on_change_role=on_change_role /> }.into_any(),
            Step::Review if drafting => {
                let key = std::sync::Arc::clone(&key);
                let submit = move |_| {
                    let Some(key) = key.as_ref().as_ref() else { return };
                    let time = platform::now();
                    let mut outcome = None;
                    kiosk.update(|k| {
                        if let Some(k) = k.as_mut() {
                            outcome = Some(k.submit(key, &time).map(|s| (s.tracker(), save(k))));
                        }
                    });
                    match outcome {
                        Some(Ok((tracker, saved))) => {
                            problem.set(saved);
                            step.set(Step::Submitted(tracker));
                        }
                        Some(Err(e)) => problem.set(Some(e.to_string())),
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
                let blank = kiosk.with(|k| k.as_ref().and_then(|k| k.draft()).is_some_and(BallotDraft::is_untouched));
                // An untouched ballot is complete as a blank one; any other needs every gap filled.
                let gap = if blank {
                    None
                } else {
                    kiosk.with(|k| k.as_ref().and_then(|k| k.draft()).and_then(BallotDraft::first_gap))
                };
                let incomplete = gap.is_some();
                let back_gap = gap.clone();
                view! {
                    <section class="screen kiosk-review" aria-labelledby="review-title">
                        <h1 id="review-title" class="screen__title"><Bilingual zh="检查并提交" en="Review and submit" /></h1>
                        {gap.clone().map(|g| view! { <p class="banner" data-state="error" role="alert">{g.to_string()}</p> })}
                        {blank.then(|| view! { <p class="notice" data-state="waiting"><Bilingual zh="您没有评任何人：提交后这是一张弃权票。" en="You rated nobody: submitted, this is a blank (abstaining) ballot." /></p> })}
                        <table class="table review-table">
                            <thead><tr><th>"#"</th><th><Bilingual zh="述职人" en="Presenter" /></th><th><Bilingual zh="评价" en="Marks" /></th></tr></thead>
                            <tbody>{lines}</tbody>
                        </table>
                        <div class="actions">
                            <button class="button" on:click=move |_| {
                                step.set(Step::Kiosk);
                                if let Some(g) = back_gap.clone() {
                                    set_timeout(move || jump_to("k", g.presenter_number - 1, g.first_aspect), std::time::Duration::from_millis(30));
                                }
                            }>
                                <Bilingual zh="返回修改" en="Back to the form" />
                            </button>
                            <button class="button" data-variant="primary" disabled=incomplete on:click=submit>
                                <Bilingual zh="提交选票" en="Submit ballot" />
                            </button>
                        </div>
                    </section>
                }
                .into_any()
            }
            _ => {
                if drafting {
                    rating_screen(meeting, kiosk, step, update).into_any()
                } else {
                    view! { <StartScreen kiosk=kiosk problem=problem on_hand_in=Callback::new(move |()| step.set(Step::HandIn)) /> }.into_any()
                }
            }
        }
        })
    };

    view! {
        <section class="rater-app" aria-label=super::tr("评议平板", "Rater tablet")>
            {move || problem.get().map(|p| view! { <p class="banner" data-state="error" role="alert"><Said text=p /></p> })}
            {body}
            <footer class="rater-app__footer">
                <span><Bilingual zh="本机指纹" en="This tablet" /> " " <span class="fingerprint">{device_fp}</span></span>
                {move || host_fp.get().map(|fp| view! {
                    <span><Bilingual zh="主持人指纹" en="Host" /> " " <span class="fingerprint">{fp}</span></span>
                })}
                // Once the tablet has joined, only staff (behind the PIN, on the hand-in screen)
                // may give it another role.
                <button class="button" data-variant="quiet"
                    hidden=move || has_kiosk.get().is_some()
                    on:click=move |_| on_change_role.run(())>
                    <Bilingual zh="更改设备用途" en="Change this device's role" />
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
) -> impl IntoView {
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
    let credential = kiosk.with(|k| {
        let k = k.as_ref()?;
        k.draft().map(|d| match d.credential() {
            crate::domain::ballot::Credential::Code(c) => c.to_string(),
            crate::domain::ballot::Credential::Group(g) => k.meeting().groups()[g].name.clone(),
        })
    });
    view! {
        <section class="screen kiosk-rate" aria-labelledby="rate-title">
            <h1 id="rate-title" class="screen__title">{title}</h1>
            <div class="kiosk-rate__bar" role="status">
                <span class="kiosk-rate__progress" data-testid="progress">
                    {move || { let (d, t) = progress.get(); view! { <Said text=format!("已完成 {d} / {t} — {d} / {t} done") /> } }}
                </span>
                <span class="kiosk-rate__credential">{credential}</span>
                <button class="button" on:click=move |_| {
                    if let Some(g) = kiosk.with(|k| k.as_ref().and_then(|k| k.draft()).and_then(BallotDraft::first_gap)) {
                        jump_to("k", g.presenter_number - 1, g.first_aspect);
                    }
                }>
                    <Bilingual zh="跳到未填项" en="Jump to what is empty" />
                </button>
                <button class="button" data-variant="primary" on:click=move |_| step.set(Step::Review)>
                    <Bilingual zh="检查并提交" en="Review and submit" />
                </button>
            </div>
            <RatingForm meeting=meeting draft=draft on_tap=on_tap prefix="k" />
            <div class="actions">
                <button class="button" data-variant="primary" on:click=move |_| step.set(Step::Review)>
                    <Bilingual zh="检查并提交" en="Review and submit" />
                </button>
                <ConfirmAction variant="quiet" on_confirm=Callback::new(move |()| update(&|k| k.discard_draft())) texts=ConfirmTexts {
                    action: ("放弃本张选票", "Discard this ballot"),
                    question: ("确定放弃这张选票？", "Discard this ballot?"),
                    confirm: ("放弃", "Discard"),
                    cancel: ("继续填写", "Keep rating"),
                } />
            </div>
        </section>
    }
}

/// A tablet with no meeting yet: join by the host's link, or open a meeting file.
#[component]
fn WaitingScreen(pending: RwSignal<Option<Result<(JoinV1, Meeting), String>>>) -> impl IntoView {
    let on_file = move |ev: leptos::ev::Event| {
        with_chosen_file(&ev, move |result| {
            pending.set(Some(result.and_then(|(_, text)| {
                decode_join(&text).map_err(|e: JoinError| e.to_string())
            })));
        });
    };
    view! {
        <section class="screen" aria-labelledby="wait-title">
            <h1 id="wait-title" class="screen__title"><Bilingual zh="评议人 · 平板" en="Rater · tablet" /></h1>
            <p class="notice" data-state="waiting">
                <Bilingual
                    zh="这台平板还没有加入会议。请扫描主持人屏幕上的二维码，或打开主持人发来的链接或会议文件。"
                    en="This tablet has not joined a meeting yet. Scan the QR code on the host's screen, or open the link or meeting file from the host."
                />
            </p>
            <label class="file-pick">
                <Bilingual zh="打开会议文件" en="Open a meeting file" />
                <input type="file" accept=".json,application/json" on:change=on_file />
            </label>
        </section>
    }
}

/// The staff member checks the meeting and the host fingerprint, then sets the hand-in PIN.
#[component]
fn JoinScreen(
    join: Result<(JoinV1, Meeting), String>,
    kiosk: RwSignal<Option<Kiosk>>,
    pending: RwSignal<Option<Result<(JoinV1, Meeting), String>>>,
    problem: RwSignal<Option<String>>,
) -> impl IntoView {
    let cancel = move |_| {
        pending.set(None);
        platform::clear_fragment();
    };
    let (join, meeting) = match join {
        Err(message) => {
            return view! {
                <section class="screen" aria-labelledby="join-title">
                    <h1 id="join-title" class="screen__title"><Bilingual zh="无法加入会议" en="Cannot join the meeting" /></h1>
                    <p class="banner" data-state="error" role="alert"><Said text=message /></p>
                    <button class="button" on:click=cancel><Bilingual zh="返回" en="Back" /></button>
                </section>
            }
            .into_any();
        }
        Ok(pair) => pair,
    };
    // A tablet that holds ballots of another meeting keeps them until they are handed in.
    let blocked = kiosk.with(|k| {
        k.as_ref()
            .filter(|k| k.meeting().id() != meeting.id() && (k.unconfirmed() > 0 || k.draft().is_some()))
            .map(|k| (k.meeting().title().to_owned(), k.unconfirmed()))
    });
    let same = kiosk.with(|k| k.as_ref().is_some_and(|k| k.meeting().id() == meeting.id()));
    let pin = RwSignal::new(String::new());
    let pin_again = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let host_fp = fingerprint(&join.host).unwrap_or_default();
    let (credential_zh, credential_en) = if meeting.credential() == CredentialMode::Code {
        ("凭选票码", "with ballot codes")
    } else {
        ("不用选票码", "open, no codes")
    };
    let summary = format!(
        "{date} · {place} · {credential_zh} · {n} 位述职人员 — {date} · {place} · {credential_en} · {n} presenters",
        date = meeting.date(),
        place = meeting.place(),
        n = meeting.presenters().len()
    );
    let title = meeting.title().to_owned();
    let pair = StoredValue::new((join, meeting));
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pin.get() != pin_again.get() {
            message.set(Some("两次输入的 PIN 不一致 — the two PINs differ".to_owned()));
            return;
        }
        let salt = match platform::random_hex::<16>() {
            Ok(salt) => salt,
            Err(e) => return message.set(Some(e)),
        };
        match Kiosk::join(pair.get_value(), &pin.get(), &salt) {
            Err(e) => message.set(Some(e.to_string())),
            Ok(new) => {
                problem.set(save(&new));
                kiosk.set(Some(new));
                pending.set(None);
                platform::clear_fragment();
            }
        }
    };
    let body = if let Some((other, held)) = blocked {
        view! {
            <p class="banner" data-state="error" role="alert">
                <Said text=format!("本平板还保存着会议“{other}”的 {held} 张未交选票。请先交票，再加入新会议。 — This tablet still holds {held} ballot(s) of “{other}” not handed in; hand them in before joining another meeting.") />
            </p>
            <button class="button" on:click=cancel><Bilingual zh="返回" en="Back" /></button>
        }
        .into_any()
    } else if same {
        view! {
            <p class="notice" data-state="pass"><Bilingual zh="本平板已加入这场会议。" en="This tablet has already joined this meeting." /></p>
            <button class="button" data-variant="primary" on:click=cancel><Bilingual zh="继续" en="Continue" /></button>
        }
        .into_any()
    } else {
        view! {
            <form class="form" on:submit=confirm>
                <p><Bilingual zh="请工作人员设置交票 PIN（4–8 位数字），交票时需要输入。" en="Staff: set the hand-in PIN (4–8 digits); it is needed to hand ballots in." /></p>
                <label class="field">
                    <span><Bilingual zh="交票 PIN" en="Hand-in PIN" /></span>
                    <input type="password" inputmode="numeric" autocomplete="off" name="pin" required
                        prop:value=pin on:input=move |ev| pin.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span><Bilingual zh="再输入一次" en="PIN again" /></span>
                    <input type="password" inputmode="numeric" autocomplete="off" name="pin-again" required
                        prop:value=pin_again on:input=move |ev| pin_again.set(event_target_value(&ev)) />
                </label>
                {move || message.get().map(|m| view! { <p class="banner" data-state="error" role="alert"><Said text=m /></p> })}
                <div class="actions">
                    <button type="button" class="button" on:click=cancel><Bilingual zh="取消" en="Cancel" /></button>
                    <button type="submit" class="button" data-variant="primary"><Bilingual zh="加入会议" en="Join the meeting" /></button>
                </div>
            </form>
        }
        .into_any()
    };
    view! {
        <section class="screen join-screen" aria-labelledby="join-title">
            <h1 id="join-title" class="screen__title"><Bilingual zh="加入会议" en="Join the meeting" /></h1>
            <p class="join-screen__meeting"><strong>{title}</strong></p>
            <p><Said text=summary /></p>
            <p>
                <Bilingual zh="主持人电脑公钥指纹（请与投影屏幕核对）" en="Host key fingerprint (compare with the projector)" /> " "
                <strong class="fingerprint" data-testid="host-fingerprint">{host_fp}</strong>
            </p>
            {body}
        </section>
    }
    .into_any()
}

/// Between raters: the next rater enters the code from the slip (or picks the group).
#[component]
fn StartScreen(
    kiosk: RwSignal<Option<Kiosk>>,
    problem: RwSignal<Option<String>>,
    on_hand_in: Callback<()>,
) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let begin = move |start: &dyn Fn(&mut Kiosk) -> Result<(), crate::domain::kiosk::StartError>| {
        // Tried on a copy: a refused code leaves the stored state (and this screen) untouched.
        let Some(mut next) = kiosk.get_untracked() else {
            return;
        };
        match start(&mut next) {
            Ok(()) => {
                problem.set(save_draft(&next));
                kiosk.set(Some(next));
                if let Some(w) = web_sys::window() {
                    w.scroll_to_with_x_and_y(0.0, 0.0);
                }
            }
            Err(e) => message.set(Some(e.to_string())),
        }
    };
    let (title, uses_codes, groups, held) = kiosk.with(|k| {
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
            k.map_or(0, |k| k.held().len()),
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
                    <span><Bilingual zh="请输入选票条上的选票码" en="Enter the code on your ballot slip" /></span>
                    <input class="code-input" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false"
                        placeholder="XXX-XXX-XXX" maxlength="20"
                        prop:value=code on:input=move |ev| { message.set(None); code.set(event_target_value(&ev)); } />
                </label>
                <button type="submit" class="button" data-variant="primary"><Bilingual zh="开始评议" en="Start rating" /></button>
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
                <legend><Bilingual zh="请选择您的评议人员类别" en="Choose your rater group" /></legend>
                {buttons}
            </fieldset>
        }
        .into_any()
    };
    view! {
        <section class="screen kiosk-start" aria-labelledby="start-title">
            <h1 id="start-title" class="screen__title">{title}</h1>
            <p class="notice" data-state="waiting">
                <Bilingual zh="每位评议人填写一张选票，对全体述职人员逐项评价。提交后表格清空，交给下一位。" en="Each rater fills one ballot rating every presenter on every aspect. After submitting, the form clears for the next rater." />
            </p>
            {entry}
            {move || message.get().map(|m| view! { <p class="banner" data-state="error" role="alert"><Said text=m /></p> })}
            <p class="kiosk-start__held"><Said text=format!("本平板已收选票 {held} 张 — ballots on this tablet: {held}") /></p>
            <button class="button" data-variant="quiet" on:click=move |_| on_hand_in.run(())>
                <Bilingual zh="交票（工作人员）" en="Hand in (staff)" />
            </button>
        </section>
    }
}

/// Staff only: after the PIN, the ballots held, the chain head, the ballot file, and the
/// confirmation that the host has them all.
#[component]
fn HandInScreen(
    kiosk: RwSignal<Option<Kiosk>>,
    problem: RwSignal<Option<String>>,
    on_done: Callback<()>,
    on_change_role: Callback<()>,
) -> impl IntoView {
    let pin = RwSignal::new(String::new());
    let unlocked = RwSignal::new(false);
    let host_count = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    // Three wrong PINs in a row lock the form for a minute, so a curious rater cannot try
    // PINs to reach the ballots' QR codes.
    let failures = RwSignal::new(0u32);
    let locked = RwSignal::new(false);
    let unlock = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if locked.get_untracked() {
            return;
        }
        match kiosk.with(|k| k.as_ref().map(|k| k.check_pin(&pin.get()))) {
            Some(Ok(())) => {
                failures.set(0);
                message.set(None);
                unlocked.set(true);
            }
            Some(Err(e)) => {
                failures.update(|f| *f += 1);
                if failures.get_untracked() >= 3 {
                    locked.set(true);
                    failures.set(0);
                    set_timeout(move || locked.set(false), std::time::Duration::from_secs(60));
                    message.set(Some(super::join(
                        &e.to_string(),
                        "请一分钟后再试。 — Try again in one minute.",
                    )));
                } else {
                    message.set(Some(e.to_string()));
                }
                pin.set(String::new());
            }
            None => {}
        }
    };
    let export = move |_| {
        let text = kiosk.with(|k| {
            k.as_ref().map(|k| {
                (
                    serde_json::to_string_pretty(&k.ballot_file()).unwrap_or_default(),
                    k.meeting().id().to_owned(),
                )
            })
        });
        if let Some((text, id)) = text {
            let device = kiosk
                .with(|k| {
                    k.as_ref().and_then(|k| {
                        k.held()
                            .first()
                            .map(|b| fingerprint(&b.device).unwrap_or_default().replace(' ', ""))
                    })
                })
                .unwrap_or_default();
            if let Err(e) =
                platform::download(&format!("ballots-{id}-{device}.json"), "application/json", &text)
            {
                message.set(Some(e));
            }
        }
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(count) = host_count.get().trim().parse::<usize>() else {
            message.set(Some(
                "请输入主持人屏幕上显示的本平板选票数 — enter the count the host shows for this tablet"
                    .to_owned(),
            ));
            return;
        };
        let mut outcome = Ok(());
        let mut saved = None;
        kiosk.update(|k| {
            if let Some(k) = k.as_mut() {
                outcome = k.confirm_handed_in(&pin.get(), count);
                saved = save(k);
            }
        });
        problem.set(saved);
        message.set(Some(match outcome {
            Ok(()) => "已确认：主持人已收到本平板全部选票（选票仍保存在本机） — confirmed: the host has all of this tablet's ballots (they stay stored here)".to_owned(),
            Err(e) => e.to_string(),
        }));
    };
    let details = move || {
        kiosk.with(|k| {
            k.as_ref().map(|k| {
                let held = k.held().len();
                let unconfirmed = k.unconfirmed();
                let head = k.chain_head().unwrap_or_else(|| "—".to_owned());
                view! {
                    <dl class="facts">
                        <dt><Bilingual zh="本平板选票" en="Ballots on this tablet" /></dt><dd data-testid="held">{held}</dd>
                        <dt><Bilingual zh="未确认交票" en="Not yet confirmed" /></dt><dd>{unconfirmed}</dd>
                        <dt><Bilingual zh="最后一张回执码（链头）" en="Last ballot tracker (chain head)" /></dt><dd class="tracker">{head}</dd>
                    </dl>
                }
            })
        })
    };
    // One QR code per ballot, cycled for the host's webcam.
    let shown = RwSignal::new(0usize);
    if let Ok(timer) = set_interval_with_handle(
        move || shown.update(|i| *i += 1),
        std::time::Duration::from_millis(1500),
    ) {
        on_cleanup(move || timer.clear());
    }
    let qr_text = Signal::derive(move || {
        kiosk.with(|k| {
            k.as_ref()
                .and_then(|k| {
                    let held = k.held();
                    (!held.is_empty()).then(|| held[shown.get() % held.len()].clone())
                })
                .and_then(|b| crate::domain::qr_ballot::encode_qr_ballot(&b).ok())
                .unwrap_or_default()
        })
    });
    let qr_caption = move || {
        let n = kiosk.with(|k| k.as_ref().map_or(0, |k| k.held().len()));
        (n > 0).then(|| {
            format!(
                "第 {} / {n} 张 — ballot {} of {n}",
                shown.get() % n + 1,
                shown.get() % n + 1
            )
        })
    };
    view! {
        <section class="screen hand-in" aria-labelledby="hand-in-title">
            <h1 id="hand-in-title" class="screen__title"><Bilingual zh="交票（工作人员）" en="Hand in (staff)" /></h1>
            {move || if unlocked.get() {
                view! {
                    {details}
                    <figure class="hand-in__qr" data-testid="hand-in-qr">
                        <QrImage text=qr_text label="选票二维码 — ballot QR code" level=qrcode::EcLevel::M
                            too_long="这张选票无法放进二维码，请导出选票文件。 — This ballot does not fit a QR code; export the ballot file." />
                        <figcaption>{qr_caption}</figcaption>
                    </figure>
                    <button class="button" data-variant="primary" on:click=export>
                        <Bilingual zh="导出选票文件" en="Export the ballot file" />
                    </button>
                    <form class="form" on:submit=confirm>
                        <label class="field">
                            <span><Bilingual zh="主持人屏幕显示的本平板选票数" en="Count the host shows for this tablet" /></span>
                            <input inputmode="numeric" name="host-count" autocomplete="off"
                                prop:value=host_count on:input=move |ev| host_count.set(event_target_value(&ev)) />
                        </label>
                        <button type="submit" class="button"><Bilingual zh="确认主持人已收到" en="Confirm the host has them" /></button>
                    </form>
                    <button class="button" data-variant="quiet" on:click=move |_| on_change_role.run(())>
                        <Bilingual zh="更改设备用途（选票仍保存在本机）" en="Change this device's role (ballots stay stored)" />
                    </button>
                }.into_any()
            } else {
                view! {
                    <form class="form" on:submit=unlock>
                        <label class="field">
                            <span><Bilingual zh="交票 PIN" en="Hand-in PIN" /></span>
                            <input type="password" inputmode="numeric" autocomplete="off" name="unlock-pin"
                                prop:value=pin on:input=move |ev| pin.set(event_target_value(&ev)) />
                        </label>
                        <button type="submit" class="button" data-variant="primary" disabled=move || locked.get()><Bilingual zh="解锁" en="Unlock" /></button>
                    </form>
                }.into_any()
            }}
            {move || message.get().map(|m| view! { <p class="notice" role="status"><Said text=m /></p> })}
            <button class="button" data-variant="quiet" on:click=move |_| on_done.run(())>
                <Bilingual zh="返回评议" en="Back to rating" />
            </button>
        </section>
    }
}
