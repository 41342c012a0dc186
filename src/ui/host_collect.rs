//! Collect: sealed hand-ins in (scanned, or files picked or dropped, several at once), paper
//! ballots keyed in, every batch listed with the code staff confirm it by on the tablet.

use leptos::prelude::*;

use crate::i18n::{t, use_i18n};
use crate::msg;

use super::host_app::{HostContext, host_context};
use super::{HostScanner, Message, RatingForm, Said};
use crate::browser::file::{files_of, read_file};
use crate::browser::platform;
use crate::domain::ballot::{BallotDraft, Credential};
use crate::domain::code::BallotCode;
use crate::domain::collect::{Phase, Source};
use crate::domain::kiosk::{Tap, apply_tap};
use crate::domain::record::host::BatchArrival;
use crate::domain::record::transport::read_hand_in_file;

/// What happened to an arriving hand-in, for the host's confirmation line: staff type the
/// batch code it shows on the tablet to confirm the batch arrived.
pub(super) fn arrival_message(arrival: &BatchArrival) -> Message {
    match arrival {
        BatchArrival::Taken {
            tablet,
            number,
            ballots,
            digest,
        } => msg!(
            arrival.batch_taken,
            tablet = tablet.clone(),
            number = *number,
            ballots = *ballots,
            digest = digest.clone()
        ),
        BatchArrival::Duplicate {
            tablet,
            number,
            digest,
        } => msg!(
            arrival.batch_again,
            tablet = tablet.clone(),
            number = *number,
            digest = digest.clone()
        ),
    }
}

/// Reads hand-in files and takes in each sealed batch; one line per file for the host.
fn import_files(ctx: HostContext, files: Vec<web_sys::File>, report: RwSignal<Vec<Message>>) {
    leptos::task::spawn_local(async move {
        let mut lines = Vec::new();
        for file in files {
            let (name, text) = read_file(file).await;
            let envelope = match text
                .map_err(Message::core)
                .and_then(|t| read_hand_in_file(&t).map_err(Message::core))
            {
                Ok(envelope) => envelope,
                Err(e) => {
                    lines.push(msg!(host_collect.file_problem, name = name.clone(), problem = e));
                    continue;
                }
            };
            let now = platform::now();
            match ctx.act(|h| h.receive_hand_in(&envelope, Source::File, &now)) {
                Some(Ok(arrival)) => lines.push(msg!(
                    host_collect.file_arrival,
                    name = name.clone(),
                    arrival = arrival_message(&arrival)
                )),
                Some(Err(e)) => lines.push(msg!(
                    host_collect.file_problem,
                    name = name.clone(),
                    problem = Message::core(e)
                )),
                None => {}
            }
        }
        let counted: u32 = ctx.with_host(|h| h.counted_per_group().iter().sum()).unwrap_or(0);
        ctx.say(msg!(host_collect.ballots_accepted, accepted = counted));
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
            let per_group = h.counted_per_group();
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
            {(phase == Phase::Open).then(|| view! { <PaperBallot /> })}
            <BatchList />
        </section>
    }
    .into_any()
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
        match ctx_save.act(|h| h.key_in_paper(&ballot)) {
            // "Kept" and a cleared form only once the record is on disk; if the write fails
            // the ballot stays keyed in, to save again.
            Some(Ok(())) => {
                message.set(Some(msg!(host_app.saving)));
                let ctx = ctx_save.clone();
                ctx_save.when_saved(move || {
                    let count = ctx.with_host(|h| h.paper_count()).unwrap_or(0);
                    message.set(Some(msg!(host_collect.paper_kept, count = count)));
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

/// Every batch taken in, newest first, with the code staff type on the tablet to confirm it;
/// and how many hand-ins were refused, by reason.
#[component]
fn BatchList() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = host_context();
    let unsaved = ctx.unsaved;
    move || {
        ctx.with_host(|h| {
            let batches = h.batches();
            let count = batches.len();
            let rows = batches
                .into_iter()
                .map(|b| {
                    view! {
                        <tr>
                            <td class="fingerprint">{b.tablet}</td>
                            <td class="num">{b.number}</td>
                            <td class="num" data-testid="batch-ballots">{b.ballots}</td>
                            <td>{if b.closing { t!(i18n, host_collect.closing_yes).into_any() } else { ().into_any() }}</td>
                            // The code confirms the batch is kept, so it shows only once the
                            // record holding the batch is on disk.
                            <td>{move || if unsaved.get() == 0 {
                                view! { <strong class="fingerprint" data-testid="batch-digest">{b.digest.clone()}</strong> }.into_any()
                            } else {
                                view! { <span>{t!(i18n, host_app.saving)}</span> }.into_any()
                            }}</td>
                        </tr>
                    }
                })
                .collect_view();
            let refused: u32 = h.refused().values().sum();
            let refused_line = (refused > 0).then(|| {
                let reasons = h
                    .refused()
                    .iter()
                    .map(|(id, n)| format!("{id} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                view! {
                    <p class="notice" data-state="waiting" data-testid="refused-counted">
                        <Said text=msg!(host_collect.refused_counted, count = refused, reasons = reasons) />
                    </p>
                }
            });
            let paper = h.paper_count();
            view! {
                <section class="panel" aria-labelledby="batches-title">
                    <h2 id="batches-title">{t!(i18n, host_collect.batches_received)} " (" {count} ")"</h2>
                    <p class="notice">{t!(i18n, host_collect.batches_explain)}</p>
                    {refused_line}
                    {(paper > 0).then(|| view! { <p data-testid="paper-count"><Said text=msg!(host_collect.paper_kept, count = paper) /></p> })}
                    <table class="table received" data-testid="batches">
                        <thead><tr>
                            <th>{t!(i18n, host_collect.tablet)}</th>
                            <th>{t!(i18n, host_collect.batch_number)}</th>
                            <th>{t!(i18n, host_collect.ballots)}</th>
                            <th>{t!(i18n, host_collect.closing)}</th>
                            <th>{t!(i18n, host_collect.batch_code)}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </section>
            }
        })
    }
}
