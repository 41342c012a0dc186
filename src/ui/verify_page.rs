//! "Verify a result file": the same checks as `pingyi verify`, for anyone with the file.

use leptos::prelude::*;

use crate::i18n::{t, use_i18n};
use crate::msg;

use super::{Message, Said};
use crate::browser::file::with_chosen_file;
use crate::domain::record::result::{VerdictV2, verify_result_v2};
use crate::domain::result_file::{Verdict, verify_result};

/// A verdict of either version of the result file.
#[derive(Clone)]
enum Checked {
    V1(String, Verdict),
    V2(String, VerdictV2),
}

/// Verifies a result file by the rules of its version (2: counts; 1: ballots, older builds).
fn check_any(name: String, text: &str) -> Result<Checked, String> {
    #[derive(serde::Deserialize)]
    struct Version {
        version: u64,
    }
    let version = serde_json::from_str::<Version>(text.trim_start_matches('\u{feff}')).map(|v| v.version);
    if version.ok() == Some(1) {
        verify_result(text)
            .map(|v| Checked::V1(name, v))
            .map_err(|e| e.to_string())
    } else {
        verify_result_v2(text, None)
            .map(|v| Checked::V2(name, v))
            .map_err(|e| e.to_string())
    }
}

/// A file picker and the verdict on the chosen file, check by check.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    let (outcome, set_outcome) = signal(None::<Result<Checked, String>>);
    let on_change = move |ev: leptos::ev::Event| {
        with_chosen_file(&ev, move |result| {
            set_outcome.set(Some(result.and_then(|(name, text)| check_any(name, &text))));
        });
    };
    view! {
        <section class="screen verify-page" aria-labelledby="verify-title">
            <h1 id="verify-title" class="screen__title">
                {t!(i18n, verify_page.verify_a_result_file)}
            </h1>
            <p class="notice" data-state="waiting">
                {t!(i18n, verify_page.checks_the_host_signature_every)}
            </p>
            <label class="file-pick">
                {t!(i18n, verify_page.choose_a_result_file)}
                <input type="file" accept=".json,application/json" on:change=on_change />
            </label>
            <div class="verify-page__outcome" aria-live="polite">
                {move || outcome.get().map(render_outcome)}
            </div>
        </section>
    }
}

fn render_outcome(outcome: Result<Checked, String>) -> AnyView {
    let i18n = use_i18n();
    match outcome {
        Err(message) => {
            view! { <p class="banner" data-state="error" role="alert"><Said text=Message::core(message) /></p> }.into_any()
        }
        Ok(Checked::V2(name, verdict)) => render_v2(name, verdict),
        Ok(Checked::V1(name, verdict)) => {
            let holds = verdict.holds();
            let checks = verdict
                .checks
                .iter()
                .map(|check| {
                    let problems = check
                        .problems
                        .iter()
                        .map(|p| view! { <li><Said text=Message::core(p) /></li> })
                        .collect_view();
                    view! {
                        <li class="verdict__check" data-state=if check.holds() { "pass" } else { "fail" }>
                            <span class="verdict__mark">{if check.holds() { t!(i18n, verify_page.pass).into_any() } else { t!(i18n, verify_page.fail).into_any() }}</span>
                            " " <Said text=Message::core(check.title) />
                            <ul>{problems}</ul>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <article class="verdict" data-state=if holds { "pass" } else { "fail" }>
                    <h2 class="verdict__title">
                        <Said text=if holds { msg!(verify_page.verification_passed) } else { msg!(verify_page.verification_failed) } />
                    </h2>
                    <p>
                        {name} " · " {verdict.meeting_title.clone()} " · "
                        {t!(i18n, verify_page.host_key_fingerprint)} " "
                        <strong class="fingerprint">{verdict.host_fingerprint.clone()}</strong>
                    </p>
                    <p>
                        {t!(i18n, verify_page.accepted_ballots)} " " {verdict.accepted} " · "
                        {t!(i18n, verify_page.rejected)} " " {verdict.rejected}
                    </p>
                    <ul class="verdict__checks">{checks}</ul>
                </article>
            }
            .into_any()
        }
    }
}

/// The verdict on a version-2 file: every problem by its id and words; the counts and the
/// ranking recomputed from the published counts.
fn render_v2(name: String, verdict: VerdictV2) -> AnyView {
    let i18n = use_i18n();
    let holds = verdict.holds();
    let problems = verdict
        .problems
        .iter()
        .map(|p| view! { <li class="verdict__check" data-state="fail" data-id=p.id()><code>{p.id()}</code> " " <Said text=Message::core(p) /></li> })
        .collect_view();
    let groups = verdict
        .tally_groups
        .iter()
        .map(|g| view! { <li>{g.group.clone()} ": " {g.counted} " (" {g.blank} " / " {g.paper} ")"</li> })
        .collect_view();
    let ranking = verdict
        .ranking
        .iter()
        .map(|r| {
            view! {
                <tr>
                    <td class="num">{r.rank.map(|x| x.to_string()).unwrap_or_default()}</td>
                    <td>{r.name.clone()}</td>
                    <td class="num">{r.score_display.clone().unwrap_or_default()}</td>
                    <td><Said text=super::level_message(verdict.level_names, r.level.as_deref()) /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <article class="verdict" data-state=if holds { "pass" } else { "fail" } data-version="2">
            <h2 class="verdict__title">
                <Said text=if holds { msg!(verify_page.verification_passed) } else { msg!(verify_page.verification_failed) } />
            </h2>
            <p>
                {name} " · " {verdict.meeting_title.clone()} " · "
                {t!(i18n, verify_page.host_key_fingerprint)} " "
                <strong class="fingerprint">{verdict.host_fingerprint.clone()}</strong>
            </p>
            {verdict.code_list.clone().map(|d| view! { <p>{t!(i18n, verify_page.code_list)} " " <strong class="fingerprint">{d}</strong></p> })}
            <p><Said text=msg!(verify_page.v2_summary, tablets = verdict.tablets, batches = verdict.batches) /></p>
            {holds.then(|| view! { <p class="verdict__check" data-state="pass">{t!(i18n, verify_page.v2_all_checks)}</p> })}
            <ul class="verdict__checks">{problems}</ul>
            <p>{t!(i18n, verify_page.counted_per_group)}</p>
            <ul>{groups}</ul>
            <table class="table" data-testid="verified-ranking"><tbody>{ranking}</tbody></table>
        </article>
    }
    .into_any()
}
