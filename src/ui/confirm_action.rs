//! A destructive or final action behind a second, explicit click: the button turns into the
//! question, a confirm button and a cancel button.

use leptos::prelude::*;

use super::{Locale, current_locale};

/// A text of the locale files in a given language: `|l| td_string!(l, screen.key).to_string()`.
pub type LocalText = fn(Locale) -> String;

/// The texts of one confirmed action.
#[derive(Clone, Copy)]
pub struct ConfirmTexts {
    /// The first button.
    pub action: LocalText,
    /// The question asked before doing it.
    pub question: LocalText,
    /// The button that does it.
    pub confirm: LocalText,
    /// The button that keeps things as they are.
    pub cancel: LocalText,
}

/// A button that asks before it acts.
#[component]
pub fn ConfirmAction(
    /// What the buttons and the question say.
    texts: ConfirmTexts,
    /// Called once the user confirmed.
    on_confirm: Callback<()>,
    /// `data-variant` of the first button: "primary", "quiet", …
    #[prop(optional)]
    variant: &'static str,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    move || {
        if asking.get() {
            view! {
                <span class="confirm" role="group" aria-label=move || (texts.question)(current_locale())>
                    {move || (texts.question)(current_locale())}
                    <button class="button" data-variant="danger" on:click=move |_| {
                        asking.set(false);
                        on_confirm.run(());
                    }>
                        {move || (texts.confirm)(current_locale())}
                    </button>
                    <button class="button" on:click=move |_| asking.set(false)>
                        {move || (texts.cancel)(current_locale())}
                    </button>
                </span>
            }
            .into_any()
        } else {
            view! {
                <button class="button" data-variant=variant on:click=move |_| asking.set(true)>
                    {move || (texts.action)(current_locale())}
                </button>
            }
            .into_any()
        }
    }
}
