//! Tablets and codes: open voting, the join link and file for tablets, and ballot-code slips.

use leptos::prelude::*;

use super::host_app::host_context;
use super::{Bilingual, ConfirmAction, ConfirmTexts, QrImage, Said};
use crate::browser::platform;
use crate::domain::collect::Phase;
use crate::domain::kiosk::{JoinV1, encode_join};

/// The tablets-and-codes step.
#[component]
pub fn HostTablets() -> impl IntoView {
    let ctx = host_context();
    if ctx.with_host(|h| h.phase()).is_none() {
        return view! { <p class="notice" data-state="waiting"><Bilingual zh="请先设置会议。" en="Set up the meeting first." /></p> }.into_any();
    }
    let message = RwSignal::new(None::<String>);
    let ctx_open = ctx.clone();
    let open = move || {
        let now = platform::now();
        if let Some(Err(e)) = ctx_open.act(|h| h.open_voting(&now)) {
            message.set(Some(e.to_string()));
        }
    };
    let ctx_join = ctx.clone();
    let join = move || {
        let key = ctx_join.host_key()?.public_key();
        ctx_join.with_host(|h| JoinV1::new(h.meeting(), &key))
    };
    let join_for_link = join.clone();
    let link =
        move || join_for_link().map(|j| format!("{}#join={}", platform::page_address(), encode_join(&j)));
    let link_for_copy = link.clone();
    let link_for_href = link.clone();
    let link_for_qr = link.clone();
    let qr_text = Signal::derive(move || link_for_qr().unwrap_or_default());
    let copy = move |_| {
        if let (Some(text), Some(w)) = (link_for_copy(), web_sys::window()) {
            let _ = w.navigator().clipboard().write_text(&text);
            message.set(Some("链接已复制 — link copied".to_owned()));
        }
    };
    let download_join = move |_| {
        if let Some(j) = join() {
            let text = serde_json::to_string_pretty(&j).unwrap_or_default();
            if let Err(e) =
                platform::download(&format!("join-{}.json", j.meeting.id), "application/json", &text)
            {
                message.set(Some(e));
            }
        }
    };
    let ctx_phase = ctx.clone();
    let open_section = move || {
        match ctx_phase.with_host(|h| h.phase()).unwrap_or(Phase::Setup) {
        Phase::Setup => view! {
            <section class="panel" aria-labelledby="open-title">
                <h2 id="open-title"><Bilingual zh="开放投票" en="Open voting" /></h2>
                <p><Bilingual zh="开放后会议内容和抽签结果固定，平板才能加入。" en="Opening fixes the meeting and the draw; only then can tablets join." /></p>
                {
                    let open = open.clone();
                    view! {
                        <ConfirmAction variant="primary" on_confirm=Callback::new(move |()| open()) texts=ConfirmTexts {
                            action: ("开放投票", "Open voting"),
                            question: ("确定开放投票？之后不能再修改会议。", "Open voting? The meeting can no longer be changed."),
                            confirm: ("确定开放", "Open now"),
                            cancel: ("取消", "Cancel"),
                        } />
                    }
                }
            </section>
        }
        .into_any(),
        _ => view! {
            <section class="panel" aria-labelledby="join-title">
                <h2 id="join-title"><Bilingual zh="平板加入会议" en="Tablets join the meeting" /></h2>
                <p><Bilingual zh="在每台平板上打开此链接，或把会议文件拷到平板上打开。" en="Open this link on every tablet, or copy the meeting file to the tablet and open it there." /></p>
                <div class="join-qr">
                    <QrImage text=qr_text label="加入会议二维码 — QR code to join the meeting" level=qrcode::EcLevel::L
                        too_long="名单太长，无法放进一个二维码：请用下面的链接或平板用会议文件。 — The list is too long for one QR code: use the link or the meeting file below." />
                </div>
                <p class="join-link"><a href=link_for_href.clone() data-testid="join-link">{link.clone()}</a></p>
                <div class="actions">
                    <button class="button" on:click=copy.clone()><Bilingual zh="复制链接" en="Copy the link" /></button>
                    <button class="button" on:click=download_join.clone()><Bilingual zh="下载平板用会议文件" en="Download the meeting file for tablets" /></button>
                </div>
            </section>
        }
        .into_any(),
    }
    };
    view! {
        <section class="screen host-tablets" aria-labelledby="tablets-title">
            <h1 id="tablets-title" class="screen__title"><Bilingual zh="平板与选票码" en="Tablets and ballot codes" /></h1>
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
    let ctx = host_context();
    if !ctx.with_host(|h| h.uses_codes()).unwrap_or(false) {
        return view! {
            <p class="notice"><Bilingual zh="本次会议不用选票码：评议人在平板上选择类别，按应到人数清点。" en="This meeting has no codes: raters choose their group on the tablet; counts are checked against 应到." /></p>
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
    let message = RwSignal::new(None::<String>);
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
                    return message.set(Some("数量须为整数 — the count must be a whole number".to_owned()));
                };
                let now = platform::now();
                match ctx.act(|h| h.issue_codes(g, n, &now)) {
                    Some(Err(e)) => message.set(Some(e.to_string())),
                    _ => message.set(None),
                }
            };
            view! {
                <form class="form form__row codes-row" on:submit=issue>
                    <span class="codes-row__group">{name.clone()}</span>
                    <label class="field field--number">
                        <span><Bilingual zh="选票码数量" en="Codes" /></span>
                        <input type="number" min="0" name=format!("codes-{g}") prop:value=wanted on:input=move |ev| wanted.set(event_target_value(&ev)) />
                    </label>
                    <button type="submit" class="button"><Bilingual zh="生成" en="Issue" /></button>
                </form>
            }
        })
        .collect_view();
    let ctx_slips = ctx.clone();
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
                                <span class="slip__help"><Bilingual zh="在平板上输入此码后评议；每码只能用一次。" en="Enter this code on the tablet; it works once." /></span>
                            </div>
                        }
                    })
                })
                .collect_view()
        })
    };
    view! {
        <section class="panel" aria-labelledby="codes-title">
            <h2 id="codes-title"><Bilingual zh="选票码" en="Ballot codes" /></h2>
            {rows}
            {move || message.get().map(|m| view! { <p class="banner" data-state="error" role="alert"><Said text=m /></p> })}
            <button class="button" on:click=|_| platform::print()><Bilingual zh="打印选票条（A4）" en="Print the code slips (A4)" /></button>
            <div class="slips">{slips}</div>
        </section>
    }
    .into_any()
}
