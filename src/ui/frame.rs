//! The page frame both builds share: the red header with the language switch, the banners
//! about storage and offline use, and the main column.

use crate::browser::offline::OfflineGap;
use crate::browser::storage::StorageFailure;
use crate::i18n::{t, use_i18n};
use crate::msg;
use leptos::prelude::*;

/// Header, banners, then the page's own content in `<main>`.
#[component]
pub fn Frame(
    /// Why the durable store could not be opened, if it could not.
    store_problem: Option<StorageFailure>,
    /// The last setting that could not be saved.
    storage_problem: ReadSignal<Option<StorageFailure>>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let offline_problem = crate::browser::offline::offline_unavailable_reason();
    view! {
        <header class="app-header">
            <span class="app-header__name" lang="zh-CN">"评议"</span>
            <span class="app-header__latin" lang="en">"Pingyi"</span>
            <super::LanguageSwitch />
        </header>
        {move || {
            storage_problem
                .get()
                .map(|problem| {
                    view! {
                        <p class="banner" data-state="error" role="alert">
                            <super::Said text=super::Message::core(problem) />
                        </p>
                    }
                })
        }}
        {store_problem.map(|problem| view! {
            <p class="banner" data-state="error" role="alert" data-testid="store-problem">
                <super::Said text=msg!(app.records_cannot_be_saved, problem = super::Message::core(problem)) />
            </p>
        })}
        {offline_problem.map(|gap| view! {
            <p class="banner" data-state="warning" role="note">
                {match gap {
                    OfflineGap::PlainHttp => t!(i18n, app.plain_http).into_any(),
                    OfflineGap::NoServiceWorker => t!(i18n, app.no_service_worker).into_any(),
                }}
            </p>
        })}
        <main class="app-main">{children()}</main>
    }
}
