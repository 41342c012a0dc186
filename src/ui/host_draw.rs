//! The draw: the numbered pool, the witnesses' numbers as sources, and every RFC 3797 step.

use leptos::prelude::*;

use super::host_app::host_context;
use super::{Bilingual, Said};
use crate::browser::platform;
use crate::domain::collect::Phase;
use crate::domain::demo::DEMO_DRAW_COUNT;
use crate::domain::draw::{DrawRecord, DrawSource, parse_sources};

/// The draw step.
#[component]
pub fn HostDraw() -> impl IntoView {
    let ctx = host_context();
    let Some((meeting, phase)) = ctx.with_host(|h| (h.meeting().clone(), h.phase())) else {
        return view! { <p class="notice" data-state="waiting"><Bilingual zh="请先设置会议。" en="Set up the meeting first." /></p> }.into_any();
    };
    let stored_sources = meeting
        .draw()
        .map(|d| {
            d.sources
                .iter()
                .map(DrawSource::to_text)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    let sources = RwSignal::new(stored_sources);
    let count = RwSignal::new(
        meeting
            .draw()
            .map_or(DEMO_DRAW_COUNT.min(meeting.presenters().len()), |d| {
                d.selected.len()
            })
            .to_string(),
    );
    let message = RwSignal::new(None::<String>);
    let ctx_draw = ctx.clone();
    let draw = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lines: Vec<String> = sources
            .get()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        let Ok(n) = count.get().trim().parse::<usize>() else {
            return message.set(Some(
                "抽取人数须为整数 — the number to draw must be a whole number".to_owned(),
            ));
        };
        let record = parse_sources(&lines).and_then(|s| {
            let meeting = ctx_draw
                .with_host(|h| h.meeting().clone())
                .ok_or(crate::domain::draw::DrawError::EmptyPool)?;
            DrawRecord::make(&meeting, s, n)
        });
        match record {
            Err(e) => message.set(Some(e.to_string())),
            Ok(record) => {
                let now = platform::now();
                match ctx_draw.act(|h| h.record_draw(record, &now)) {
                    Some(Err(e)) => message.set(Some(e.to_string())),
                    _ => {
                        message.set(None);
                        ctx_draw.say("抽签完成 — draw recorded");
                    }
                }
            }
        }
    };
    let ctx_view = ctx.clone();
    let result = move || {
        ctx_view.with_host(|h| {
            let meeting = h.meeting();
            meeting.draw().map(|d| {
                let steps = d
                    .steps(meeting.presenters().len())
                    .into_iter()
                    .map(|s| {
                        let p = &meeting.presenters()[s.picked];
                        view! {
                            <tr>
                                <td>{s.index + 1}</td>
                                <td class="mono">{s.md5_hex.clone()}</td>
                                <td>{s.remaining}</td>
                                <td>{s.position + 1}</td>
                                <td>{s.picked + 1}</td>
                                <td>{p.name.clone()}</td>
                                <td>{p.township.clone()} " " {p.unit.clone()}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="draw-result" aria-labelledby="draw-result-title">
                        <h2 id="draw-result-title"><Bilingual zh="抽签结果" en="Draw result" /></h2>
                        <p><Bilingual zh="密钥串" en="Key string" /> " " <code class="mono" data-testid="key-string">{d.key_string.clone()}</code></p>
                        <p><Bilingual zh="名单摘要 SHA-256" en="Pool digest SHA-256" /> " " <code class="mono">{d.pool_digest.clone()}</code></p>
                        <table class="table draw-steps">
                            <thead><tr>
                                <th><Bilingual zh="第几抽" en="Step" /></th><th>"MD5"</th>
                                <th><Bilingual zh="剩余" en="Left" /></th><th><Bilingual zh="位置" en="Position" /></th>
                                <th><Bilingual zh="号码" en="No." /></th><th><Bilingual zh="姓名" en="Name" /></th><th><Bilingual zh="单位" en="Unit" /></th>
                            </tr></thead>
                            <tbody>{steps}</tbody>
                        </table>
                        <button class="button no-print" on:click=|_| platform::print()><Bilingual zh="打印抽签记录" en="Print the draw record" /></button>
                    </section>
                }
            })
        })
    };
    let pool = meeting
        .presenters()
        .iter()
        .enumerate()
        .map(|(i, p)| view! { <li><span class="pool__number">{i + 1}</span> " " {p.name.clone()}</li> })
        .collect_view();
    let locked = phase != Phase::Setup;
    view! {
        <section class="screen host-draw" aria-labelledby="draw-title">
            <h1 id="draw-title" class="screen__title"><Bilingual zh="随机抽签（大会述职）" en="Random draw (plenary reports)" /></h1>
            <p class="notice" data-state="waiting">
                <Bilingual zh="按 RFC 3797 公开可验证抽签：先公布编号名单，再由见证人报出随机数（每行一组，如彩票开奖号码），任何人都可按密钥串复算。" en="RFC 3797 publicly verifiable draw: publish the numbered pool, then witnesses announce random numbers (one source per line, e.g. lottery results); anyone can redo it from the key string." />
            </p>
            <div class="host-draw__grid">
                <section aria-labelledby="pool-title">
                    <h2 id="pool-title"><Bilingual zh="编号名单" en="Numbered pool" /></h2>
                    <ol class="pool">{pool}</ol>
                </section>
                <form class="form" on:submit=draw>
                    <label class="field">
                        <span><Bilingual zh="随机数来源（每行一组数字）" en="Random sources (one set of numbers per line)" /></span>
                        <textarea name="sources" rows="4" disabled=locked prop:value=sources on:input=move |ev| sources.set(event_target_value(&ev))></textarea>
                    </label>
                    <label class="field field--number">
                        <span><Bilingual zh="抽取人数" en="How many to draw" /></span>
                        <input name="count" type="number" min="1" disabled=locked prop:value=count on:input=move |ev| count.set(event_target_value(&ev)) />
                    </label>
                    {move || message.get().map(|m| view! { <p class="banner" data-state="error" role="alert"><Said text=m /></p> })}
                    <button type="submit" class="button" data-variant="primary" disabled=locked><Bilingual zh="抽签" en="Draw" /></button>
                    {locked.then(|| view! { <p class="notice"><Bilingual zh="投票已开放，抽签结果已固定。" en="Voting is open; the draw is fixed." /></p> })}
                </form>
            </div>
            {result}
        </section>
    }
    .into_any()
}
