//! Overriding a presenter's level after voting closed (for example on the assessment group's
//! decision): choose the presenter and the level, write the reason, confirm. The computed
//! level stays beside it on the board, in the report and in the result file; the audit log
//! records who was changed, from what, to what and why.

use leptos::prelude::*;

use crate::i18n::{t, td_string, use_i18n};
use crate::msg;

use super::host_app::host_context;
use super::{ConfirmAction, ConfirmTexts, Message, Said};
use crate::browser::platform;
use crate::domain::level::Level;

/// The override panel of the close step (shown once voting is closed).
#[component]
pub fn LevelOverrides() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = host_context();
    let presenter = RwSignal::new(String::new());
    let level = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Message>);
    let ctx_options = ctx.clone();
    // Rated presenters in ranking order, with the level that stands now.
    let options = move || {
        ctx_options
            .with_host(|h| {
                let tally = h.tally();
                h.final_ranking_rows(&tally)
                    .into_iter()
                    .filter(|r| r.level.is_some())
                    .filter_map(|r| {
                        let index = h.meeting().presenter_index(&r.presenter)?;
                        let label = format!("{}. {} — ", r.rank.unwrap_or_default(), r.name);
                        let now = super::level_message(h.meeting().rules().names, r.level.as_deref());
                        Some(view! { <option value=index.to_string()>{label}<Said text=now /></option> })
                    })
                    .collect_view()
            })
            .unwrap_or_default()
    };
    let names = ctx.with_host(|h| h.meeting().rules().names).unwrap_or_default();
    let levels = Level::ALL
        .into_iter()
        .map(|l| view! { <option value=l.as_str()><Said text=super::level_message(names, Some(l.as_str())) /></option> })
        .collect_view();
    let ctx_apply = ctx.clone();
    let apply = move || {
        let chosen = presenter.get_untracked().parse::<usize>().ok();
        let to = Level::parse(&level.get_untracked());
        let (Some(p), Some(to)) = (chosen, to) else {
            message.set(Some(msg!(host_override.choose_the_presenter_and_the)));
            return;
        };
        let now = platform::now();
        match ctx_apply.act(|h| h.override_level(p, to, &reason.get_untracked(), &now)) {
            Some(Ok(())) => {
                reason.set(String::new());
                message.set(Some(msg!(host_override.the_level_is_overridden_and)));
            }
            Some(Err(e)) => message.set(Some(Message::core(e))),
            None => {}
        }
    };
    let made = move || {
        ctx.with_host(|h| {
            h.overrides()
                .iter()
                .map(|o| {
                    let name = h
                        .meeting()
                        .presenter_index(&o.presenter)
                        .map(|i| h.meeting().presenters()[i].name.clone())
                        .unwrap_or_else(|| o.presenter.clone());
                    let word = |id: &str| view! { <Said text=super::level_message(h.meeting().rules().names, Some(id)) /> };
                    let time = o.time.clone();
                    view! {
                        <tr>
                            <td>{name}</td><td>{word(&o.computed)}</td><td>{word(&o.level)}</td><td>{o.reason.clone()}</td>
                            <td>{move || super::format_time(super::current_locale(), &time)}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="panel overrides" aria-labelledby="overrides-title">
            <h2 id="overrides-title">{t!(i18n, host_override.override_a_level)}</h2>
            <p class="notice">{t!(i18n, host_override.only_on_the_assessment_group)}</p>
            <div class="form form__row">
                <label class="field"><span>{t!(i18n, host_override.presenter)}</span>
                    <select name="override-presenter" on:change=move |ev| presenter.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {options}
                    </select></label>
                <label class="field"><span>{t!(i18n, host_override.new_level)}</span>
                    <select name="override-level" on:change=move |ev| level.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {levels}
                    </select></label>
                <label class="field"><span>{t!(i18n, host_override.reason_goes_into_the_audit)}</span>
                    <input name="override-reason" autocomplete="off" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) /></label>
            </div>
            <ConfirmAction variant="danger" on_confirm=Callback::new(move |()| apply()) texts=ConfirmTexts {
                action: |l| td_string!(l, host_override.override_the_level).to_string(),
                question: |l| td_string!(l, host_override.override_this_presenter_s_level).to_string(),
                confirm: |l| td_string!(l, host_override.override_).to_string(),
                cancel: |l| td_string!(l, host_override.cancel).to_string(),
            } />
            {move || message.get().map(|m| view! { <p class="notice" role="status"><Said text=m /></p> })}
            <table class="table" data-testid="overrides">
                <thead><tr>
                    <th>{t!(i18n, host_override.col_presenter)}</th><th>{t!(i18n, host_override.col_computed)}</th>
                    <th>{t!(i18n, host_override.col_level)}</th><th>{t!(i18n, host_override.col_reason)}</th>
                    <th>{t!(i18n, host_override.col_time)}</th>
                </tr></thead>
                <tbody>{made}</tbody>
            </table>
        </section>
    }
}
