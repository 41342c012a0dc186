//! The draw: the numbered pool, the witnesses' numbers as sources, and every RFC 3797 step.

use leptos::prelude::*;

use crate::i18n::{t, use_i18n};
use crate::msg;

use super::host_app::host_context;
use super::{Message, Said};
use crate::browser::platform;
use crate::domain::collect::Phase;
use crate::domain::demo::DEMO_DRAW_COUNT;
use crate::domain::draw::{DrawRecord, DrawSource, parse_sources};

/// The draw step.
#[component]
pub fn HostDraw() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = host_context();
    let Some((meeting, phase)) = ctx.with_host(|h| (h.meeting().clone(), h.phase())) else {
        return view! { <p class="notice" data-state="waiting">{t!(i18n, host_draw.set_up_the_meeting_first)}</p> }.into_any();
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
    let message = RwSignal::new(None::<Message>);
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
            return message.set(Some(msg!(host_draw.the_number_to_draw_must)));
        };
        let record = parse_sources(&lines).and_then(|s| {
            let meeting = ctx_draw
                .with_host(|h| h.meeting().clone())
                .ok_or(crate::domain::draw::DrawError::EmptyPool)?;
            DrawRecord::make(&meeting, s, n)
        });
        match record {
            Err(e) => message.set(Some(Message::core(e))),
            Ok(record) => {
                let now = platform::now();
                match ctx_draw.act(|h| h.record_draw(record, &now)) {
                    Some(Err(e)) => message.set(Some(Message::core(e))),
                    _ => {
                        message.set(None);
                        ctx_draw.say(msg!(host_draw.draw_recorded));
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
                        <h2 id="draw-result-title">{t!(i18n, host_draw.draw_result)}</h2>
                        <p>{t!(i18n, host_draw.key_string)} " " <code class="mono" data-testid="key-string">{d.key_string.clone()}</code></p>
                        <p>{t!(i18n, host_draw.pool_digest_sha_256)} " " <code class="mono">{d.pool_digest.clone()}</code></p>
                        <table class="table draw-steps">
                            <thead><tr>
                                <th>{t!(i18n, host_draw.step)}</th><th>"MD5"</th>
                                <th>{t!(i18n, host_draw.left)}</th><th>{t!(i18n, host_draw.position)}</th>
                                <th>{t!(i18n, host_draw.no)}</th><th>{t!(i18n, host_draw.name)}</th><th>{t!(i18n, host_draw.unit)}</th>
                            </tr></thead>
                            <tbody>{steps}</tbody>
                        </table>
                        <button class="button no-print" on:click=|_| platform::print()>{t!(i18n, host_draw.print_the_draw_record)}</button>
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
            <h1 id="draw-title" class="screen__title">{t!(i18n, host_draw.random_draw_plenary_reports)}</h1>
            <p class="notice" data-state="waiting">
                {t!(i18n, host_draw.rfc_3797_publicly_verifiable_draw)}
            </p>
            <div class="host-draw__grid">
                <section aria-labelledby="pool-title">
                    <h2 id="pool-title">{t!(i18n, host_draw.numbered_pool)}</h2>
                    <ol class="pool">{pool}</ol>
                </section>
                <form class="form" on:submit=draw>
                    <label class="field">
                        <span>{t!(i18n, host_draw.random_sources_one_set_of)}</span>
                        <textarea name="sources" rows="4" disabled=locked prop:value=sources on:input=move |ev| sources.set(event_target_value(&ev))></textarea>
                    </label>
                    <label class="field field--number">
                        <span>{t!(i18n, host_draw.how_many_to_draw)}</span>
                        <input name="count" type="number" min="1" disabled=locked prop:value=count on:input=move |ev| count.set(event_target_value(&ev)) />
                    </label>
                    {move || message.get().map(|m| view! { <p class="banner" data-state="error" role="alert"><Said text=m /></p> })}
                    <button type="submit" class="button" data-variant="primary" disabled=locked>{t!(i18n, host_draw.draw)}</button>
                    {locked.then(|| view! { <p class="notice">{t!(i18n, host_draw.voting_is_open_the_draw)}</p> })}
                </form>
            </div>
            {result}
        </section>
    }
    .into_any()
}
