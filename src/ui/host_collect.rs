//! Collect: ballot files in (picked or dropped, several at once), paper ballots keyed in,
//! every arrival checked and listed, conflicts decided with a reason.

use leptos::prelude::*;

use crate::i18n::{t, td_string, use_i18n};
use crate::msg;

use super::host_app::{HostContext, host_context};
use super::{HostScanner, Message, RatingForm, Said};
use crate::browser::file::{files_of, read_file};
use crate::browser::platform;
use crate::domain::ballot::{BallotDraft, BallotFileV1, Credential};
use crate::domain::code::BallotCode;
use crate::domain::collect::{Arrival, Phase, RejectReason, Source, Status};
use crate::domain::kiosk::{Tap, apply_tap};
use crate::domain::signing::fingerprint;

/// Why a ballot was refused, in words.
pub(super) fn reason_message(reason: RejectReason) -> Message {
    Message::new(move |l| match reason {
        RejectReason::BadSignature => td_string!(l, reject.bad_signature).to_string(),
        RejectReason::WrongMeeting => td_string!(l, reject.wrong_meeting).to_string(),
        RejectReason::Malformed => td_string!(l, reject.malformed).to_string(),
        RejectReason::UnknownCode => td_string!(l, reject.unknown_code).to_string(),
        RejectReason::NotOpen => td_string!(l, reject.not_open).to_string(),
        RejectReason::ConflictSetAside => td_string!(l, reject.conflict_set_aside).to_string(),
    })
}

/// How a ballot arrived, in words.
fn source_message(source: Source) -> Message {
    match source {
        Source::Qr => msg!(host_collect.source_qr),
        Source::File => msg!(host_collect.file),
        Source::Paper => msg!(host_collect.paper),
    }
}

/// What happened to an arriving ballot, for the host's confirmation line.
pub(super) fn arrival_message(arrival: &Arrival) -> Message {
    match arrival {
        Arrival::Accepted { tracker, .. } => msg!(arrival.accepted, tracker = tracker.clone()),
        Arrival::Duplicate { tracker } => msg!(arrival.duplicate, tracker = tracker.clone()),
        Arrival::Conflict { tracker, .. } => msg!(arrival.conflict, tracker = tracker.clone()),
        Arrival::Rejected { tracker, reason, .. } => {
            msg!(
                arrival.rejected,
                tracker = tracker.clone(),
                reason = reason_message(*reason)
            )
        }
    }
}

/// Reads ballot files and takes in every ballot; one line per file for the host.
fn import_files(ctx: HostContext, files: Vec<web_sys::File>, report: RwSignal<Vec<Message>>) {
    leptos::task::spawn_local(async move {
        let mut lines = Vec::new();
        for file in files {
            let (name, text) = read_file(file).await;
            let parsed = text.map_err(Message::core).and_then(|t| {
                serde_json::from_str::<BallotFileV1>(&t)
                    .map_err(|e| msg!(host_collect.not_a_ballot_file, error = e))
            });
            let file = match parsed {
                Ok(f)
                    if f.format == crate::domain::ballot::BALLOT_FILE_FORMAT
                        && f.version == crate::domain::ballot::BALLOT_FILE_VERSION =>
                {
                    f
                }
                Ok(f) => {
                    lines.push(msg!(
                        host_collect.unsupported_format,
                        name = name.clone(),
                        format = f.format,
                        version = f.version
                    ));
                    continue;
                }
                Err(e) => {
                    lines.push(msg!(host_collect.file_problem, name = name.clone(), problem = e));
                    continue;
                }
            };
            let now = platform::now();
            match ctx.act(|h| h.receive_file(file, &now)) {
                Some(Ok(arrivals)) => {
                    let count = |f: fn(&Arrival) -> bool| arrivals.iter().filter(|a| f(a)).count();
                    lines.push(msg!(
                        host_collect.file_counts,
                        name = name.clone(),
                        a = count(|a| matches!(a, Arrival::Accepted { .. })),
                        d = count(|a| matches!(a, Arrival::Duplicate { .. })),
                        c = count(|a| matches!(a, Arrival::Conflict { .. })),
                        r = count(|a| matches!(a, Arrival::Rejected { .. })),
                    ));
                }
                Some(Err(e)) => lines.push(msg!(
                    host_collect.file_problem,
                    name = name.clone(),
                    problem = Message::core(e)
                )),
                None => {}
            }
        }
        let accepted = ctx.with_host(|h| h.accepted().len()).unwrap_or(0);
        ctx.say(msg!(host_collect.ballots_accepted, accepted = accepted));
        ctx.when_saved(move || report.set(lines));
    });
}

/// The collect step.
#[component]
pub fn HostCollect() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = host_context();
    let Some(phase) = ctx.with_host(|h| h.phase()) else {
        return view! { <p class="notice" data-state="waiting">{t!(i18n, host_collect.set_up_the_meeting_first)}</p> }.into_any();
    };
    if phase == Phase::Setup {
        return view! { <p class="notice" data-state="waiting">{t!(i18n, host_collect.open_voting_under_tablets_codes)}</p> }.into_any();
    }
    let report = RwSignal::new(Vec::<Message>::new());
    let ctx_pick = ctx.clone();
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let files = files_of(input.files());
        input.set_value("");
        import_files(ctx_pick.clone(), files, report);
    };
    let ctx_drop = ctx.clone();
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        let files = files_of(ev.data_transfer().and_then(|d| d.files()));
        import_files(ctx_drop.clone(), files, report);
    };
    let ctx_list = ctx.clone();
    let counts = move || {
        ctx_list.with_host(|h| {
            let per_group = h.accepted_per_group();
            h.meeting()
                .groups()
                .iter()
                .zip(per_group)
                .map(|(g, n)| view! { <li>{g.name.clone()} " " <strong>{n}</strong> " / " {g.expected}</li> })
                .collect_view()
        })
    };
    view! {
        <section class="screen host-collect" aria-labelledby="collect-title">
            <h1 id="collect-title" class="screen__title">{t!(i18n, host_collect.collect_ballots)}</h1>
            <ul class="group-counts" data-testid="group-counts">{counts}</ul>
            {(phase == Phase::Open).then(|| view! { <HostScanner /> })}
            {(phase == Phase::Open).then(|| view! {
                <div class="drop-zone" on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=on_drop>
                    <label class="file-pick">
                        {t!(i18n, host_collect.import_ballot_files_several_at)}
                        <input type="file" multiple accept=".json,application/json" name="ballot-files" on:change=on_pick />
                    </label>
                </div>
            })}
            <ul class="import-report" aria-live="polite" data-testid="import-report">
                {move || report.get().into_iter().map(|l| view! { <li><Said text=l /></li> }).collect_view()}
            </ul>
            <Conflicts />
            {(phase == Phase::Open).then(|| view! { <PaperBallot /> })}
            <Tablets />
            <ReceivedList />
        </section>
    }
    .into_any()
}

/// Ballots held back: the host keeps one (or none) and writes why.
#[component]
fn Conflicts() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = host_context();
    move || {
        let sets = ctx.with_host(|h| {
            h.conflicts()
                .into_iter()
                .map(|set| {
                    let options: Vec<(usize, String)> = set
                        .ballots
                        .iter()
                        .map(|&i| {
                            let r = &h.received()[i];
                            (
                                i,
                                format!(
                                    "{} · {} · {}",
                                    r.tracker,
                                    source_message(r.source).text(i18n.get_locale_untracked()),
                                    super::format_time(i18n.get_locale_untracked(), &r.time)
                                ),
                            )
                        })
                        .collect();
                    (set.key, options)
                })
                .collect::<Vec<_>>()
        });
        let sets = sets.unwrap_or_default();
        if sets.is_empty() {
            return None;
        }
        let ctx = ctx.clone();
        Some(view! {
            <section class="panel conflicts" aria-labelledby="conflicts-title">
                <h2 id="conflicts-title">{t!(i18n, host_collect.conflicting_ballots_waiting_for_a)}</h2>
                {sets.into_iter().map(|(key, options)| {
                    let keep = RwSignal::new(String::from("none"));
                    let reason = RwSignal::new(String::new());
                    let message = RwSignal::new(None::<Message>);
                    let ctx = ctx.clone();
                    let key_for_submit = key.clone();
                    let decide = move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        let kept = keep.get().parse::<usize>().ok();
                        let now = platform::now();
                        if let Some(Err(e)) = ctx.act(|h| h.resolve_conflict(&key_for_submit, kept, &reason.get(), &now)) {
                            message.set(Some(Message::core(e)));
                        }
                    };
                    let radios = options.into_iter().map(|(i, label)| view! {
                        <label class="choice"><input type="radio" name=format!("keep-{key}") value=i.to_string()
                            on:change=move |_| keep.set(i.to_string()) /> {label}</label>
                    }).collect_view();
                    view! {
                        <form class="form conflict" on:submit=decide>
                            <fieldset>
                                <legend>{key.clone()}</legend>
                                {radios}
                                <label class="choice"><input type="radio" name=format!("keep-{key}") value="none" checked
                                    on:change=move |_| keep.set("none".to_owned()) /> {t!(i18n, host_collect.keep_none)}</label>
                            </fieldset>
                            <label class="field"><span>{t!(i18n, host_collect.reason_goes_into_the_audit)}</span>
                                <input name="reason" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) /></label>
                            {move || message.get().map(|m| view! { <p class="banner" data-state="error" role="alert"><Said text=m /></p> })}
                            <button type="submit" class="button" data-variant="primary">{t!(i18n, host_collect.decide)}</button>
                        </form>
                    }
                }).collect_view()}
            </section>
        })
    }
}

/// A paper ballot keyed in by the host when a tablet fails: same grid, signed by the laptop,
/// marked as paper.
#[component]
fn PaperBallot() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = host_context();
    let Some(meeting) = ctx.with_host(|h| h.meeting().clone()) else {
        return ().into_any();
    };
    let open = RwSignal::new(false);
    let draft = RwSignal::new(None::<BallotDraft>);
    let code = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Message>);
    let uses_codes = ctx.with_host(|h| h.uses_codes()).unwrap_or(true);
    let groups: Vec<String> = meeting.groups().iter().map(|g| g.name.clone()).collect();
    let meeting_start = meeting.clone();
    let start = move |credential: Result<Credential, String>| match credential
        .and_then(|c| c.check(&meeting_start).map_err(|e| e.to_string()))
    {
        Ok(c) => {
            draft.set(Some(BallotDraft::new(&meeting_start, c)));
            message.set(None);
        }
        Err(e) => message.set(Some(Message::core(e))),
    };
    let start_code = start.clone();
    let on_tap = Callback::new(move |tap: Tap| {
        draft.update(|d| {
            if let Some(d) = d.as_mut() {
                apply_tap(d, tap);
            }
        });
    });
    let ctx_save = ctx.clone();
    let save = move |_| {
        let Some(ballot) = draft.with(|d| d.as_ref().map(BallotDraft::finish)) else {
            return;
        };
        let ballot = match ballot {
            Ok(b) => b,
            Err(e) => return message.set(Some(Message::core(e))),
        };
        let Some(key) = ctx_save.host_key() else { return };
        let now = platform::now();
        match ctx_save.act(|h| h.key_in_paper(&ballot, key, &now)) {
            // "Accepted" and a cleared form only once the record is on disk; if the write
            // fails the ballot stays keyed in, to save again.
            Some(Ok(arrival)) => {
                message.set(Some(msg!(host_app.saving)));
                ctx_save.when_saved(move || {
                    message.set(Some(msg!(
                        host_collect.paper_ballot,
                        arrival = arrival_message(&arrival)
                    )));
                    draft.set(None);
                    code.set(String::new());
                });
            }
            Some(Err(e)) => message.set(Some(Message::core(e))),
            None => {}
        }
    };
    let form = move || {
        if draft.with(Option::is_some) {
            view! {
                <RatingForm meeting=meeting.clone() draft=Signal::from(draft) on_tap=on_tap prefix="paper" />
                <div class="actions">
                    <button class="button" data-variant="primary" on:click=save.clone()>{t!(i18n, host_collect.save_the_paper_ballot)}</button>
                    <button class="button" on:click=move |_| draft.set(None)>{t!(i18n, host_collect.cancel)}</button>
                </div>
            }
            .into_any()
        } else if uses_codes {
            let start_code = start_code.clone();
            view! {
                <form class="form form__row" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    start_code(BallotCode::parse(&code.get()).map(Credential::Code).map_err(|e| e.to_string()));
                }>
                    <label class="field"><span>{t!(i18n, host_collect.code_on_the_paper_ballot)}</span>
                        <input name="paper-code" autocomplete="off" prop:value=code on:input=move |ev| code.set(event_target_value(&ev)) /></label>
                    <button type="submit" class="button">{t!(i18n, host_collect.start_keying_in)}</button>
                </form>
            }
            .into_any()
        } else {
            let start = start.clone();
            groups
                .iter()
                .enumerate()
                .map(|(g, name)| {
                    let start = start.clone();
                    view! { <button class="button" on:click=move |_| start(Ok(Credential::Group(g)))>{name.clone()}</button> }
                })
                .collect_view()
                .into_any()
        }
    };
    view! {
        <section class="panel paper" aria-labelledby="paper-title">
            <h2 id="paper-title">
                <button class="button" data-variant="quiet" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                    {t!(i18n, host_collect.key_in_a_paper_ballot)}
                </button>
            </h2>
            <div hidden=move || !open.get()>{form}</div>
            {move || message.get().map(|m| view! { <p class="notice" role="status"><Said text=m /></p> })}
        </section>
    }
    .into_any()
}

/// Per tablet: how many ballots arrived and the last tracker, to compare with the tablet's
/// hand-in screen.
#[component]
fn Tablets() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = host_context();
    move || {
        ctx.with_host(|h| {
            let mut devices: Vec<String> = h.received().iter().map(|r| r.ballot.device.clone()).collect();
            devices.sort();
            devices.dedup();
            let rows = devices
                .into_iter()
                .map(|d| {
                    let (count, head) = h.tablet_summary(&d);
                    view! {
                        <tr><td class="fingerprint">{fingerprint(&d).unwrap_or_default()}</td><td data-testid="tablet-count">{count}</td><td class="tracker">{head.unwrap_or_default()}</td></tr>
                    }
                })
                .collect_view();
            let problems = h
                .chain_problems()
                .into_iter()
                .map(|p| view! { <li><Said text=Message::core(p) /></li> })
                .collect_view();
            view! {
                <section class="panel" aria-labelledby="tablets-sum-title">
                    <h2 id="tablets-sum-title">{t!(i18n, host_collect.per_tablet_check_for_hand)}</h2>
                    <table class="table">
                        <thead><tr><th>{t!(i18n, host_collect.tablet)}</th><th>{t!(i18n, host_collect.received)}</th><th>{t!(i18n, host_collect.last_tracker)}</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    <ul class="chain-problems">{problems}</ul>
                </section>
            }
        })
    }
}

/// Every received ballot with its tracker, source and status.
#[component]
fn ReceivedList() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = host_context();
    move || {
        ctx.with_host(|h| {
            let rows = h
                .received()
                .iter()
                .enumerate()
                .rev()
                .map(|(i, r)| {
                    let (state, words) = match r.status {
                        Status::Accepted => ("pass", msg!(host_collect.accepted)),
                        Status::Conflict => ("waiting", msg!(host_collect.conflict)),
                        Status::Rejected(reason) => ("fail", msg!(host_collect.rejected, reason = reason_message(reason))),
                    };
                    let source = source_message(r.source);
                    view! {
                        <tr data-state=state>
                            <td>{i + 1}</td>
                            <td class="tracker">{r.tracker.clone()}</td>
                            <td><Said text=source /></td>
                            <td><Said text=words /> " " {r.detail.clone()}</td>
                        </tr>
                    }
                })
                .collect_view();
            // Rejected arrivals beyond the kept sample: counted by reason, not listed.
            let counted: u32 = h.rejected_counted().values().sum();
            let counted_line = (counted > 0).then(|| {
                let reasons = h
                    .rejected_counted()
                    .iter()
                    .map(|(id, n)| format!("{id} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                view! {
                    <p class="notice" data-state="waiting" data-testid="rejected-counted">
                        <Said text=msg!(host_collect.rejected_counted, count = counted, reasons = reasons, kept = crate::domain::collect::REJECTED_KEPT) />
                    </p>
                }
            });
            view! {
                <section class="panel" aria-labelledby="received-title">
                    <h2 id="received-title">{t!(i18n, host_collect.received_ballots)} " (" {h.received().len()} ")"</h2>
                    {counted_line}
                    <table class="table received" data-testid="received">
                        <thead><tr><th>"#"</th><th>{t!(i18n, host_collect.tracker)}</th><th>{t!(i18n, host_collect.source)}</th><th>{t!(i18n, host_collect.status)}</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </section>
            }
        })
    }
}
