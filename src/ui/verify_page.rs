//! "Verify a result file": the same checks as `pingyi verify`, for anyone with the file.

use leptos::prelude::*;

use crate::i18n::{t, use_i18n};
use crate::msg;

use super::{Message, Said};
use crate::browser::file::with_chosen_file;
use crate::domain::result_file::{Verdict, verify_result};

/// A file picker and the verdict on the chosen file, check by check.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    let (outcome, set_outcome) = signal(None::<Result<(String, Verdict), String>>);
    let on_change = move |ev: leptos::ev::Event| {
        with_chosen_file(&ev, move |result| {
            set_outcome.set(Some(result.and_then(|(name, text)| {
                verify_result(&text).map(|v| (name, v)).map_err(|e| e.to_string())
            })));
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

fn render_outcome(outcome: Result<(String, Verdict), String>) -> AnyView {
    let i18n = use_i18n();
    match outcome {
        Err(message) => {
            view! { <p class="banner" data-state="error" role="alert"><Said text=Message::core(message) /></p> }.into_any()
        }
        Ok((name, verdict)) => {
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
