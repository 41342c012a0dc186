//! Close and export: the closure reconciliation, closing voting, the signed result file, the
//! CSV for Excel / WPS, the printed A4 report, backups, and starting a new meeting.

use leptos::prelude::*;

use crate::i18n::{t, t_string, td_string, use_i18n};
use crate::msg;

use super::host_app::host_context;
use super::{ConfirmAction, ConfirmTexts, LevelOverrides, Locale, Message, Said};
use crate::browser::platform;
use crate::domain::collect::{HostMeeting, Phase};
use crate::domain::level::Level;
use crate::domain::record::backup::{BackupError, MIN_PASSPHRASE_CHARS, seal_backup};
use crate::domain::signing::fingerprint;
use crate::domain::summary::{Summary, SummaryInput, rules_in_words};
use crate::domain::table_text::{CsvHeaders, tally_csv};
use crate::domain::xlsx::summary_xlsx;

/// The app version written into result files.
const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The close-and-export step.
#[component]
pub fn HostClose() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = host_context();
    if ctx.with_host(|_| ()).is_none() {
        return view! { <p class="notice" data-state="waiting">{t!(i18n, host_close.set_up_the_meeting_first)}</p> }.into_any();
    }
    let message = RwSignal::new(None::<Message>);
    let groups = ctx.with_host(|h| h.meeting().groups().len()).unwrap_or(0);
    // 实到 per group as the host counts the hall: all or none.
    let present: Vec<RwSignal<String>> = (0..groups).map(|_| RwSignal::new(String::new())).collect();
    let present_values = {
        let present = present.clone();
        move || -> Result<Option<Vec<u32>>, Message> {
            let texts: Vec<String> = present
                .iter()
                .map(|p| p.get_untracked().trim().to_owned())
                .collect();
            if texts.iter().all(String::is_empty) {
                return Ok(None);
            }
            texts
                .iter()
                .map(|t| t.parse::<u32>().map_err(|_| msg!(host_close.present_all_or_none)))
                .collect::<Result<Vec<u32>, Message>>()
                .map(Some)
        }
    };
    let not_closed = RwSignal::new(false);
    let ctx_close = ctx.clone();
    let close = move |anyway: bool| {
        let now = platform::now();
        let Some(key) = ctx_close.host_key() else {
            return message.set(Some(msg!(host_close.this_laptop_has_no_host)));
        };
        let present = match present_values() {
            Ok(p) => p,
            Err(e) => return message.set(Some(e)),
        };
        let seed = match platform::random_bytes::<32>() {
            Ok(seed) => seed,
            Err(e) => return message.set(Some(Message::core(e))),
        };
        match ctx_close.act(|h| h.close_voting(key, seed, present, anyway, &now)) {
            Some(Err(e)) => {
                not_closed.set(matches!(
                    e,
                    crate::domain::collect::HostError::TabletsNotClosed(_)
                ));
                message.set(Some(Message::core(e)));
            }
            _ => {
                not_closed.set(false);
                ctx_close.say(msg!(host_close.voting_closed));
            }
        }
    };
    let ctx_result = ctx.clone();
    let export_result = move |_| {
        let Some(key) = ctx_result.host_key() else {
            return message.set(Some(msg!(host_close.this_laptop_has_no_host)));
        };
        let now = platform::now();
        match ctx_result.act(|h| {
            h.result_file(key, APP_VERSION, &now)
                .map(|f| (f.to_json(), h.meeting().id().to_owned()))
        }) {
            Some(Ok((text, id))) => {
                if let Err(e) = platform::download(&format!("result-{id}.json"), "application/json", &text) {
                    message.set(Some(Message::core(e)));
                } else {
                    message.set(Some(msg!(host_close.signed_result_file_exported)));
                }
            }
            Some(Err(e)) => message.set(Some(Message::core(e))),
            None => {}
        }
    };
    let ctx_csv = ctx.clone();
    let export_csv = move |_| {
        let text = ctx_csv.with_host(|h| {
            let headers = match i18n.get_locale_untracked() {
                Locale::zh => CsvHeaders::chinese(),
                Locale::en => CsvHeaders::english(),
            };
            (
                tally_csv(h.meeting(), h.final_ranking_rows(&h.tally()), &headers),
                h.meeting().id().to_owned(),
            )
        });
        if let Some((text, id)) = text
            && let Err(e) = platform::download(&format!("tally-{id}.csv"), "text/csv;charset=utf-8", &text)
        {
            message.set(Some(Message::core(e)));
        }
    };
    let ctx_xlsx = ctx.clone();
    let fingerprint_xlsx = ctx
        .host_key()
        .and_then(|k| fingerprint(&k.public_key()))
        .unwrap_or_default();
    let export_xlsx = move |_| {
        let english = i18n.get_locale_untracked() == Locale::en;
        let made = ctx_xlsx.with_host(|h| {
            let tally = h.tally();
            let reconciliation = h.reconciliation(None);
            let digest = h.code_list_digest();
            let summary = Summary::new(&SummaryInput {
                meeting: h.meeting(),
                tally: &tally,
                reconciliation: &reconciliation,
                overrides: h.overrides(),
                host_fingerprint: &fingerprint_xlsx,
                code_list_digest: digest.as_deref(),
                english,
            });
            (summary_xlsx(&summary), h.meeting().id().to_owned())
        });
        let outcome = match made {
            Some((Ok(bytes), id)) => platform::download_bytes(
                &format!("summary-{id}.xlsx"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &bytes,
            ),
            Some((Err(e), _)) => Err(e.to_string()),
            None => Ok(()),
        };
        if let Err(e) = outcome {
            message.set(Some(Message::core(e)));
        }
    };
    // While the record holds ballots' rows the backup is sealed with a passphrase the host
    // types twice (and keeps apart from the file).
    let passphrase = RwSignal::new(String::new());
    let passphrase_again = RwSignal::new(String::new());
    let ctx_backup = ctx.clone();
    let backup = move |_| {
        let now = platform::now();
        let sealing = ctx_backup.with_host(HostMeeting::holds_rows).unwrap_or(false);
        if sealing && passphrase.get_untracked() != passphrase_again.get_untracked() {
            return message.set(Some(msg!(host_close.passphrases_differ)));
        }
        if sealing && passphrase.get_untracked().chars().count() < MIN_PASSPHRASE_CHARS {
            return message.set(Some(Message::core(BackupError::ShortPassphrase)));
        }
        let fresh = platform::random_bytes::<16>().and_then(|s| Ok((s, platform::random_bytes::<12>()?)));
        let (salt, nonce) = match fresh {
            Ok(pair) => pair,
            Err(e) => return message.set(Some(Message::core(e))),
        };
        let Some((text, id)) = ctx_backup.act(|h| (h.backup(&now), h.meeting().id().to_owned())) else {
            return;
        };
        let (name, text) = if sealing {
            match seal_backup(&text, &passphrase.get_untracked(), salt, nonce) {
                Ok(sealed) => (format!("backup-{id}.sealed.json"), sealed),
                Err(e) => return message.set(Some(Message::core(e))),
            }
        } else {
            (format!("backup-{id}.json"), text)
        };
        match platform::download(&name, "application/json", &text) {
            Err(e) => message.set(Some(Message::core(e))),
            Ok(()) if sealing => message.set(Some(msg!(host_close.backup_sealed))),
            Ok(()) => {}
        }
    };
    let ctx_rows = ctx.clone();
    let holds_rows = move || ctx_rows.with_host(HostMeeting::holds_rows).unwrap_or(false);
    let ctx_new = ctx.clone();
    let new_meeting = move || match ctx_new.remove_record() {
        Ok(()) => ctx_new.say(msg!(host_close.record_removed)),
        Err(e) => message.set(Some(e)),
    };
    let ctx_view = ctx.clone();
    let host_fp = ctx
        .host_key()
        .and_then(|k| fingerprint(&k.public_key()))
        .unwrap_or_default();
    let phase = move || ctx_view.with_host(|h| h.phase());
    let report_phase = phase.clone();
    let overrides_phase = phase.clone();
    let ctx_rec = ctx.clone();
    let present_inputs = present.clone();
    let rec_phase = phase.clone();
    let reconciliation = move || {
        let open = rec_phase() == Some(Phase::Open);
        ctx_rec.with_host(|h| {
            let typed: Option<Vec<u32>> = present_inputs
                .iter()
                .map(|p| p.get().trim().parse::<u32>().ok())
                .collect();
            let rec = h.reconciliation(typed.as_deref());
            let rows = rec
                .groups
                .iter()
                .zip(h.meeting().groups())
                .enumerate()
                .map(|(i, (g, group))| {
                    let input = present_inputs[i];
                    let present_cell = if open {
                        view! {
                            <td><input type="number" min="0" class="present-input" name=format!("present-{i}")
                                aria-label=format!("{} {}", group.name, t_string!(i18n, host_close.present))
                                prop:value=input on:input=move |ev| input.set(event_target_value(&ev)) /></td>
                        }
                        .into_any()
                    } else {
                        view! { <td class="num">{g.present.map(|n| n.to_string()).unwrap_or_else(|| "—".to_owned())}</td> }.into_any()
                    };
                    view! {
                        <tr>
                            <th>{group.name.clone()}</th>
                            <td class="num">{g.expected}</td>
                            {present_cell}
                            <td class="num">{g.codes_issued.map(|n| n.to_string()).unwrap_or_else(|| "—".to_owned())}</td>
                            <td class="num">{g.handed_in}</td>
                            <td class="num">{g.excluded}</td>
                            <td class="num">{g.counted}</td>
                        </tr>
                    }
                })
                .collect_view();
            let problems = rec
                .problems
                .iter()
                .map(|p| view! { <li data-fails="true"><Said text=Message::core(p) /></li> })
                .collect_view();
            let failed = !rec.valid;
            view! {
                <section class="panel" aria-labelledby="rec-title">
                    <h2 id="rec-title">{t!(i18n, host_close.closure_reconciliation)}</h2>
                    <table class="table reconciliation" data-testid="reconciliation">
                        <thead><tr>
                            <th>{t!(i18n, host_close.group)}</th>
                            <th class="num">{t!(i18n, host_close.expected)}</th>
                            <th class="num">{t!(i18n, host_close.present)}</th>
                            <th class="num">{t!(i18n, host_close.codes_issued)}</th>
                            <th class="num">{t!(i18n, host_close.returned)}</th>
                            <th class="num">{t!(i18n, host_close.excluded)}</th>
                            <th class="num">{t!(i18n, host_close.counted)}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    <ul class="problems">{problems}</ul>
                    {failed.then(|| view! { <p class="banner" data-state="error" role="alert">{t!(i18n, host_close.this_round_fails_more_ballots)}</p> })}
                </section>
            }
        })
    };
    let ctx_report = ctx.clone();
    let with_notes = RwSignal::new(false);
    let report = move || {
        let notes_wanted = with_notes.get();
        ctx_report.with_host(|h| {
            let meeting = h.meeting();
            let tally = h.tally();
            let rec = h.reconciliation(None);
            let rec_rows = rec
                .groups
                .iter()
                .zip(meeting.groups())
                .map(|(g, group)| view! {
                    <tr><td>{group.name.clone()}</td><td class="num">{g.expected}</td>
                        <td class="num">{g.present.map(|n| n.to_string()).unwrap_or_default()}</td>
                        <td class="num">{g.codes_issued.map(|n| n.to_string()).unwrap_or_default()}</td>
                        <td class="num">{g.handed_in}</td><td class="num">{g.excluded}</td><td class="num">{g.counted}</td></tr>
                })
                .collect_view();
            let rec_problems = rec.problems.iter().map(|p| view! { <li><Said text=Message::core(p) /></li> }).collect_view();
            let notes = notes_wanted.then(|| {
                meeting
                    .presenters()
                    .iter()
                    .filter(|p| !h.note(&p.id).is_empty())
                    .map(|p| view! { <li><strong>{p.name.clone()}</strong> "：" {h.note(&p.id).to_owned()}</li> })
                    .collect_view()
            });
            let trimmed: Vec<bool> = tally.presenters.iter().map(|p| p.tally.trimmed).collect();
            let any_trimmed = trimmed.contains(&true);
            let english = i18n.get_locale() == Locale::en;
            let rated = tally.presenters.iter().filter(|p| p.tally.score.is_some()).count();
            let rules = rules_in_words(meeting, rated, english)
                .into_iter()
                .map(|(label, text)| view! { <div class="report-rules__item"><dt>{label}</dt><dd>{text}</dd></div> })
                .collect_view();
            let verdict = if rec.valid {
                view! { <p class="report-verdict" data-valid="true">{t!(i18n, host_close.verdict_valid)}</p> }.into_any()
            } else {
                view! { <p class="report-verdict" data-valid="false">{t!(i18n, host_close.verdict_invalid)}</p> }.into_any()
            };
            let signature = |role: AnyView| view! {
                <div class="signature-row">
                    <span class="signature-role">{role}</span>
                    <span>{t!(i18n, host_close.signature_name)}</span><span class="signature-line"></span>
                    <span>{t!(i18n, host_close.date)}</span><span class="signature-line"></span>
                </div>
            };
            let signatures = view! {
                <section class="signature-block" aria-labelledby="signatures-title">
                    <h3 id="signatures-title">{t!(i18n, host_close.signatures)}</h3>
                    {signature(view! { {t!(i18n, host_close.counter)} }.into_any())}
                    {signature(view! { {t!(i18n, host_close.scrutineer)} }.into_any())}
                    {signature(view! { {t!(i18n, host_close.chair)} }.into_any())}
                    {signature(view! { {t!(i18n, host_close.assessment_group_line)} }.into_any())}
                </section>
            };
            let rows = h
                .final_ranking_rows(&tally)
                .into_iter()
                .map(|r| view! {
                    <tr>
                        <td class="num">{r.rank.map(|x| x.to_string()).unwrap_or_default()}</td>
                        <td>{r.name}</td><td>{r.township} " " {r.unit}</td>
                        <td class="num">{r.score_display.unwrap_or_default()}
                            {meeting.presenter_index(&r.presenter).is_some_and(|p| trimmed[p]).then_some("*")}</td>
                        <td class="num">{r.satisfaction_display.unwrap_or_default()}</td>
                        <td>{r.level.as_deref().and_then(Level::parse).map(|l| super::level_name(i18n.get_locale(), h.meeting().rules().names, l)).unwrap_or_default()}
                            {h.last_override(&r.presenter).map(|o| view! { <Said text=msg!(host_close.overridden_computed, computed = super::level_message(h.meeting().rules().names, Some(&o.computed))) /> })}</td>
                    </tr>
                })
                .collect_view();
            let draw = meeting.draw().map(|d| {
                let names = d.selected.iter().map(|&i| meeting.presenters()[i].name.clone()).collect::<Vec<_>>().join(t_string!(i18n, host_close.list_separator));
                view! { <p>{t!(i18n, host_close.draw)} <code>{d.key_string.clone()}</code> " → " {names}</p> }
            });
            view! {
                <article class="print-report" aria-label=move || t_string!(i18n, host_close.printable_report).to_string()>
                    <h2>{meeting.title().to_owned()} " " {t!(i18n, host_close.report_heading)}</h2>
                    <p>{let date = meeting.date().to_owned(); move || super::format_date(i18n.get_locale(), &date)}
                        {(!meeting.place().is_empty()).then(|| format!(" · {}", meeting.place()))}</p>
                    {draw}
                    <table class="table">
                        <thead><tr><th>{t!(i18n, host_close.rank)}</th><th>{t!(i18n, host_close.name)}</th><th>{t!(i18n, host_close.unit)}</th><th>{t!(i18n, host_close.score)}</th><th>{t!(i18n, host_close.satisfaction)}</th><th>{t!(i18n, host_close.level)}</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    {any_trimmed.then(|| view! { <p class="report-note">{t!(i18n, host_close.trimmed_note)}</p> })}
                    <h3>{t!(i18n, host_close.reconciliation)}</h3>
                    <table class="table">
                        <thead><tr><th>{t!(i18n, host_close.group)}</th><th>{t!(i18n, host_close.expected)}</th><th>{t!(i18n, host_close.present)}</th><th>{t!(i18n, host_close.codes)}</th><th>{t!(i18n, host_close.returned)}</th><th>{t!(i18n, host_close.excluded)}</th><th>{t!(i18n, host_close.counted)}</th></tr></thead>
                        <tbody>{rec_rows}</tbody>
                    </table>
                    {verdict}
                    <ul>{rec_problems}</ul>
                    <h3>{t!(i18n, host_close.rules_heading)}</h3>
                    <dl class="report-rules">{rules}</dl>
                    {notes.map(|n| view! { <h3>{t!(i18n, host_close.notes)}</h3><ul>{n}</ul> })}
                    <p>{t!(i18n, host_close.host_key)} <span class="fingerprint">{host_fp.clone()}</span></p>
                    {h.code_list_digest().map(|d| view! { <p>{t!(i18n, host_close.code_list)} " " <span class="fingerprint">{d}</span></p> })}
                    {signatures}
                </article>
            }
        })
    };
    view! {
        <section class="screen host-close" aria-labelledby="close-title">
            <h1 id="close-title" class="screen__title">{t!(i18n, host_close.close_and_export)}</h1>
            {reconciliation}
            <div class="actions">
                {move || match phase() {
                    Some(Phase::Open) => {
                        let close_now = close.clone();
                        let close_anyway = close.clone();
                        view! {
                            <ConfirmAction variant="primary" on_confirm=Callback::new(move |()| close_now(false)) texts=ConfirmTexts {
                                action: |l| td_string!(l, host_close.close_voting).to_string(),
                                question: |l| td_string!(l, host_close.close_voting_no_more_ballots).to_string(),
                                confirm: |l| td_string!(l, host_close.close_voting).to_string(),
                                cancel: |l| td_string!(l, host_close.cancel).to_string(),
                            } />
                            {move || not_closed.get().then(|| {
                                let close_anyway = close_anyway.clone();
                                view! {
                                    <ConfirmAction variant="quiet" on_confirm=Callback::new(move |()| close_anyway(true)) texts=ConfirmTexts {
                                        action: |l| td_string!(l, host_close.close_anyway).to_string(),
                                        question: |l| td_string!(l, host_close.close_anyway_question).to_string(),
                                        confirm: |l| td_string!(l, host_close.close_anyway).to_string(),
                                        cancel: |l| td_string!(l, host_close.cancel).to_string(),
                                    } />
                                }
                            })}
                        }.into_any()
                    }
                    Some(Phase::Closed) => view! {
                        <button class="button" data-variant="primary" on:click=export_result.clone()>{t!(i18n, host_close.export_the_signed_result_file)}</button>
                        <button class="button" on:click=export_xlsx.clone()>{t!(i18n, host_close.export_xlsx)}</button>
                        <button class="button" on:click=export_csv.clone()>{t!(i18n, host_close.export_csv_excel_wps)}</button>
                        <button class="button" on:click=|_| platform::print()>{t!(i18n, host_close.print_the_report)}</button>
                        <label class="choice"><input type="checkbox" prop:checked=with_notes
                            on:change=move |ev| with_notes.set(event_target_checked(&ev)) />
                            {t!(i18n, host_close.include_notes_in_the_report)}</label>
                    }.into_any(),
                    _ => view! { <p class="notice">{t!(i18n, host_close.voting_has_not_opened_yet)}</p> }.into_any(),
                }}
                {move || holds_rows().then(|| view! {
                    <p class="notice" data-state="waiting" data-testid="holds-rows">{t!(i18n, host_close.the_record_holds_rows)}</p>
                    <label class="field">
                        <span>{t!(i18n, host_close.backup_passphrase)}</span>
                        <input type="password" name="backup-passphrase" autocomplete="new-password"
                            prop:value=passphrase on:input=move |ev| passphrase.set(event_target_value(&ev)) />
                    </label>
                    <label class="field">
                        <span>{t!(i18n, host_close.backup_passphrase_again)}</span>
                        <input type="password" name="backup-passphrase-again" autocomplete="new-password"
                            prop:value=passphrase_again on:input=move |ev| passphrase_again.set(event_target_value(&ev)) />
                    </label>
                })}
                <button class="button" on:click=backup>{t!(i18n, host_close.export_a_meeting_backup)}</button>
                <ConfirmAction variant="quiet" on_confirm=Callback::new(move |()| new_meeting()) texts=ConfirmTexts {
                    action: |l| td_string!(l, host_close.start_a_new_meeting).to_string(),
                    question: |l| td_string!(l, host_close.start_a_new_meeting_this).to_string(),
                    confirm: |l| td_string!(l, host_close.start_a_new_meeting).to_string(),
                    cancel: |l| td_string!(l, host_close.cancel).to_string(),
                } />
            </div>
            {move || message.get().map(|m| view! { <p class="notice" role="status"><Said text=m /></p> })}
            {move || (overrides_phase() == Some(Phase::Closed)).then(|| view! { <LevelOverrides /> })}
            {move || (report_phase() == Some(Phase::Closed)).then(report.clone())}
        </section>
    }
    .into_any()
}
