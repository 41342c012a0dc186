//! A label in Chinese with its English beside it, for the language-neutral screens that come
//! before a language is chosen.

use leptos::prelude::*;

/// Chinese text first, English smaller after it; both marked with their `lang`.
#[component]
pub fn Bilingual(
    /// The Chinese text.
    zh: &'static str,
    /// The English text.
    en: &'static str,
) -> impl IntoView {
    view! {
        <span class="bilingual">
            <span class="bilingual__zh" lang="zh-CN">{zh}</span>
            " "
            <span class="bilingual__en" lang="en">{en}</span>
        </span>
    }
}
