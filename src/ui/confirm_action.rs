//! A destructive or final action behind a second, explicit click: the button turns into the
//! question, a confirm button and a cancel button.

use leptos::prelude::*;

use super::Bilingual;

/// The texts of one confirmed action, Chinese and English.
#[derive(Clone, Copy)]
pub struct ConfirmTexts {
    /// The first button.
    pub action: (&'static str, &'static str),
    /// The question asked before doing it.
    pub question: (&'static str, &'static str),
    /// The button that does it.
    pub confirm: (&'static str, &'static str),
    /// The button that keeps things as they are.
    pub cancel: (&'static str, &'static str),
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
                <span class="confirm" role="group" aria-label=super::tr(texts.question.0, texts.question.1)>
                    <Bilingual zh=texts.question.0 en=texts.question.1 />
                    <button class="button" data-variant="danger" on:click=move |_| {
                        asking.set(false);
                        on_confirm.run(());
                    }>
                        <Bilingual zh=texts.confirm.0 en=texts.confirm.1 />
                    </button>
                    <button class="button" on:click=move |_| asking.set(false)>
                        <Bilingual zh=texts.cancel.0 en=texts.cancel.1 />
                    </button>
                </span>
            }
            .into_any()
        } else {
            view! {
                <button class="button" data-variant=variant on:click=move |_| asking.set(true)>
                    <Bilingual zh=texts.action.0 en=texts.action.1 />
                </button>
            }
            .into_any()
        }
    }
}
