//! Overriding a presenter's level after voting closed (for example on the assessment group's
//! decision): choose the presenter and the level, write the reason, confirm. The computed
//! level stays beside it on the board, in the report and in the result file; the audit log
//! records who was changed, from what, to what and why.

use leptos::prelude::*;

use super::host_app::host_context;
use super::{Bilingual, ConfirmAction, ConfirmTexts, Said};
use crate::browser::platform;
use crate::domain::level::Level;

/// The override panel of the close step (shown once voting is closed).
#[component]
pub fn LevelOverrides() -> impl IntoView {
    let ctx = host_context();
    let presenter = RwSignal::new(String::new());
    let level = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
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
                        let now = r
                            .level
                            .as_deref()
                            .and_then(Level::parse)
                            .map_or("", Level::name_zh);
                        let label = format!("{}. {} — {now}", r.rank.unwrap_or_default(), r.name);
                        Some(view! { <option value=index.to_string()>{label}</option> })
                    })
                    .collect_view()
            })
            .unwrap_or_default()
    };
    let levels = Level::ALL
        .into_iter()
        .map(|l| view! { <option value=l.as_str()>{l.name_zh()}</option> })
        .collect_view();
    let ctx_apply = ctx.clone();
    let apply = move || {
        let chosen = presenter.get_untracked().parse::<usize>().ok();
        let to = Level::parse(&level.get_untracked());
        let (Some(p), Some(to)) = (chosen, to) else {
            message.set(Some(
                "请选择述职人员和等次 — choose the presenter and the level".to_owned(),
            ));
            return;
        };
        let now = platform::now();
        match ctx_apply.act(|h| h.override_level(p, to, &reason.get_untracked(), &now)) {
            Some(Ok(())) => {
                reason.set(String::new());
                message.set(Some(
                    "等次已调整并记入审计日志 — the level is overridden and logged".to_owned(),
                ));
            }
            Some(Err(e)) => message.set(Some(e.to_string())),
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
                    let word = |id: &str| Level::parse(id).map_or("", Level::name_zh);
                    view! {
                        <tr><td>{name}</td><td>{word(&o.computed)}</td><td>{word(&o.level)}</td><td>{o.reason.clone()}</td><td>{o.time.clone()}</td></tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="panel overrides" aria-labelledby="overrides-title">
            <h2 id="overrides-title"><Bilingual zh="调整等次" en="Override a level" /></h2>
            <p class="notice"><Bilingual
                zh="仅在考核组决定时使用。原等次保留并与调整后的等次一同显示、打印和导出。"
                en="Only on the assessment group's decision. The computed level is kept and shown, printed and exported beside the new one." /></p>
            <div class="form form__row">
                <label class="field"><span><Bilingual zh="述职人员" en="Presenter" /></span>
                    <select name="override-presenter" on:change=move |ev| presenter.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {options}
                    </select></label>
                <label class="field"><span><Bilingual zh="调整为" en="New level" /></span>
                    <select name="override-level" on:change=move |ev| level.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {levels}
                    </select></label>
                <label class="field"><span><Bilingual zh="理由（记入审计日志）" en="Reason (goes into the audit log)" /></span>
                    <input name="override-reason" autocomplete="off" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) /></label>
            </div>
            <ConfirmAction variant="danger" on_confirm=Callback::new(move |()| apply()) texts=ConfirmTexts {
                action: ("调整等次", "Override the level"),
                question: ("确定调整该述职人员的等次？", "Override this presenter's level?"),
                confirm: ("确定调整", "Override"),
                cancel: ("取消", "Cancel"),
            } />
            {move || message.get().map(|m| view! { <p class="notice" role="status"><Said text=m /></p> })}
            <table class="table" data-testid="overrides">
                <thead><tr><th>"述职人员"</th><th>"原等次"</th><th>"调整为"</th><th>"理由"</th><th>"时间"</th></tr></thead>
                <tbody>{made}</tbody>
            </table>
        </section>
    }
}
