//! The app root: which screen this device shows, remembered across reloads.

use crate::browser::offline::OfflineGap;
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{HostApp, MeetingOverview, RaterApp, StartScreen, VerifyPage};
use crate::browser::storage::{self, DEVICE_ROLE_KEY, StorageFailure};

/// What this device is used for in the hall.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceRole {
    /// The host's projector laptop: set up, draw, collect, board, export.
    Host,
    /// A shared tablet passed along the rows.
    Rater,
}

/// Which screen is on: the start screen, a role's home, or the demo meeting overview.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Screen {
    Start,
    Role(DeviceRole),
    Demo,
    Verify,
}

/// The button that returns to the start screen.
fn back_to_start(set_screen: WriteSignal<Screen>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button class="button" data-variant="quiet" on:click=move |_| set_screen.set(Screen::Start)>
            {t!(i18n, app.back)}
        </button>
    }
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    super::provide_language();
    let i18n = use_i18n();
    let (storage_problem, set_storage_problem) = signal(None::<StorageFailure>);
    // A tablet opening the host's join link is a rater tablet, whatever it was before.
    let joining = crate::browser::platform::fragment().starts_with("join=");
    if joining && let Err(problem) = storage::save(DEVICE_ROLE_KEY, &DeviceRole::Rater) {
        set_storage_problem.set(Some(problem));
    }
    // A join link opened in a tab that already shows the app only changes the fragment: start
    // over so the tablet reads it.
    let on_hash = window_event_listener(leptos::ev::hashchange, |_| {
        if crate::browser::platform::fragment().starts_with("join=")
            && let Some(window) = web_sys::window()
        {
            let _ = window.location().reload();
        }
    });
    on_cleanup(move || on_hash.remove());
    let initial = match storage::load::<DeviceRole>(DEVICE_ROLE_KEY) {
        _ if joining => Screen::Role(DeviceRole::Rater),
        Ok(Some(role)) => Screen::Role(role),
        Ok(None) => Screen::Start,
        Err(problem) => {
            set_storage_problem.set(Some(problem));
            Screen::Start
        }
    };
    let (screen, set_screen) = signal(initial);
    // Private browsing, or Safari clearing a site's data after 7 days without use: the
    // browser does not promise to keep what is stored here, so say to export.
    let volatile = RwSignal::new(false);
    crate::browser::offline::enable_offline(move || volatile.set(true));
    let offline_problem = crate::browser::offline::offline_unavailable_reason();

    // Persist first, then switch: the choice survives a reload the moment it is shown.
    let choose_role = move |role: Option<DeviceRole>| {
        let result = match role {
            Some(role) => storage::save(DEVICE_ROLE_KEY, &role),
            None => {
                storage::remove(DEVICE_ROLE_KEY);
                Ok(())
            }
        };
        set_storage_problem.set(result.err());
        set_screen.set(role.map_or(Screen::Start, Screen::Role));
    };

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
        {offline_problem.map(|gap| view! {
            <p class="banner" data-state="warning" role="note">
                {match gap {
                    OfflineGap::PlainHttp => t!(i18n, app.plain_http).into_any(),
                    OfflineGap::NoServiceWorker => t!(i18n, app.no_service_worker).into_any(),
                }}
            </p>
        })}
        <main class="app-main">
            {move || match screen.get() {
                Screen::Start => {
                    view! {
                        {move || volatile.get().then(|| view! {
                            <p class="notice" data-state="waiting" role="note">
                                {t!(i18n, app.this_browser_does_not_promise)}
                            </p>
                        })}
                        <StartScreen
                            on_choose=Callback::new(move |role| choose_role(Some(role)))
                            on_demo=Callback::new(move |()| set_screen.set(Screen::Demo))
                            on_verify=Callback::new(move |()| set_screen.set(Screen::Verify))
                        />
                    }
                        .into_any()
                }
                Screen::Role(DeviceRole::Host) => {
                    view! { <HostApp on_change_role=Callback::new(move |()| choose_role(None)) /> }.into_any()
                }
                Screen::Role(DeviceRole::Rater) => {
                    view! { <RaterApp on_change_role=Callback::new(move |()| choose_role(None)) /> }.into_any()
                }
                Screen::Verify => {
                    view! {
                        <div class="screen">
                            {back_to_start(set_screen)}
                            <VerifyPage />
                        </div>
                    }
                        .into_any()
                }
                Screen::Demo => {
                    view! {
                        <section class="screen" aria-labelledby="demo-title">
                            {back_to_start(set_screen)}
                            <MeetingOverview meeting=crate::domain::demo::demo_meeting() />
                        </section>
                    }
                        .into_any()
                }
            }}
        </main>
    }
}
