//! "Verify a result file": the same checks as `pingyi verify`, for anyone with the file.

use leptos::prelude::*;

use super::{Bilingual, Said};
use crate::browser::file::with_chosen_file;
use crate::domain::result_file::{Verdict, verify_result};

/// A file picker and the verdict on the chosen file, check by check.
#[component]
pub fn VerifyPage() -> impl IntoView {
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
                <Bilingual zh="验证结果文件" en="Verify a result file" />
            </h1>
            <p class="notice" data-state="waiting">
                <Bilingual
                    zh="检查主持人电脑签名、每张选票的平板签名和编号、选票码，并按选票重新计票。文件不会离开本机。"
                    en="Checks the host signature, every ballot's tablet signature and numbering, the ballot codes, and recounts the tally from the ballots. The file never leaves this device."
                />
            </p>
            <label class="file-pick">
                <Bilingual zh="选择结果文件" en="Choose a result file" />
                <input type="file" accept=".json,application/json" on:change=on_change />
            </label>
            <div class="verify-page__outcome" aria-live="polite">
                {move || outcome.get().map(render_outcome)}
            </div>
        </section>
    }
}

fn render_outcome(outcome: Result<(String, Verdict), String>) -> AnyView {
    match outcome {
        Err(message) => {
            view! { <p class="banner" data-state="error" role="alert"><Said text=message /></p> }.into_any()
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
                        .map(|p| view! { <li><Said text=p.clone() /></li> })
                        .collect_view();
                    view! {
                        <li class="verdict__check" data-state=if check.holds() { "pass" } else { "fail" }>
                            <span class="verdict__mark">{if check.holds() { view! { <Bilingual zh="✓ 通过" en="✓ PASS" /> } } else { view! { <Bilingual zh="✗ 未通过" en="✗ FAIL" /> } }}</span>
                            " " <Said text=check.title />
                            <ul>{problems}</ul>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <article class="verdict" data-state=if holds { "pass" } else { "fail" }>
                    <h2 class="verdict__title">
                        <Said text=if holds { "验证通过 — verification passed" } else { "验证未通过 — verification FAILED" } />
                    </h2>
                    <p>
                        {name} " · " {verdict.meeting_title.clone()} " · "
                        <Bilingual zh="主持人电脑公钥指纹" en="host key fingerprint" /> " "
                        <strong class="fingerprint">{verdict.host_fingerprint.clone()}</strong>
                    </p>
                    <p>
                        <Bilingual zh="已接受选票" en="accepted ballots" /> " " {verdict.accepted} " · "
                        <Bilingual zh="被拒选票" en="rejected" /> " " {verdict.rejected}
                    </p>
                    <ul class="verdict__checks">{checks}</ul>
                </article>
            }
            .into_any()
        }
    }
}
