//! The rating grid: every presenter, every aspect, every grade as a native radio button in a
//! fieldset with a legend. Used by the tablet and by the host for paper ballots.
//!
//! Each presenter reads its own memo of the draft, so a tap re-renders one presenter's
//! radios, not the whole form.

use leptos::prelude::*;

use crate::domain::ballot::{BallotDraft, DraftMark};
use crate::domain::kiosk::Tap;
use crate::domain::meeting::Meeting;

/// DOM id of a presenter's card, for "jump to what is still empty".
pub fn presenter_anchor(prefix: &str, presenter: usize) -> String {
    format!("{prefix}-presenter-{}", presenter + 1)
}

/// Scrolls to a presenter's card and focuses its first empty grade (or its first control).
pub fn jump_to(prefix: &str, presenter: usize, aspect: usize) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let id = presenter_anchor(prefix, presenter);
    if let Some(card) = document.get_element_by_id(&id) {
        card.scroll_into_view();
        let selector = format!("input[name='{prefix}-g-{presenter}-{aspect}']");
        if let Ok(Some(input)) = card.query_selector(&selector)
            && let Ok(input) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(input)
        {
            let _ = input.focus();
        }
    }
}

/// The whole grid.
#[component]
pub fn RatingForm(
    /// The meeting whose presenters, aspects and grades are shown.
    meeting: Meeting,
    /// The ballot being filled in.
    draft: Signal<Option<BallotDraft>>,
    /// Called on every tap.
    on_tap: Callback<Tap>,
    /// Prefix for ids and radio names (the tablet and the host's paper form differ).
    prefix: &'static str,
) -> impl IntoView {
    let grades: Vec<String> = meeting.grades().iter().map(|g| g.name.clone()).collect();
    let aspects: Vec<String> = meeting.aspects().iter().map(|a| a.name.clone()).collect();
    let cards = meeting
        .presenters()
        .iter()
        .enumerate()
        .map(|(p, presenter)| {
            let mark = Memo::new(move |_| draft.with(|d| d.as_ref().and_then(|d| d.marks().get(p).cloned())));
            let is_rating = move || matches!(mark.get(), Some(DraftMark::Rating(_)) | None);
            let done = move || {
                mark.with(|m| match m {
                    Some(DraftMark::Rating(slots)) => slots.iter().all(Option::is_some),
                    Some(_) => true,
                    None => false,
                })
            };
            let grade_names = grades.clone();
            let fill_buttons = grades
                .iter()
                .enumerate()
                .map(|(g, name)| {
                    view! {
                        <button type="button" class="button rating__fill"
                            on:click=move |_| on_tap.run(Tap::Fill { presenter: p, grade: g as u8 })>
                            "全部" {name.clone()}
                        </button>
                    }
                })
                .collect_view();
            let aspect_sets = aspects
                .iter()
                .enumerate()
                .map(|(a, aspect)| {
                    let radios = grade_names
                        .iter()
                        .enumerate()
                        .map(|(g, name)| {
                            let checked = move || {
                                mark.with(|m| {
                                    matches!(m, Some(DraftMark::Rating(slots)) if slots.get(a).copied().flatten() == Some(g as u8))
                                })
                            };
                            view! {
                                <label class="rating__choice" data-grade=g>
                                    <input type="radio" name=format!("{prefix}-g-{p}-{a}") value=g
                                        prop:checked=checked
                                        on:change=move |_| on_tap.run(Tap::Grade { presenter: p, aspect: a, grade: g as u8 }) />
                                    <span>{name.clone()}</span>
                                </label>
                            }
                        })
                        .collect_view();
                    view! {
                        <fieldset class="rating__aspect">
                            <legend>{aspect.clone()}</legend>
                            <div class="rating__choices">{radios}</div>
                        </fieldset>
                    }
                })
                .collect_view();
            let mode_radio = move |value: &'static str, zh: &'static str, en: &'static str, tap: Tap| {
                let checked = move || {
                    mark.with(|m| {
                        matches!(
                            (value, m),
                            ("rate", Some(DraftMark::Rating(_)) | None)
                                | ("recuse", Some(DraftMark::Recused))
                                | ("abstain", Some(DraftMark::Abstained))
                        )
                    })
                };
                view! {
                    <label class="rating__mode-choice">
                        <input type="radio" name=format!("{prefix}-m-{p}") value=value
                            prop:checked=checked on:change=move |_| on_tap.run(tap) />
                        <span lang="zh-CN">{zh}</span> " " <span lang="en" class="bilingual__en">{en}</span>
                    </label>
                }
            };
            view! {
                <article class="rating__presenter" id=presenter_anchor(prefix, p)
                    data-done=move || if done() { "yes" } else { "no" }>
                    <header class="rating__head">
                        <span class="rating__number">{p + 1}</span>
                        <span class="rating__name">{presenter.name.clone()}</span>
                        <span class="rating__unit">{presenter.township.clone()} " " {presenter.unit.clone()}</span>
                        <span class="rating__status" aria-hidden="true">{move || if done() { "✓" } else { "" }}</span>
                    </header>
                    <fieldset class="rating__mode">
                        <legend class="visually-hidden">{format!("{} 评议方式 — how you rate", presenter.name)}</legend>
                        {mode_radio("rate", "评分", "rate", Tap::Rate { presenter: p })}
                        {mode_radio("recuse", "回避", "recuse", Tap::Recuse { presenter: p })}
                        {mode_radio("abstain", "弃权", "abstain", Tap::Abstain { presenter: p })}
                    </fieldset>
                    <div class="rating__grades" hidden=move || !is_rating()>
                        <div class="rating__fills">{fill_buttons}</div>
                        <div class="rating__aspects">{aspect_sets}</div>
                    </div>
                </article>
            }
        })
        .collect_view();
    view! { <div class="rating">{cards}</div> }
}

/// One line per presenter summarising a draft, for the review step.
pub fn summary_line(meeting: &Meeting, mark: &DraftMark) -> String {
    match mark {
        DraftMark::Recused => "回避 recused".to_owned(),
        DraftMark::Abstained => "弃权 abstained".to_owned(),
        DraftMark::Rating(slots) => {
            if slots.iter().all(Option::is_none) {
                return "未评 not rated".to_owned();
            }
            meeting
                .grades()
                .iter()
                .enumerate()
                .filter_map(|(g, grade)| {
                    let n = slots.iter().filter(|s| **s == Some(g as u8)).count();
                    (n > 0).then(|| format!("{}×{n}", grade.name))
                })
                .collect::<Vec<_>>()
                .join(" ")
        }
    }
}
