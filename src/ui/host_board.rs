//! The projector board: progress only while voting is open (no scores can sway anyone), then
//! the ranking and each presenter's detail, stepped through with the arrow keys.

use crate::i18n::{t, use_i18n};
use leptos::prelude::*;

use super::host_app::host_context;
use super::{Message, Said, level_message};
use crate::browser::platform;
use crate::domain::collect::Phase;
use crate::domain::exact::{format_decimal, format_percent};
use crate::domain::level::Level;
use crate::domain::paging::Pages;
use crate::domain::signing::fingerprint;
use crate::msg;

/// The board step.
#[component]
pub fn HostBoard() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = host_context();
    let host_fp = ctx
        .host_key()
        .and_then(|k| fingerprint(&k.public_key()))
        .unwrap_or_default();
    let ctx_digest = ctx.clone();
    let digest = move || ctx_digest.with_host(|h| h.code_list_digest()).flatten();
    let selected = RwSignal::new(None::<usize>);
    let presenters = ctx.with_host(|h| h.meeting().presenters().len()).unwrap_or(0);
    let closed = ctx.with_host(|h| h.phase() == Phase::Closed).unwrap_or(false);
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let target_is_field = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if target_is_field || presenters == 0 || !closed {
            return;
        }
        match ev.key().as_str() {
            "ArrowRight" | "ArrowDown" | "PageDown" => {
                selected.update(|s| *s = Some(s.map_or(0, |p| (p + 1).min(presenters - 1))));
            }
            "ArrowLeft" | "ArrowUp" | "PageUp" => {
                selected.update(|s| *s = Some(s.map_or(0, |p| p.saturating_sub(1))))
            }
            "Escape" => selected.set(None),
            "f" | "F" => platform::toggle_full_screen(),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    // A ranking longer than the screen turns its pages on its own, as many rows a page as fit
    // above the fingerprint line (measured once drawn, and again when the window changes).
    let per_page = RwSignal::new(presenters.max(1));
    let page = RwSignal::new(0usize);
    let pages = move || Pages::new(presenters, per_page.get());
    if closed {
        let measure = move || {
            request_animation_frame(move || {
                if selected.get_untracked().is_none()
                    && let Some(fit) = rows_that_fit(presenters)
                    && fit != per_page.get_untracked()
                {
                    per_page.set(fit);
                    page.set(0);
                }
            })
        };
        Effect::new(move |_| {
            if selected.get().is_none() {
                measure();
            }
        });
        let resize = window_event_listener(leptos::ev::resize, move |_| measure());
        on_cleanup(move || resize.remove());
        if let Ok(timer) = set_interval_with_handle(
            move || {
                if selected.get_untracked().is_none() {
                    page.update(|p| *p = Pages::new(presenters, per_page.get_untracked()).next(*p));
                }
            },
            std::time::Duration::from_secs(PAGE_SECONDS),
        ) {
            on_cleanup(move || timer.clear());
        }
    }
    let body = move || {
        ctx.with_host(|h| {
            let meeting = h.meeting();
            if h.phase() != Phase::Closed {
                let counts = h.counted_per_group();
                let total: u32 = counts.iter().sum();
                let expected: u32 = meeting.groups().iter().map(|g| g.expected).sum();
                let groups = meeting
                    .groups()
                    .iter()
                    .zip(counts)
                    .map(|(g, n)| view! {
                        <li class="board-progress__group">
                            <span class="board-progress__name">{g.name.clone()}</span>
                            <span class="board-progress__count"><strong>{n}</strong> " / " {g.expected}</span>
                            <progress max=g.expected.max(1) value=n.min(g.expected.max(1))></progress>
                        </li>
                    })
                    .collect_view();
                // Every registered tablet with what it handed in: witnesses compare these
                // with the tablets and write them into the minutes.
                let registered = h.tablets();
                let tablets = (!registered.is_empty()).then(|| {
                    let rows = registered
                        .into_iter()
                        .map(|t| view! {
                            <tr>
                                <td class="fingerprint">{t.fingerprint}</td>
                                <td class="num">{t.batches}</td>
                                <td class="num">{t.ballots}</td>
                                <td>{if t.closed { t!(i18n, host_board.closing_in).into_any() } else { ().into_any() }}</td>
                            </tr>
                        })
                        .collect_view();
                    view! {
                        <table class="table board-tablets" data-testid="board-tablets">
                            <thead><tr>
                                <th>{t!(i18n, host_board.tablet)}</th>
                                <th class="num">{t!(i18n, host_board.batches)}</th>
                                <th class="num">{t!(i18n, host_board.ballots)}</th>
                                <th>{t!(i18n, host_board.closing)}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    }
                });
                return view! {
                    <section class="board-progress" aria-labelledby="board-title">
                        <h1 id="board-title" class="board__title">{meeting.title().to_owned()}
                            {h.is_trial().then(|| view! { " · " <span data-testid="board-trial">{t!(i18n, host_board.trial_run)}</span> })}</h1>
                        <p class="board-progress__total" data-testid="board-total">
                            {t!(i18n, host_board.ballots_received)} " " <strong>{total}</strong> " / " {expected}
                        </p>
                        <progress class="board-progress__meter" max=expected.max(1) value=total.min(expected.max(1))
                            aria-label=format!("{total} / {expected}")></progress>
                        <ul class="board-progress__groups">{groups}</ul>
                        {tablets}
                        <p class="notice">{t!(i18n, host_board.no_scores_are_shown_until)}</p>
                    </section>
                }
                .into_any();
            }
            let tally = h.tally();
            let mut order: Vec<usize> = (0..tally.presenters.len()).collect();
            order.sort_by_key(|&p| (tally.presenters[p].tally.rank.unwrap_or(u32::MAX), p));
            // The page shown: the one holding the selected presenter, else the one the timer is on.
            let mut position = vec![0; order.len()];
            for (i, &p) in order.iter().enumerate() {
                position[p] = i;
            }
            let shown_page = move || match selected.get() {
                Some(p) => pages().page_of(position.get(p).copied().unwrap_or(0)),
                None => page.get(),
            };
            let shown_page = Memo::new(move |_| shown_page());
            let rows = h
                .final_ranking_rows(&tally)
                .into_iter()
                .zip(order.clone())
                .enumerate()
                .map(|(i, (row, p))| {
                    let counts = row.overall_counts.iter().map(|c| view! { <td class="num">{*c}</td> }).collect_view();
                    // The overall aspect's grades as one stacked bar; the counts beside it say the same in figures.
                    let grade_names: Vec<String> = h.meeting().grades().iter().map(|g| g.name.clone()).collect();
                    let described = row.overall_counts.iter().zip(&grade_names).map(|(c, g)| format!("{g} {c}")).collect::<Vec<_>>().join(" · ");
                    let segments = row
                        .overall_counts
                        .iter()
                        .enumerate()
                        .map(|(g, &c)| view! { <span class="bar__segment" data-grade=g style=format!("flex-grow:{c}")></span> })
                        .collect_view();
                    let bar = view! { <td class="board-table__bar"><span class="bar" role="img" aria-label=described>{segments}</span></td> };
                    view! {
                        <tr data-level=row.level.clone().unwrap_or_default() aria-selected=move || (selected.get() == Some(p)).to_string()
                            hidden=move || pages().page_of(i) != shown_page.get()
                            on:click=move |_| selected.set(Some(p))>
                            <td class="num">{row.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".to_owned())}</td>
                            <td>{row.name.clone()}</td>
                            <td>{row.township.clone()} " " {row.unit.clone()}</td>
                            <td class="num">{row.score_display.clone().unwrap_or_else(|| "—".to_owned())}</td>
                            <td class="num">{row.satisfaction_display.clone().unwrap_or_else(|| "—".to_owned())}</td>
                            <td class="level"><Said text=level_message(h.meeting().rules().names, row.level.as_deref()) />
                                {h.last_override(&row.presenter).map(|_| view! { <span class="level__adjusted">{t!(i18n, host_board.overridden)}</span> })}</td>
                            {bar}
                            {counts}
                        </tr>
                    }
                })
                .collect_view();
            let grade_heads = meeting.grades().iter().map(|g| view! { <th class="num">{g.name.clone()}</th> }).collect_view();
            let detail = selected.get().map(|p| {
                let cell_presenter = &tally.presenters[p];
                let t = &cell_presenter.tally;
                let presenter = &meeting.presenters()[p];
                let points: Vec<u32> = meeting.grades().iter().map(|g| g.points).collect();
                let bars = meeting
                    .aspects()
                    .iter()
                    .enumerate()
                    .map(|(a, aspect)| {
                        let counts = t.aspect_counts(a);
                        let segments = counts
                            .iter()
                            .zip(meeting.grades())
                            .enumerate()
                            .map(|(g, (&c, grade))| view! {
                                <span class="bar__segment" data-grade=g style=format!("flex-grow:{c}")
                                    title=format!("{} {c}", grade.name)>{(c > 0).then(|| format!("{} {c}", grade.name))}</span>
                            })
                            .collect_view();
                        let score = t.aspect_scores[a].as_ref().map(|s| format_decimal(s, 2)).unwrap_or_default();
                        view! {
                            <li class="aspect-bar">
                                <span class="aspect-bar__name">{aspect.name.clone()}</span>
                                <span class="bar">{segments}</span>
                                <span class="aspect-bar__score num">{score}</span>
                            </li>
                        }
                    })
                    .collect_view();
                // One row per published cell: a group of its own, or the pool of small groups
                // (docs/rules.md §4a); nothing finer is ever shown.
                let groups = if cell_presenter.withheld {
                    view! {
                        <tr><td colspan=meeting.aspects().len() + 1>
                            <Said text=msg!(host_board.withheld, n = meeting.min_breakdown_size()) />
                        </td></tr>
                    }
                    .into_any()
                } else {
                    cell_presenter
                        .cells
                        .iter()
                        .enumerate()
                        .map(|(c, groups)| {
                            let name = groups
                                .iter()
                                .map(|&g| meeting.groups()[g].name.clone())
                                .collect::<Vec<_>>()
                                .join(" + ");
                            let cells = (0..meeting.aspects().len())
                                .map(|a| view! { <td class="num">{t.group_mean(a, c, &points).map(|m| format_decimal(&m, 2)).unwrap_or_default()}</td> })
                                .collect_view();
                            view! { <tr><th>{name}</th>{cells}</tr> }
                        })
                        .collect_view()
                        .into_any()
                };
                let aspect_heads = meeting.aspects().iter().map(|a| view! { <th>{a.name.clone()}</th> }).collect_view();
                view! {
                    <section class="board-detail" aria-labelledby="detail-title" aria-live="polite">
                        <h2 id="detail-title">
                            {format!("{}. {}", p + 1, presenter.name)} " · " {presenter.township.clone()} " " {presenter.unit.clone()}
                            " · " {t.score.as_ref().map(|s| format_decimal(s, 2)).unwrap_or_default()}
                            " · " {t.satisfaction[meeting.overall_aspect()].as_ref().map(format_percent).unwrap_or_default()}
                            " · " <Said text=match h.last_override(&presenter.id) {
                                Some(o) => msg!(
                                    host_board.overridden_from,
                                    level = level_message(h.meeting().rules().names, Some(&o.level)),
                                    computed = level_message(h.meeting().rules().names, Some(&o.computed)),
                                ),
                                None => level_message(h.meeting().rules().names, t.level.map(Level::as_str)),
                            } />
                        </h2>
                        <ul class="aspect-bars">{bars}</ul>
                        <table class="table breakdown">
                            <thead><tr><th>{t!(i18n, host_board.mean_by_rater_group)}</th>{aspect_heads}</tr></thead>
                            <tbody>{groups}</tbody>
                        </table>
                        {(!h.note(&presenter.id).is_empty()).then(|| view! { <p class="board-detail__note">{h.note(&presenter.id).to_owned()}</p> })}
                    </section>
                }
            });
            view! {
                <section class="board-ranking" aria-labelledby="board-title">
                    <h1 id="board-title" class="board__title">{meeting.title().to_owned()} " · "
                        {if h.is_trial() { t!(i18n, host_board.trial_result).into_any() } else { t!(i18n, host_board.result).into_any() }}</h1>
                    <div class="board-line">
                        {let rec = h.reconciliation(None);
                         let problems = rec.problems.iter().map(|p| view! { <li><Said text=Message::core(p) /></li> }).collect_view();
                         view! {
                            <div class="board-verdict" data-valid=rec.valid.to_string() data-testid="board-verdict">
                                <p>{if rec.valid { "✓ " } else { "✗ " }}{if rec.valid { t!(i18n, host_board.round_valid).into_any() } else { t!(i18n, host_board.round_not_valid).into_any() }}</p>
                                <ul>{problems}</ul>
                            </div>
                        }}
                        {move || (pages().count() > 1).then(|| view! {
                            <p class="board-pages" data-testid="board-pages" data-per-page=per_page.get()>
                                <Said text=msg!(host_board.page_of, page = shown_page.get() + 1, pages = pages().count(), seconds = PAGE_SECONDS) />
                            </p>
                        })}
                    </div>
                    {detail}
                    <table class="table board-table" data-testid="ranking">
                        <thead><tr>
                            <th class="num">{t!(i18n, host_board.rank)}</th>
                            <th>{t!(i18n, host_board.name)}</th>
                            <th>{t!(i18n, host_board.unit)}</th>
                            <th class="num">{t!(i18n, host_board.score)}</th>
                            <th class="num">{t!(i18n, host_board.satisfaction)}</th>
                            <th>{t!(i18n, host_board.level)}</th>
                            <th>{meeting.aspects()[meeting.overall_aspect()].name.clone()}</th>
                            {grade_heads}
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </section>
            }
            .into_any()
        })
    };
    view! {
        <section class="screen board" data-testid="board">
            <div class="board__tools no-print">
                <button class="button" on:click=|_| platform::toggle_full_screen()>{t!(i18n, host_board.full_screen_f)}</button>
                {closed.then(|| view! { <span class="board__hint">{t!(i18n, host_board.step_through_presenters_esc_back)}</span> })}
            </div>
            {body}
            <p class="board__fingerprint">{t!(i18n, host_board.host_key)} " " <span class="fingerprint">{host_fp}</span>
                {move || digest().map(|d| view! { " · " {t!(i18n, host_board.code_list)} " " <span class="fingerprint" data-testid="board-code-list">{d}</span> })}
            </p>
        </section>
    }
}

/// Seconds each page of a long ranking stays on the board.
const PAGE_SECONDS: u64 = 10;

/// Ranking rows that fit between the top of the ranking's body and the bottom of the window,
/// leaving room for the fingerprint line under them, from the first row as drawn; `None`
/// before the table is drawn.
fn rows_that_fit(rows: usize) -> Option<usize> {
    let window = web_sys::window()?;
    let document = window.document()?;
    let body = document.query_selector("[data-testid='ranking'] tbody").ok()??;
    let row = body.query_selector("tr:not([hidden])").ok()??;
    let height = row.get_bounding_client_rect().height();
    let rect = body.get_bounding_client_rect();
    // Everything under the rows down to the fingerprint line's end: gaps, borders, the line.
    let below = document
        .query_selector(".board__fingerprint")
        .ok()
        .flatten()
        .map_or(0.0, |f| f.get_bounding_client_rect().bottom() - rect.bottom());
    let scroll = window.scroll_y().unwrap_or(0.0);
    let top = rect.top() + scroll;
    let view = window.inner_height().ok()?.as_f64()?;
    // A small margin, so the fingerprint line never touches the window's edge.
    let space = view - top - below.max(0.0) - 4.0;
    (height > 0.0).then(|| Pages::fitting(rows, space, height).per_page())
}
