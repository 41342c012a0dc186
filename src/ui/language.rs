//! The language of the screens: Chinese (zh-CN, the default) or English, switchable at any
//! time from the header and remembered on the device. The first visit follows the browser's
//! language. Files stay language-neutral (ids, not words); the CSV headers and the printed
//! report follow the chosen language.
//!
//! Every text of the screens lives in `locales/zh.json` and `locales/en.json`; leptos_i18n
//! turns them into typed keys at build time (`build.rs`), so a missing key or a misspelt
//! interpolation is a compile error, and `t!(i18n, screen.key)` shows the text in the chosen
//! language. A text raised now and shown later (a notice, an error) travels as a [`Message`],
//! which is rendered in the language of the moment it is shown.
//!
//! The rules core does not know Leptos: its error messages carry both languages, written
//! "中文 — English" (the command-line tool prints them whole). [`Message::core`] shows the half
//! for the chosen language.
//!
//! Dates and times are formatted for the language with the browser's `Intl.DateTimeFormat`.
//! Scores, percentages and counts keep the rules core's exact decimal text: Chinese and English
//! write them alike (the same digits, decimal point and "%").

use std::fmt;
use std::sync::Arc;

use leptos::prelude::*;

use crate::browser::storage::{self, LANGUAGE_KEY};
use crate::domain::level::{Level, LevelNames};
pub use crate::i18n::Locale;
use crate::i18n::use_i18n;

/// The value of the `lang` attribute for a locale.
pub fn lang_tag(locale: Locale) -> &'static str {
    match locale {
        Locale::zh => "zh-CN",
        Locale::en => "en",
    }
}

/// The stored choice, else the browser's language (English only if the browser asks for it).
fn initial() -> Locale {
    if let Ok(Some(locale)) = storage::load::<Locale>(LANGUAGE_KEY) {
        return locale;
    }
    let browser = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_default();
    if browser.to_ascii_lowercase().starts_with("en") {
        Locale::en
    } else {
        Locale::zh
    }
}

/// Creates the i18n context for every component below, in the remembered language, and keeps
/// `<html lang>` in step.
pub fn provide_language() {
    // A context whose first locale is given (the library's main context would follow the
    // browser's languages only); nothing is kept in a cookie.
    let i18n = leptos_i18n::context::init_i18n_subcontext::<Locale>(Some(Signal::stored(initial())));
    provide_context(i18n);
    Effect::new(move |_| {
        let tag = lang_tag(i18n.get_locale());
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", tag);
        }
    });
}

/// The current language, tracked (Chinese outside an app, for example in component tests).
pub fn current_locale() -> Locale {
    use_context::<leptos_i18n::I18nContext<Locale>>().map_or(Locale::zh, |i18n| i18n.get_locale())
}

/// The half of a "中文 — English" text of the rules core for `locale`; a text without the
/// separator is shown as it is.
pub fn pick(locale: Locale, text: &str) -> String {
    match text.split_once(" — ") {
        Some((zh, en)) => match locale {
            Locale::zh => zh.trim().to_owned(),
            Locale::en => en.trim().to_owned(),
        },
        None => text.to_owned(),
    }
}

/// A text raised now and shown later, in the language chosen when it is shown.
#[derive(Clone)]
pub struct Message(Arc<dyn Fn(Locale) -> String + Send + Sync>);

impl Message {
    /// A message from the locale files; usually written with [`msg!`](crate::msg).
    pub fn new(text: impl Fn(Locale) -> String + Send + Sync + 'static) -> Self {
        Self(Arc::new(text))
    }

    /// A message of the rules core ("中文 — English", see the module documentation).
    pub fn core(text: impl fmt::Display) -> Self {
        let text = text.to_string();
        Self::new(move |locale| pick(locale, &text))
    }

    /// The message in `locale`.
    pub fn text(&self, locale: Locale) -> String {
        (self.0)(locale)
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Message").field(&self.text(Locale::en)).finish()
    }
}

/// A value put into a message: plain values as they print, messages in the message's locale.
pub trait LocalArg {
    fn in_locale(&self, locale: Locale) -> String;
}

impl<T: fmt::Display> LocalArg for T {
    fn in_locale(&self, _: Locale) -> String {
        self.to_string()
    }
}

impl LocalArg for Message {
    fn in_locale(&self, locale: Locale) -> String {
        self.text(locale)
    }
}

/// A [`Message`] from a key of the locale files, with its interpolations:
/// `msg!(host_setup.lines, n = count)`. An interpolated [`Message`] follows the language.
#[macro_export]
macro_rules! msg {
    ($($key:ident).+ $(, $name:ident = $value:expr)* $(,)?) => {{
        // `msg!(key, n = n)` moves `n` in as it is.
        $(#[allow(clippy::redundant_locals)]
        let $name = $value;)*
        $crate::ui::Message::new(move |locale| {
            $(let $name = $crate::ui::LocalArg::in_locale(&$name, locale);)*
            $crate::i18n::td_string!(locale, $($key).+ $(, $name)*).to_string()
        })
    }};
}

/// A level's name in `locale`, in the meeting's name set (优秀 / 称职 …, 优秀 / 合格 …, 满意 …).
pub fn level_name(locale: Locale, names: LevelNames, level: Level) -> String {
    match locale {
        Locale::zh => names.name_zh(level).to_owned(),
        Locale::en => names.name_en(level).to_owned(),
    }
}

/// A level id ("basic") in words, as a message; "—" when there is none.
pub fn level_message(names: LevelNames, id: Option<&str>) -> Message {
    match id.and_then(Level::parse) {
        Some(level) => Message::new(move |locale| level_name(locale, names, level)),
        None => Message::new(|_| "—".to_owned()),
    }
}

/// `Intl.DateTimeFormat` options of a meeting date (a calendar day, not a moment).
const DATE_FIELDS: &[(&str, &str)] = &[
    ("year", "numeric"),
    ("month", "long"),
    ("day", "numeric"),
    ("timeZone", "UTC"),
];

/// `Intl.DateTimeFormat` options of a logged moment, to the second, 24-hour clock.
const TIME_FIELDS: &[(&str, &str)] = &[
    ("year", "numeric"),
    ("month", "2-digit"),
    ("day", "2-digit"),
    ("hour", "2-digit"),
    ("minute", "2-digit"),
    ("second", "2-digit"),
    ("hourCycle", "h23"),
];

/// A calendar date ("2026-11-27") as the language writes it: "2026年11月27日",
/// "November 27, 2026". Anything that is not such a date is shown as it is.
pub fn format_date(locale: Locale, date: &str) -> String {
    let parts: Vec<_> = date.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return date.to_owned();
    };
    let (Ok(year), Ok(month), Ok(day)) = (year.parse::<u32>(), month.parse::<u32>(), day.parse::<u32>())
    else {
        return date.to_owned();
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return date.to_owned();
    }
    let when = js_sys::Date::new(&format!("{year:04}-{month:02}-{day:02}T00:00:00Z").into());
    intl_format(locale, DATE_FIELDS, &when).unwrap_or_else(|| date.to_owned())
}

/// A moment stored as ISO 8601 UTC ("2026-11-27T02:15:09.123Z") in local time, as the
/// language writes it: "2026/11/27 10:15:09", "11/27/2026, 10:15:09". Anything else is shown
/// as it is.
pub fn format_time(locale: Locale, iso: &str) -> String {
    let when = js_sys::Date::new(&iso.into());
    if when.get_time().is_nan() {
        return iso.to_owned();
    }
    intl_format(locale, TIME_FIELDS, &when).unwrap_or_else(|| iso.to_owned())
}

/// `when` through `Intl.DateTimeFormat` with the given option fields.
fn intl_format(locale: Locale, fields: &[(&str, &str)], when: &js_sys::Date) -> Option<String> {
    let options = js_sys::Object::new();
    for (name, value) in fields {
        js_sys::Reflect::set(&options, &(*name).into(), &(*value).into()).ok()?;
    }
    let locales = js_sys::Array::of1(&lang_tag(locale).into());
    let format = js_sys::Intl::DateTimeFormat::new(&locales, &options).format();
    format.call1(&wasm_bindgen::JsValue::NULL, when).ok()?.as_string()
}

/// A run-time message in the current language. Shown on its own, an English message starts
/// with a capital letter (the rules core writes its messages to fit inside a sentence too).
#[component]
pub fn Said(
    /// The message.
    text: Message,
) -> impl IntoView {
    // The context is looked up once, not on every change.
    let i18n = use_context::<leptos_i18n::I18nContext<Locale>>();
    move || {
        let locale = i18n.map_or(Locale::zh, |i18n| i18n.get_locale());
        let shown = text.text(locale);
        match locale {
            Locale::en => sentence_case(&shown),
            Locale::zh => shown,
        }
    }
}

/// The text with its first letter capitalised.
fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The header button that switches the language; the choice is stored at once.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let toggle = move |_| {
        let next = match i18n.get_locale_untracked() {
            Locale::zh => Locale::en,
            Locale::en => Locale::zh,
        };
        i18n.set_locale(next);
        let _ = storage::save(LANGUAGE_KEY, &next);
    };
    // The button names the other language in that language.
    view! {
        <button class="button language-switch" data-variant="quiet" data-testid="language" on:click=toggle
            aria-label=move || match i18n.get_locale() { Locale::zh => "Switch to English", Locale::en => "切换到中文" }>
            {move || match i18n.get_locale() {
                Locale::zh => view! { <span lang="en">"English"</span> }.into_any(),
                Locale::en => view! { <span lang="zh-CN">"中文"</span> }.into_any(),
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
        assert_eq!(pick(Locale::zh, text), "文件超过 64 MiB");
        assert_eq!(pick(Locale::en, text), "the file is larger than 64 MiB");
        assert_eq!(pick(Locale::en, "P01"), "P01");
        assert_eq!(
            sentence_case("presenter no. 2 still has 7 aspects"),
            "Presenter no. 2 still has 7 aspects"
        );
        assert_eq!(sentence_case("✓ accepted"), "✓ accepted");
        assert_eq!(sentence_case(""), "");
    }

    #[test]
    fn a_message_is_rendered_in_the_language_of_the_moment() {
        let rejected = msg!(
            host_collect.rejected,
            reason = Message::core("签名无效 — bad signature")
        );
        assert_eq!(rejected.text(Locale::zh), "拒收：签名无效");
        assert_eq!(rejected.text(Locale::en), "rejected: bad signature");
        for (locale, names, level, word) in [
            (
                Locale::en,
                LevelNames::CivilServant,
                Level::Basic,
                "basically competent",
            ),
            (Locale::zh, LevelNames::CivilServant, Level::Basic, "基本称职"),
            (Locale::zh, LevelNames::Institution, Level::Basic, "基本合格"),
            (Locale::zh, LevelNames::Satisfaction, Level::Excellent, "满意"),
        ] {
            assert_eq!(level_name(locale, names, level), word);
        }
    }
}
