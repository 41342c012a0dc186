//! Tablets and codes: open voting, the join link and file for tablets, and ballot-code slips.

use leptos::prelude::*;

use crate::i18n::{t, td_string, use_i18n};
use crate::msg;

use super::host_app::host_context;
use super::{ConfirmAction, ConfirmTexts, Message, QrImage, Said};
use crate::browser::platform;
use crate::domain::collect::Phase;
use crate::domain::kiosk::encode_signed_join;

/// Which round the host opens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opening {
    Live,
    Trial,
    AfterTrial,
}

/// The tablets-and-codes step.
#[component]
pub fn HostTablets() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = host_context();
    if ctx.with_host(|h| h.phase()).is_none() {
        return view! { <p class="notice" data-state="waiting">{t!(i18n, host_tablets.set_up_the_meeting_first)}</p> }.into_any();
    }
    let message = RwSignal::new(None::<Message>);
    let ctx_open = ctx.clone();
    // Opens the live round, a trial (试运行), or the live round after a trial: each with a
    // fresh session and transport secret.
    let open = move |kind: Opening| {
        let now = platform::now();
        let Some(key) = ctx_open.host_key() else {
            return message.set(Some(msg!(host_tablets.no_host_key)));
        };
        // A fresh session and transport secret for this round: ballots of any other round,
        // even of the same meeting file, are refused.
        let fresh = platform::random_bytes::<16>().and_then(|s| Ok((s, platform::random_bytes::<32>()?)));
        let (session, transport) = match fresh {
            Ok(pair) => pair,
            Err(e) => return message.set(Some(Message::core(e))),
        };
        let outcome = ctx_open.act(|h| match kind {
            Opening::Live => h.open_voting(key, session, transport, &now),
            Opening::Trial => h.open_trial(key, session, transport, &now),
            Opening::AfterTrial => h.go_live(key, session, transport, &now),
        });
        match outcome {
            Some(Err(e)) => message.set(Some(Message::core(e))),
            Some(Ok(())) if kind == Opening::AfterTrial => ctx_open.say(msg!(host_tablets.trial_ended)),
            _ => {}
        }
    };
    let ctx_join = ctx.clone();
    let join = move || ctx_join.with_host(|h| h.join().cloned()).flatten();
    let join_for_link = join.clone();
    let link = move || {
        join_for_link().map(|j| format!("{}#join={}", platform::rater_address(), encode_signed_join(&j)))
    };
    let link_for_copy = link.clone();
    let link_for_href = link.clone();
    let link_for_qr = link.clone();
    let qr_text = Signal::derive(move || link_for_qr().unwrap_or_default());
    let copy = move |_| {
        if let (Some(text), Some(w)) = (link_for_copy(), web_sys::window()) {
            let _ = w.navigator().clipboard().write_text(&text);
            message.set(Some(msg!(host_tablets.link_copied)));
        }
    };
    let download_join = move |_| {
        if let Some(j) = join() {
            let text = serde_json::to_string_pretty(&j).unwrap_or_default();
            if let Err(e) =
                platform::download(&format!("join-{}.json", j.meeting.id), "application/json", &text)
            {
                message.set(Some(Message::core(e)));
            }
        }
    };
    let ctx_phase = ctx.clone();
    let ctx_trial = ctx.clone();
    let open_section = move || {
        match ctx_phase.with_host(|h| h.phase()).unwrap_or(Phase::Setup) {
        Phase::Setup => view! {
            <section class="panel" aria-labelledby="open-title">
                <h2 id="open-title">{t!(i18n, host_tablets.open_voting)}</h2>
                <p>{t!(i18n, host_tablets.opening_fixes_the_meeting_and)}</p>
                {
                    let open = open.clone();
                    let trial = open.clone();
                    view! {
                        <div class="actions">
                            <ConfirmAction variant="primary" on_confirm=Callback::new(move |()| open(Opening::Live)) texts=ConfirmTexts {
                                action: |l| td_string!(l, host_tablets.open_voting).to_string(),
                                question: |l| td_string!(l, host_tablets.open_voting_the_meeting_can).to_string(),
                                confirm: |l| td_string!(l, host_tablets.open_now).to_string(),
                                cancel: |l| td_string!(l, host_tablets.cancel).to_string(),
                            } />
                            <ConfirmAction variant="quiet" on_confirm=Callback::new(move |()| trial(Opening::Trial)) texts=ConfirmTexts {
                                action: |l| td_string!(l, host_tablets.start_a_trial).to_string(),
                                question: |l| td_string!(l, host_tablets.start_a_trial_question).to_string(),
                                confirm: |l| td_string!(l, host_tablets.start_a_trial).to_string(),
                                cancel: |l| td_string!(l, host_tablets.cancel).to_string(),
                            } />
                        </div>
                    }
                }
            </section>
        }
        .into_any(),
        _ => view! {
            {
                let live = open.clone();
                let ctx_trial = ctx_trial.clone();
                move || ctx_trial.with_host(|h| h.is_trial()).unwrap_or(false).then(|| {
                    let live = live.clone();
                    view! {
                        <section class="panel" aria-labelledby="trial-title" data-testid="trial-panel">
                            <h2 id="trial-title">{t!(i18n, host_tablets.trial_run)}</h2>
                            <p>{t!(i18n, host_tablets.trial_explained)}</p>
                            <ConfirmAction variant="primary" on_confirm=Callback::new(move |()| live(Opening::AfterTrial)) texts=ConfirmTexts {
                                action: |l| td_string!(l, host_tablets.end_the_trial).to_string(),
                                question: |l| td_string!(l, host_tablets.end_the_trial_question).to_string(),
                                confirm: |l| td_string!(l, host_tablets.end_the_trial).to_string(),
                                cancel: |l| td_string!(l, host_tablets.cancel).to_string(),
                            } />
                        </section>
                    }
                })
            }
            <section class="panel" aria-labelledby="join-title">
                <h2 id="join-title">{t!(i18n, host_tablets.tablets_join_the_meeting)}</h2>
                <p>{t!(i18n, host_tablets.open_this_link_on_every)}</p>
                <div class="join-qr">
                    <QrImage text=qr_text label=msg!(host_tablets.qr_code_to_join_the) level=qrcode::EcLevel::L
                        too_long=msg!(host_tablets.the_list_is_too_long) />
                </div>
                <p class="join-link"><a href=link_for_href.clone() data-testid="join-link">{link.clone()}</a></p>
                <div class="actions">
                    <button class="button" on:click=copy.clone()>{t!(i18n, host_tablets.copy_the_link)}</button>
                    <button class="button" on:click=download_join.clone()>{t!(i18n, host_tablets.download_the_meeting_file_for)}</button>
                </div>
            </section>
            <RegisteredTablets />
        }
        .into_any(),
    }
    };
    view! {
        <section class="screen host-tablets" aria-labelledby="tablets-title">
            <h1 id="tablets-title" class="screen__title">{t!(i18n, host_tablets.tablets_and_ballot_codes)}</h1>
            {open_section}
            {move || message.get().map(|m| view! { <p class="notice" role="status"><Said text=m /></p> })}
            <CodeSlips />
        </section>
    }
    .into_any()
}

/// Issue codes per group and print them as A4 sheets of cut-out slips.
#[component]
fn CodeSlips() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = host_context();
    if !ctx.with_host(|h| h.uses_codes()).unwrap_or(false) {
        return view! {
            <p class="notice">{t!(i18n, host_tablets.this_meeting_has_no_codes)}</p>
        }
        .into_any();
    }
    let groups = ctx.with_host(|h| {
        h.meeting()
            .groups()
            .iter()
            .zip(&h.state().codes_issued)
            .map(|(g, &n)| (g.name.clone(), g.expected, n))
            .collect::<Vec<_>>()
    });
    let message = RwSignal::new(None::<Message>);
    let rows = groups
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(g, (name, expected, issued))| {
            let wanted = RwSignal::new(issued.max(expected).to_string());
            let ctx = ctx.clone();
            let issue = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let Ok(n) = wanted.get().trim().parse::<u32>() else {
                    return message.set(Some(msg!(host_tablets.the_count_must_be_a)));
                };
                let now = platform::now();
                match ctx.act(|h| h.issue_codes(g, n, &now)) {
                    Some(Err(e)) => message.set(Some(Message::core(e))),
                    _ => message.set(None),
                }
            };
            view! {
                <form class="form form__row codes-row" on:submit=issue>
                    <span class="codes-row__group">{name.clone()}</span>
                    <label class="field field--number">
                        <span>{t!(i18n, host_tablets.codes)}</span>
                        <input type="number" min="0" name=format!("codes-{g}") prop:value=wanted on:input=move |ev| wanted.set(event_target_value(&ev)) />
                    </label>
                    <button type="submit" class="button">{t!(i18n, host_tablets.issue)}</button>
                </form>
            }
        })
        .collect_view();
    let ctx_slips = ctx.clone();
    let ctx_digest = ctx.clone();
    let slips = move || {
        ctx_slips.with_host(|h| {
            let meeting = h.meeting();
            h.codes()
                .into_iter()
                .enumerate()
                .flat_map(|(g, codes)| {
                    let group = meeting.groups()[g].name.clone();
                    let title = meeting.title().to_owned();
                    codes.into_iter().map(move |c| {
                        view! {
                            <div class="slip">
                                <span class="slip__title">{title.clone()}</span>
                                <span class="slip__group">{group.clone()}</span>
                                <strong class="slip__code" data-testid="code">{c.to_string()}</strong>
                                <span class="slip__help">{t!(i18n, host_tablets.enter_this_code_on_the)}</span>
                            </div>
                        }
                    })
                })
                .collect_view()
        })
    };
    view! {
        <section class="panel" aria-labelledby="codes-title">
            <h2 id="codes-title">{t!(i18n, host_tablets.ballot_codes)}</h2>
            {rows}
            {move || message.get().map(|m| view! { <p class="banner" data-state="error" role="alert"><Said text=m /></p> })}
            <button class="button" on:click=|_| platform::print()>{t!(i18n, host_tablets.print_the_code_slips_a4)}</button>
            <div class="slips">
                {move || ctx_digest.with_host(|h| h.code_list_digest()).flatten().map(|d| view! {
                    <p class="slips__digest">{t!(i18n, host_tablets.code_list_digest)} " " <span class="fingerprint" data-testid="slips-code-list">{d}</span></p>
                })}
                {slips}
            </div>
        </section>
    }
    .into_any()
}

/// The tablets registered by their hand-ins, and the code-list digest witnesses write down.
#[component]
fn RegisteredTablets() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = host_context();
    let ctx_digest = ctx.clone();
    let digest = move || ctx_digest.with_host(|h| h.code_list_digest()).flatten();
    let rows = move || {
        ctx.with_host(|h| h.tablets())
            .unwrap_or_default()
            .into_iter()
            .map(|t| {
                view! {
                    <tr>
                        <td class="fingerprint">{t.fingerprint}</td>
                        <td class="num">{t.batches}</td>
                        <td class="num">{t.ballots}</td>
                        <td>{if t.closed { t!(i18n, host_tablets.yes).into_any() } else { t!(i18n, host_tablets.no).into_any() }}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="panel" aria-labelledby="registered-title" data-testid="registered-tablets">
            <h2 id="registered-title">{t!(i18n, host_tablets.registered_tablets)}</h2>
            {move || digest().map(|d| view! {
                <p>{t!(i18n, host_tablets.code_list_digest)} " " <strong class="fingerprint" data-testid="code-list-digest">{d}</strong></p>
            })}
            <p class="notice">{t!(i18n, host_tablets.tablets_register_when)}</p>
            <table class="table">
                <thead><tr>
                    <th>{t!(i18n, host_tablets.col_tablet)}</th>
                    <th>{t!(i18n, host_tablets.col_batches)}</th>
                    <th>{t!(i18n, host_tablets.col_ballots)}</th>
                    <th>{t!(i18n, host_tablets.col_closed)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
