//! Collect: ballot files in (picked or dropped, several at once), paper ballots keyed in,
//! every arrival checked and listed, conflicts decided with a reason.

use leptos::prelude::*;

use super::host_app::{HostContext, host_context};
use super::{Bilingual, HostScanner, RatingForm, Said};
use crate::browser::file::{files_of, read_file};
use crate::browser::platform;
use crate::domain::ballot::{BallotDraft, BallotFileV1, Credential};
use crate::domain::code::BallotCode;
use crate::domain::collect::{Arrival, Phase, Source, Status};
use crate::domain::kiosk::{Tap, apply_tap};
use crate::domain::signing::fingerprint;

/// Reads ballot files and takes in every ballot; one line per file for the host.
fn import_files(ctx: HostContext, files: Vec<web_sys::File>, report: RwSignal<Vec<String>>) {
    leptos::task::spawn_local(async move {
        let mut lines = Vec::new();
        for file in files {
            let (name, text) = read_file(file).await;
            let parsed = text.and_then(|t| {
                serde_json::from_str::<BallotFileV1>(&t)
                    .map_err(|e| format!("不是选票文件：{e} — not a ballot file: {e}"))
            });
            let file = match parsed {
                Ok(f)
                    if f.format == crate::domain::ballot::BALLOT_FILE_FORMAT
                        && f.version == crate::domain::ballot::BALLOT_FILE_VERSION =>
                {
                    f
                }
                Ok(f) => {
                    lines.push(format!(
                        "{name}: 格式 {} 版本 {} 不受支持 — format {} version {} is not supported",
                        f.format, f.version, f.format, f.version
                    ));
                    continue;
                }
                Err(e) => {
                    lines.push(format!("{name}: {e}"));
                    continue;
                }
            };
            let now = platform::now();
            match ctx.act(|h| h.receive_file(file, &now)) {
                Some(Ok(arrivals)) => {
                    let count = |f: fn(&Arrival) -> bool| arrivals.iter().filter(|a| f(a)).count();
                    lines.push(format!(
                        "{name}: 接受 {a} · 重复 {d} · 冲突 {c} · 拒收 {r} — {name}: accepted {a} · duplicate {d} · conflict {c} · rejected {r}",
                        a = count(|a| matches!(a, Arrival::Accepted { .. })),
                        d = count(|a| matches!(a, Arrival::Duplicate { .. })),
                        c = count(|a| matches!(a, Arrival::Conflict { .. })),
                        r = count(|a| matches!(a, Arrival::Rejected { .. })),
                    ));
                }
                Some(Err(e)) => lines.push(format!("{name}: {e}")),
                None => {}
            }
        }
        let accepted = ctx.with_host(|h| h.accepted().len()).unwrap_or(0);
        ctx.say(format!("已接受选票 {accepted} 张 — {accepted} ballots accepted"));
        report.set(lines);
    });
}

/// The collect step.
#[component]
pub fn HostCollect() -> impl IntoView {
    let ctx = host_context();
    let Some(phase) = ctx.with_host(|h| h.phase()) else {
        return view! { <p class="notice" data-state="waiting"><Bilingual zh="请先设置会议。" en="Set up the meeting first." /></p> }.into_any();
    };
    if phase == Phase::Setup {
        return view! { <p class="notice" data-state="waiting"><Bilingual zh="请先在“平板与选票码”中开放投票。" en="Open voting under “Tablets & codes” first." /></p> }.into_any();
    }
    let report = RwSignal::new(Vec::<String>::new());
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
            <h1 id="collect-title" class="screen__title"><Bilingual zh="收票" en="Collect ballots" /></h1>
            <ul class="group-counts" data-testid="group-counts">{counts}</ul>
            {(phase == Phase::Open).then(|| view! { <HostScanner /> })}
            {(phase == Phase::Open).then(|| view! {
                <div class="drop-zone" on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=on_drop>
                    <label class="file-pick">
                        <Bilingual zh="导入选票文件（可多选，或拖放到此处）" en="Import ballot files (several at once, or drop them here)" />
                        <input type="file" multiple accept=".json,application/json" name="ballot-files" on:change=on_pick />
                    </label>
                </div>
            })}
            <ul class="import-report" aria-live="polite" data-testid="import-report">
                {move || report.get().into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
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
                            (i, format!("{} · {} · {}", r.tracker, r.source.as_str(), r.time))
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
                <h2 id="conflicts-title"><Bilingual zh="冲突选票（待裁定）" en="Conflicting ballots (waiting for a decision)" /></h2>
                {sets.into_iter().map(|(key, options)| {
                    let keep = RwSignal::new(String::from("none"));
                    let reason = RwSignal::new(String::new());
                    let message = RwSignal::new(None::<String>);
                    let ctx = ctx.clone();
                    let key_for_submit = key.clone();
                    let decide = move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        let kept = keep.get().parse::<usize>().ok();
                        let now = platform::now();
                        if let Some(Err(e)) = ctx.act(|h| h.resolve_conflict(&key_for_submit, kept, &reason.get(), &now)) {
                            message.set(Some(e.to_string()));
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
                                    on:change=move |_| keep.set("none".to_owned()) /> <Bilingual zh="都不采用" en="keep none" /></label>
                            </fieldset>
                            <label class="field"><span><Bilingual zh="裁定理由（记入审计日志）" en="Reason (goes into the audit log)" /></span>
                                <input name="reason" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) /></label>
                            {move || message.get().map(|m| view! { <p class="banner" data-state="error" role="alert"><Said text=m /></p> })}
                            <button type="submit" class="button" data-variant="primary"><Bilingual zh="裁定" en="Decide" /></button>
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
    let ctx = host_context();
    let Some(meeting) = ctx.with_host(|h| h.meeting().clone()) else {
        return ().into_any();
    };
    let open = RwSignal::new(false);
    let draft = RwSignal::new(None::<BallotDraft>);
    let code = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
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
        Err(e) => message.set(Some(e)),
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
            Err(e) => return message.set(Some(e.to_string())),
        };
        let Some(key) = ctx_save.host_key() else { return };
        let now = platform::now();
        match ctx_save.act(|h| h.key_in_paper(&ballot, key, &now)) {
            Some(Ok(arrival)) => {
                message.set(Some(super::join("纸质选票： — paper ballot: ", &arrival.words())));
                draft.set(None);
                code.set(String::new());
            }
            Some(Err(e)) => message.set(Some(e.to_string())),
            None => {}
        }
    };
    let form = move || {
        if draft.with(Option::is_some) {
            view! {
                <RatingForm meeting=meeting.clone() draft=Signal::from(draft) on_tap=on_tap prefix="paper" />
                <div class="actions">
                    <button class="button" data-variant="primary" on:click=save.clone()><Bilingual zh="保存纸质选票" en="Save the paper ballot" /></button>
                    <button class="button" on:click=move |_| draft.set(None)><Bilingual zh="取消" en="Cancel" /></button>
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
                    <label class="field"><span><Bilingual zh="纸质选票上的选票码" en="Code on the paper ballot" /></span>
                        <input name="paper-code" autocomplete="off" prop:value=code on:input=move |ev| code.set(event_target_value(&ev)) /></label>
                    <button type="submit" class="button"><Bilingual zh="开始录入" en="Start keying in" /></button>
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
                    <Bilingual zh="录入纸质选票（平板故障时）" en="Key in a paper ballot (when a tablet fails)" />
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
                .map(|p| view! { <li>{p.to_string()}</li> })
                .collect_view();
            view! {
                <section class="panel" aria-labelledby="tablets-sum-title">
                    <h2 id="tablets-sum-title"><Bilingual zh="各平板交票核对" en="Per-tablet check for hand-in" /></h2>
                    <table class="table">
                        <thead><tr><th><Bilingual zh="平板指纹" en="Tablet" /></th><th><Bilingual zh="已收" en="Received" /></th><th><Bilingual zh="最后回执码" en="Last tracker" /></th></tr></thead>
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
                        Status::Accepted => ("pass", "已接受 — accepted".to_owned()),
                        Status::Conflict => ("waiting", "冲突待裁定 — conflict".to_owned()),
                        Status::Rejected(reason) => ("fail", super::join("拒收： — rejected: ", reason.words())),
                    };
                    let source = match r.source {
                        Source::Qr => "二维码 QR",
                        Source::File => "文件 — file",
                        Source::Paper => "纸质 — paper",
                    };
                    view! {
                        <tr data-state=state>
                            <td>{i + 1}</td>
                            <td class="tracker">{r.tracker.clone()}</td>
                            <td>{source}</td>
                            <td>{words} " " {r.detail.clone()}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <section class="panel" aria-labelledby="received-title">
                    <h2 id="received-title"><Bilingual zh="已收选票" en="Received ballots" /> " (" {h.received().len()} ")"</h2>
                    <table class="table received" data-testid="received">
                        <thead><tr><th>"#"</th><th><Bilingual zh="回执码" en="Tracker" /></th><th><Bilingual zh="来源" en="Source" /></th><th><Bilingual zh="状态" en="Status" /></th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </section>
            }
        })
    }
}
