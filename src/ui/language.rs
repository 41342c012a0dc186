//! The language of the screens: Chinese (zh-CN, the default) or English, switchable at any
//! time from the header and remembered on the device. The first visit follows the browser's
//! language. Files stay language-neutral (ids, not words); the CSV headers and the printed
//! report follow the chosen language.
//!
//! Every text is written once, in both languages, where it is used: `<Bilingual zh en>` for
//! labels, and "中文 — English" for messages built at run time (every error of the rules core
//! reads that way). [`pick`] chooses the half for the current language.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::browser::storage::{self, LANGUAGE_KEY};

/// A screen language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The value of the `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// The stored choice, else the browser's language (English only if the browser asks for it).
fn initial() -> Lang {
    if let Ok(Some(lang)) = storage::load::<Lang>(LANGUAGE_KEY) {
        return lang;
    }
    let browser = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_default();
    if browser.to_ascii_lowercase().starts_with("en") {
        Lang::En
    } else {
        Lang::Zh
    }
}

/// Makes the language available to every component, and keeps `<html lang>` in step.
pub fn provide_language() -> RwSignal<Lang> {
    let lang = RwSignal::new(initial());
    provide_context(lang);
    Effect::new(move |_| {
        let tag = lang.get().tag();
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", tag);
        }
    });
    lang
}

/// The current language (Chinese outside an app, for example in component tests).
pub fn use_language() -> RwSignal<Lang> {
    use_context::<RwSignal<Lang>>().unwrap_or_else(|| RwSignal::new(Lang::Zh))
}

/// The half of a "中文 — English" text for `lang`; a text without the separator is shown as
/// it is.
pub fn pick(lang: Lang, text: &str) -> String {
    match text.split_once(" — ") {
        Some((zh, en)) => match lang {
            Lang::Zh => zh.trim().to_owned(),
            Lang::En => en.trim().to_owned(),
        },
        None => text.to_owned(),
    }
}

/// A reactive text for attributes and options: `aria-label=tr("中文", "English")`.
pub fn tr(zh: &'static str, en: &'static str) -> impl Fn() -> &'static str + Clone + Send + Sync + 'static {
    let lang = use_language();
    move || match lang.get() {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A level's name in `lang`.
pub fn level_name(lang: Lang, level: crate::domain::level::Level) -> &'static str {
    match lang {
        Lang::Zh => level.name_zh(),
        Lang::En => level.name_en(),
    }
}

/// Two "中文 — English" texts as one: "甲乙 — A B".
pub fn join(first: &str, second: &str) -> String {
    let (z1, e1) = first.split_once(" — ").unwrap_or((first, first));
    let (z2, e2) = second.split_once(" — ").unwrap_or((second, second));
    format!("{z1}{z2} — {e1} {e2}")
}

/// A run-time message ("中文 — English") in the current language.
#[component]
pub fn Said(
    /// The message in both languages.
    #[prop(into)]
    text: String,
) -> impl IntoView {
    let lang = use_language();
    move || {
        let l = lang.get();
        view! { <span lang=l.tag()>{pick(l, &text)}</span> }
    }
}

/// The header button that switches the language; the choice is stored at once.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let lang = use_language();
    let toggle = move |_| {
        let next = match lang.get_untracked() {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        };
        lang.set(next);
        let _ = storage::save(LANGUAGE_KEY, &next);
    };
    view! {
        <button class="button language-switch" data-variant="quiet" data-testid="language" on:click=toggle
            aria-label=move || match lang.get() { Lang::Zh => "Switch to English", Lang::En => "切换到中文" }>
            {move || match lang.get() {
                Lang::Zh => view! { <span lang="en">"English"</span> }.into_any(),
                Lang::En => view! { <span lang="zh-CN">"中文"</span> }.into_any(),
            }}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_half_for_the_language() {
        let text = "文件超过 64 MiB — the file is larger than 64 MiB";
        assert_eq!(pick(Lang::Zh, text), "文件超过 64 MiB");
        assert_eq!(pick(Lang::En, text), "the file is larger than 64 MiB");
        assert_eq!(pick(Lang::En, "P01"), "P01");
        assert_eq!(join("甲 — A", "（乙） — (B)"), "甲（乙） — A (B)");
    }
}
