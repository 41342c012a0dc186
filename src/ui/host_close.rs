//! Close and export: the closure reconciliation, closing voting, the signed result file, the
//! CSV for Excel / WPS, the printed A4 report, backups, and starting a new meeting.

use leptos::prelude::*;

use super::host_app::host_context;
use super::{Bilingual, ConfirmAction, ConfirmTexts, LevelOverrides, Said};
use crate::browser::platform;
use crate::browser::storage::{self, HOST_STATE_KEY};
use crate::domain::collect::Phase;
use crate::domain::level::Level;
use crate::domain::signing::fingerprint;
use crate::domain::table_text::{CsvHeaders, tally_csv};

/// The app version written into result files.
const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The close-and-export step.
#[component]
pub fn HostClose() -> impl IntoView {
    let ctx = host_context();
    if ctx.with_host(|_| ()).is_none() {
        return view! { <p class="notice" data-state="waiting"><Bilingual zh="请先设置会议。" en="Set up the meeting first." /></p> }.into_any();
    }
    let message = RwSignal::new(None::<String>);
    let ctx_close = ctx.clone();
    let close = move || {
        let now = platform::now();
        match ctx_close.act(|h| h.close_voting(&now)) {
            Some(Err(e)) => message.set(Some(e.to_string())),
            _ => ctx_close.say("投票已结束 — voting closed"),
        }
    };
    let ctx_result = ctx.clone();
    let export_result = move |_| {
        let Some(key) = ctx_result.host_key() else {
            return message.set(Some(
                "本机没有主持人密钥 — this laptop has no host key".to_owned(),
            ));
        };
        let now = platform::now();
        match ctx_result.act(|h| {
            h.result_file(key, APP_VERSION, &now)
                .map(|f| (f.to_json(), h.meeting().id().to_owned()))
        }) {
            Some(Ok((text, id))) => {
                if let Err(e) = platform::download(&format!("result-{id}.json"), "application/json", &text) {
                    message.set(Some(e));
                } else {
                    message.set(Some(
                        "已导出签名结果文件 — signed result file exported".to_owned(),
                    ));
                }
            }
            Some(Err(e)) => message.set(Some(e.to_string())),
            None => {}
        }
    };
    let ctx_csv = ctx.clone();
    let lang = super::use_language();
    let export_csv = move |_| {
        let text = ctx_csv.with_host(|h| {
            let headers = match lang.get_untracked() {
                super::Lang::Zh => CsvHeaders::chinese(),
                super::Lang::En => CsvHeaders::english(),
            };
            (
                tally_csv(h.meeting(), h.final_ranking_rows(&h.tally()), &headers),
                h.meeting().id().to_owned(),
            )
        });
        if let Some((text, id)) = text
            && let Err(e) = platform::download(&format!("tally-{id}.csv"), "text/csv;charset=utf-8", &text)
        {
            message.set(Some(e));
        }
    };
    let ctx_backup = ctx.clone();
    let backup = move |_| {
        let now = platform::now();
        if let Some((text, id)) = ctx_backup.act(|h| (h.backup(&now), h.meeting().id().to_owned()))
            && let Err(e) = platform::download(&format!("backup-{id}.json"), "application/json", &text)
        {
            message.set(Some(e));
        }
    };
    let ctx_new = ctx.clone();
    let new_meeting = move || {
        if ctx_new.with_host(|h| h.has_unexported_changes()).unwrap_or(false) {
            return message.set(Some("请先导出结果文件或备份，再开始新会议 — export the result or a backup before starting a new meeting".to_owned()));
        }
        storage::remove(HOST_STATE_KEY);
        ctx_new.host.set(None);
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
    let reconciliation = move || {
        ctx_rec.with_host(|h| {
            let tally = h.tally();
            let rec = h.reconciliation(&tally);
            let rows = rec
                .groups
                .iter()
                .zip(h.meeting().groups())
                .map(|(g, group)| view! {
                    <tr>
                        <th>{group.name.clone()}</th>
                        <td class="num">{g.expected}</td><td class="num">{g.returned}</td><td class="num">{g.codes_issued}</td>
                        <td class="num">{g.valid}</td><td class="num">{g.blank}</td><td class="num">{g.rejected}</td>
                    </tr>
                })
                .collect_view();
            let problems = rec.problems.iter().map(|p| view! { <li data-fails=p.fails_round().to_string()>{p.to_string()}</li> }).collect_view();
            let failed = rec.failed();
            view! {
                <section class="panel" aria-labelledby="rec-title">
                    <h2 id="rec-title"><Bilingual zh="清点核对" en="Closure reconciliation" /></h2>
                    <table class="table reconciliation" data-testid="reconciliation">
                        <thead><tr>
                            <th><Bilingual zh="类别" en="Group" /></th>
                            <th class="num"><Bilingual zh="应到" en="Expected" /></th>
                            <th class="num"><Bilingual zh="实到" en="Returned" /></th>
                            <th class="num"><Bilingual zh="发出选票码" en="Codes issued" /></th>
                            <th class="num"><Bilingual zh="有效" en="Valid" /></th>
                            <th class="num"><Bilingual zh="弃权票" en="Blank" /></th>
                            <th class="num"><Bilingual zh="被拒" en="Rejected" /></th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    <ul class="problems">{problems}</ul>
                    {failed.then(|| view! { <p class="banner" data-state="error" role="alert"><Bilingual zh="本轮评议无效（选票多于选票码或应到人数）。" en="This round fails (more ballots than codes or expected raters)." /></p> })}
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
            let rec = h.reconciliation(&tally);
            let rec_rows = rec
                .groups
                .iter()
                .zip(meeting.groups())
                .map(|(g, group)| view! {
                    <tr><td>{group.name.clone()}</td><td class="num">{g.expected}</td><td class="num">{g.returned}</td>
                        <td class="num">{g.codes_issued}</td><td class="num">{g.valid}</td><td class="num">{g.blank}</td><td class="num">{g.rejected}</td></tr>
                })
                .collect_view();
            let rec_problems = rec.problems.iter().map(|p| view! { <li>{p.to_string()}</li> }).collect_view();
            let notes = notes_wanted.then(|| {
                meeting
                    .presenters()
                    .iter()
                    .filter(|p| !h.note(&p.id).is_empty())
                    .map(|p| view! { <li><strong>{p.name.clone()}</strong> "：" {h.note(&p.id).to_owned()}</li> })
                    .collect_view()
            });
            let rows = h
                .final_ranking_rows(&tally)
                .into_iter()
                .map(|r| view! {
                    <tr>
                        <td class="num">{r.rank.map(|x| x.to_string()).unwrap_or_default()}</td>
                        <td>{r.name}</td><td>{r.township} " " {r.unit}</td>
                        <td class="num">{r.score_display.unwrap_or_default()}</td>
                        <td class="num">{r.satisfaction_display.unwrap_or_default()}</td>
                        <td>{r.level.as_deref().and_then(Level::parse).map(|l| super::level_name(lang.get(), l)).unwrap_or("")}
                            {h.last_override(&r.presenter).map(|o| view! { <Said text=format!("（调整，原为{}） — (overridden; computed: {})", Level::parse(&o.computed).map_or("", Level::name_zh), Level::parse(&o.computed).map_or("", Level::name_en)) /> })}</td>
                    </tr>
                })
                .collect_view();
            let draw = meeting.draw().map(|d| {
                let names = d.selected.iter().map(|&i| meeting.presenters()[i].name.clone()).collect::<Vec<_>>().join("、");
                view! { <p><Bilingual zh="抽签：" en="Draw: " /> <code>{d.key_string.clone()}</code> " → " {names}</p> }
            });
            view! {
                <article class="print-report" aria-label=super::tr("打印报告", "Printable report")>
                    <h2>{meeting.title().to_owned()}</h2>
                    <p>{meeting.date().to_owned()} " · " {meeting.place().to_owned()}</p>
                    {draw}
                    <table class="table">
                        <thead><tr><th><Bilingual zh="名次" en="Rank" /></th><th><Bilingual zh="姓名" en="Name" /></th><th><Bilingual zh="单位" en="Unit" /></th><th><Bilingual zh="得分" en="Score" /></th><th><Bilingual zh="满意率" en="Satisfaction" /></th><th><Bilingual zh="等次" en="Level" /></th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    <h3><Bilingual zh="清点核对" en="Reconciliation" /></h3>
                    <table class="table">
                        <thead><tr><th><Bilingual zh="类别" en="Group" /></th><th><Bilingual zh="应到" en="Expected" /></th><th><Bilingual zh="实到" en="Returned" /></th><th><Bilingual zh="选票码" en="Codes" /></th><th><Bilingual zh="有效" en="Valid" /></th><th><Bilingual zh="弃权票" en="Blank" /></th><th><Bilingual zh="被拒" en="Rejected" /></th></tr></thead>
                        <tbody>{rec_rows}</tbody>
                    </table>
                    <ul>{rec_problems}</ul>
                    {notes.map(|n| view! { <h3><Bilingual zh="提问式点评" en="Notes" /></h3><ul>{n}</ul> })}
                    <p><Bilingual zh="主持人公钥指纹：" en="Host key: " /> <span class="fingerprint">{host_fp.clone()}</span></p>
                    <div class="signature-lines">
                        <span><Bilingual zh="考核组签字：" en="Assessment group: " /></span><span class="signature-line"></span>
                        <span><Bilingual zh="日期：" en="Date: " /></span><span class="signature-line"></span>
                    </div>
                </article>
            }
        })
    };
    view! {
        <section class="screen host-close" aria-labelledby="close-title">
            <h1 id="close-title" class="screen__title"><Bilingual zh="结束与导出" en="Close and export" /></h1>
            {reconciliation}
            <div class="actions">
                {move || match phase() {
                    Some(Phase::Open) => {
                        let close = close.clone();
                        view! {
                            <ConfirmAction variant="primary" on_confirm=Callback::new(move |()| close()) texts=ConfirmTexts {
                                action: ("结束投票", "Close voting"),
                                question: ("确定结束投票？之后不再收票。", "Close voting? No more ballots will be taken."),
                                confirm: ("结束投票", "Close voting"),
                                cancel: ("取消", "Cancel"),
                            } />
                        }.into_any()
                    }
                    Some(Phase::Closed) => view! {
                        <button class="button" data-variant="primary" on:click=export_result.clone()><Bilingual zh="导出签名结果文件" en="Export the signed result file" /></button>
                        <button class="button" on:click=export_csv.clone()><Bilingual zh="导出 CSV（Excel / WPS）" en="Export CSV (Excel / WPS)" /></button>
                        <button class="button" on:click=|_| platform::print()><Bilingual zh="打印报告" en="Print the report" /></button>
                        <label class="choice"><input type="checkbox" prop:checked=with_notes
                            on:change=move |ev| with_notes.set(event_target_checked(&ev)) />
                            <Bilingual zh="报告中包括点评" en="include notes in the report" /></label>
                    }.into_any(),
                    _ => view! { <p class="notice"><Bilingual zh="投票尚未开放。" en="Voting has not opened yet." /></p> }.into_any(),
                }}
                <button class="button" on:click=backup><Bilingual zh="导出会议备份" en="Export a meeting backup" /></button>
                <ConfirmAction variant="quiet" on_confirm=Callback::new(move |()| new_meeting()) texts=ConfirmTexts {
                    action: ("开始新会议", "Start a new meeting"),
                    question: ("确定开始新会议？本会议记录将从本机移除（已导出的文件不受影响）。", "Start a new meeting? This record leaves the laptop (exported files stay)."),
                    confirm: ("开始新会议", "Start a new meeting"),
                    cancel: ("取消", "Cancel"),
                } />
            </div>
            {move || message.get().map(|m| view! { <p class="notice" role="status"><Said text=m /></p> })}
            {move || (overrides_phase() == Some(Phase::Closed)).then(|| view! { <LevelOverrides /> })}
            {move || (report_phase() == Some(Phase::Closed)).then(report.clone())}
        </section>
    }
    .into_any()
}
