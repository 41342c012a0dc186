//! The rating grid: every presenter, every aspect, every grade as a native radio button in a
//! fieldset with a legend. Used by the tablet and by the host for paper ballots.
//!
//! A 60-presenter form has over 2 000 radios. Giving each its own reactive binding made every
//! tap wake all of them (about 20 ms per tap) and slowed the first render, so the form keeps
//! one signal per presenter, updated only when that presenter's marks change, and one effect
//! per presenter that sets its radios' `checked` from the marks. A tap wakes one presenter.

use leptos::prelude::*;

use super::Said;
use crate::i18n::{t, td_string, use_i18n};
use crate::msg;

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

/// The presenter index (述职人目录): a button that opens a list of every presenter, ticked
/// when done; tapping a name closes the list and jumps to that presenter's first empty aspect.
/// The list is a modal `<dialog>` in the top layer, so opening it moves nothing on the form.
#[component]
pub fn PresenterIndex(
    /// The meeting whose presenters are listed.
    meeting: Meeting,
    /// The ballot being filled in.
    draft: Signal<Option<BallotDraft>>,
    /// The prefix the [`RatingForm`] was given.
    prefix: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let done = Memo::new(move |_| draft.with(|d| d.as_ref().map(BallotDraft::done).unwrap_or_default()));
    let items = meeting
        .presenters()
        .iter()
        .enumerate()
        .map(|(p, presenter)| {
            let is_done = move || done.with(|d| d.get(p).copied().unwrap_or(false));
            view! {
                <li>
                    <button type="button" class="index__item" data-jump=p
                        data-done=move || if is_done() { "yes" } else { "no" }>
                        <span class="index__mark" aria-hidden="true">{move || if is_done() { "✓" } else { "" }}</span>
                        <span class="index__number">{p + 1}</span>
                        <span class="index__name">{presenter.name.clone()}</span>
                        <span class="visually-hidden">
                            {move || if is_done() { t!(i18n, rating_form.index_done).into_any() } else { t!(i18n, rating_form.index_open).into_any() }}
                        </span>
                    </button>
                </li>
            }
        })
        .collect_view();
    let close = move || {
        if let Some(d) = dialog.get() {
            d.close();
        }
    };
    let on_pick = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        let picked = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("button[data-jump]").ok().flatten())
            .and_then(|b| b.get_attribute("data-jump"))
            .and_then(|v| v.parse::<usize>().ok());
        if let Some(p) = picked {
            close();
            let aspect = draft.with_untracked(|d| match d.as_ref().and_then(|d| d.marks().get(p)) {
                Some(DraftMark::Rating(slots)) => slots.iter().position(Option::is_none).unwrap_or(0),
                _ => 0,
            });
            jump_to(prefix, p, aspect);
        }
    };
    let (title_id, labelled_by) = (format!("{prefix}-index-title"), format!("{prefix}-index-title"));
    view! {
        <button type="button" class="button" aria-haspopup="dialog" data-testid="presenter-index"
            on:click=move |_| {
                if let Some(d) = dialog.get() {
                    let _ = d.show_modal();
                }
            }>
            {t!(i18n, rating_form.index)}
        </button>
        <dialog class="index" node_ref=dialog aria-labelledby=labelled_by>
            <h2 class="index__title" id=title_id>
                {move || {
                    let (d, t) = done.with(|d| (d.iter().filter(|x| **x).count(), d.len()));
                    view! { <Said text=msg!(rating_form.index_title, done = d, total = t) /> }
                }}
            </h2>
            <p class="index__hint">{t!(i18n, rating_form.index_hint)}</p>
            <ol class="index__list" on:click=on_pick>{items}</ol>
            <div class="actions">
                <button type="button" class="button" data-variant="primary" on:click=move |_| close()>
                    {t!(i18n, rating_form.index_close)}
                </button>
            </div>
        </dialog>
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
    let count = meeting.presenters().len();
    // One signal per presenter; the effect below sets only the ones whose marks changed.
    let marks: Vec<RwSignal<Option<DraftMark>>> = (0..count)
        .map(|p| RwSignal::new(draft.with_untracked(|d| d.as_ref().and_then(|d| d.marks().get(p).cloned()))))
        .collect();
    let all_marks = marks.clone();
    Effect::new(move |_| {
        draft.with(|d| {
            for (p, signal) in all_marks.iter().enumerate() {
                let new = d.as_ref().and_then(|d| d.marks().get(p).cloned());
                if signal.with_untracked(|old| *old != new) {
                    signal.set(new);
                }
            }
        });
    });
    // Cards are built a few at a time, one batch per frame, so the first presenters can be
    // rated at once while the rest are still being built (a 60-presenter form is ~8 000 nodes).
    let shown = RwSignal::new(FIRST_CARDS.min(count));
    if count > FIRST_CARDS {
        grow_in_frames(shown, count);
    }
    let presenters: std::sync::Arc<Vec<(String, String)>> = std::sync::Arc::new(
        meeting
            .presenters()
            .iter()
            .map(|p| (p.name.clone(), format!("{} {}", p.township, p.unit)))
            .collect(),
    );
    let grades = std::sync::Arc::new(grades);
    let aspects = std::sync::Arc::new(aspects);
    let cards = (0..count)
        .map(|p| {
            let visible = Memo::new(move |_| shown.get() > p);
            let (presenters, grades, aspects) = (presenters.clone(), grades.clone(), aspects.clone());
            let mark = marks[p];
            move || {
                visible
                    .get()
                    .then(|| untrack(|| card_view(prefix, p, &presenters[p], &grades, &aspects, mark)))
            }
        })
        .collect_view();
    // One listener for the whole form: each control says in its name (or data attributes)
    // which presenter, aspect and grade it is.
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(tap) = event_target_input(&ev).and_then(|i| tap_of_radio(prefix, &i.name(), &i.value())) {
            on_tap.run(tap);
        }
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        let fill = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("button[data-fill]").ok().flatten());
        if let Some(button) = fill
            && let Some((p, g)) = button
                .get_attribute("data-fill")
                .and_then(|v| v.split_once('-').map(|(p, g)| (p.parse().ok(), g.parse().ok())))
            && let (Some(presenter), Some(grade)) = (p, g)
        {
            on_tap.run(Tap::Fill { presenter, grade });
        }
    };
    let columns = format!("--grades: {}", meeting.grades().len());
    view! { <div class="rating" style=columns on:change=on_change on:click=on_click>{cards}</div> }
}

/// Cards built before the first paint; the rest follow in batches of this size per frame.
const FIRST_CARDS: usize = 6;

/// Raises `shown` by [`FIRST_CARDS`] each animation frame until every card is built. Stops
/// quietly if the form is gone (the signal disposed).
fn grow_in_frames(shown: RwSignal<usize>, count: usize) {
    request_animation_frame(move || {
        let more = shown
            .try_update(|s| {
                *s = (*s + FIRST_CARDS).min(count);
                *s < count
            })
            .unwrap_or(false);
        if more {
            grow_in_frames(shown, count);
        }
    });
}

fn event_target_input(ev: &leptos::ev::Event) -> Option<web_sys::HtmlInputElement> {
    use wasm_bindgen::JsCast;
    ev.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()
}

/// The tap a radio stands for, from its name and value: `{prefix}-g-{presenter}-{aspect}`
/// with the grade as value, or `{prefix}-m-{presenter}` with rate / recuse / abstain.
fn tap_of_radio(prefix: &str, name: &str, value: &str) -> Option<Tap> {
    let rest = name.strip_prefix(prefix)?.strip_prefix('-')?;
    if let Some(rest) = rest.strip_prefix("g-") {
        let (p, a) = rest.split_once('-')?;
        return Some(Tap::Grade {
            presenter: p.parse().ok()?,
            aspect: a.parse().ok()?,
            grade: value.parse().ok()?,
        });
    }
    let presenter = rest.strip_prefix("m-")?.parse().ok()?;
    match value {
        "rate" => Some(Tap::Rate { presenter }),
        "recuse" => Some(Tap::Recuse { presenter }),
        "abstain" => Some(Tap::Abstain { presenter }),
        _ => None,
    }
}

/// One presenter's card: name, how they are rated, quick fills and the aspect grid. Its
/// radios carry no handlers of their own (the form listens once) and no reactive bindings
/// (one effect sets them from the presenter's marks).
fn card_view(
    prefix: &'static str,
    p: usize,
    (name, place): &(String, String),
    grades: &[String],
    aspects: &[String],
    mark: RwSignal<Option<DraftMark>>,
) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let card = NodeRef::<leptos::html::Article>::new();
    Effect::new(move |_| {
        let current = mark.get();
        if let Some(card) = card.get() {
            sync_radios(&card, prefix, p, current.as_ref());
        }
    });
    let is_rating = move || matches!(mark.get(), Some(DraftMark::Rating(_)) | None);
    let done = Memo::new(move |_| mark.with(|m| m.as_ref().is_some_and(DraftMark::is_complete)));
    // The quick fills head the grade columns of the matrix: "全部好" above every 好.
    let fill_buttons = grades
        .iter()
        .enumerate()
        .map(|(g, grade)| {
            view! {
                <button type="button" class="button rating__fill" data-fill=format!("{p}-{g}")>
                    <Said text=msg!(rating_form.all, grade = grade.clone()) />
                </button>
            }
        })
        .collect_view();
    let aspect_sets = aspects
        .iter()
        .enumerate()
        .map(|(a, aspect)| {
            let radios = grades
                .iter()
                .enumerate()
                .map(|(g, grade)| {
                    view! {
                        <label class="rating__choice" data-grade=g>
                            <input type="radio" name=format!("{prefix}-g-{p}-{a}") value=g />
                            <span>{grade.clone()}</span>
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
    let mode_radio = move |value: &'static str, label: super::LocalText| {
        view! {
            <label class="rating__mode-choice">
                <input type="radio" name=format!("{prefix}-m-{p}") value=value />
                {move || label(i18n.get_locale())}
            </label>
        }
    };
    view! {
        <article class="rating__presenter" id=presenter_anchor(prefix, p) node_ref=card
            data-done=move || if done.get() { "yes" } else { "no" }>
            <header class="rating__head">
                <span class="rating__number">{p + 1}</span>
                <span class="rating__name">{name.clone()}</span>
                <span class="rating__unit">{place.clone()}</span>
                <span class="rating__status" aria-hidden="true">{move || if done.get() { "✓" } else { "" }}</span>
                <fieldset class="rating__mode">
                    <legend class="visually-hidden"><super::Said text=msg!(rating_form.how_you_rate, name = name.clone()) /></legend>
                    {mode_radio("rate", |l| td_string!(l, rating_form.mode_rate).to_string())}
                    {mode_radio("recuse", |l| td_string!(l, rating_form.mode_recuse).to_string())}
                    {mode_radio("abstain", |l| td_string!(l, rating_form.mode_abstain).to_string())}
                </fieldset>
            </header>
            // A matrix: one row per aspect, its grades in one line under the quick-fill column heads.
            <div class="rating__grades" hidden=move || !is_rating()>
                <div class="rating__fills">{fill_buttons}</div>
                <div class="rating__aspects">{aspect_sets}</div>
            </div>
        </article>
    }
}

/// Sets the `checked` state of one presenter's radios from its marks: the grade radios
/// (`{prefix}-g-{p}-{aspect}`, value = grade) and the mode radios (`{prefix}-m-{p}`).
fn sync_radios(card: &web_sys::HtmlElement, prefix: &str, presenter: usize, mark: Option<&DraftMark>) {
    use wasm_bindgen::JsCast;
    let Ok(inputs) = card.query_selector_all("input[type=radio]") else {
        return;
    };
    let mode = match mark {
        Some(DraftMark::Recused) => "recuse",
        Some(DraftMark::Abstained) => "abstain",
        _ => "rate",
    };
    let grade_prefix = format!("{prefix}-g-{presenter}-");
    for i in 0..inputs.length() {
        let Some(input) = inputs
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            continue;
        };
        let name = input.name();
        let value = input.value();
        let wanted = if let Some(aspect) = name.strip_prefix(&grade_prefix) {
            let slot = match (mark, aspect.parse::<usize>()) {
                (Some(DraftMark::Rating(slots)), Ok(a)) => slots.get(a).copied().flatten(),
                _ => None,
            };
            slot.is_some_and(|g| value == g.to_string())
        } else {
            value == mode
        };
        if input.checked() != wanted {
            input.set_checked(wanted);
        }
    }
}

/// One line per presenter summarising a draft, for the review step.
pub fn summary_line(meeting: &Meeting, mark: &DraftMark) -> super::Message {
    match mark {
        DraftMark::Recused => msg!(rating_form.recused),
        DraftMark::Abstained => msg!(rating_form.abstained),
        DraftMark::Rating(slots) => {
            if slots.iter().all(Option::is_none) {
                return msg!(rating_form.not_rated);
            }
            let counts = meeting
                .grades()
                .iter()
                .enumerate()
                .filter_map(|(g, grade)| {
                    let n = slots.iter().filter(|s| **s == Some(g as u8)).count();
                    (n > 0).then(|| format!("{}×{n}", grade.name))
                })
                .collect::<Vec<_>>()
                .join(" ");
            super::Message::new(move |_| counts.clone())
        }
    }
}
