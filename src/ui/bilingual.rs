//! A label written in Chinese and English, shown in the chosen language (see `language.rs`).

use leptos::prelude::*;

use super::language::{Lang, use_language};

/// The label in the current language, marked with its `lang`.
#[component]
pub fn Bilingual(
    /// The Chinese text.
    zh: &'static str,
    /// The English text.
    en: &'static str,
) -> impl IntoView {
    let lang = use_language();
    move || match lang.get() {
        Lang::Zh => view! { <span class="bilingual" lang="zh-CN">{zh}</span> },
        Lang::En => view! { <span class="bilingual" lang="en">{en}</span> },
    }
}
