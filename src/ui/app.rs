//! The app root: which screen this device shows, remembered across reloads.

use crate::browser::offline::OfflineGap;
use crate::i18n::{t, use_i18n};
use crate::msg;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{HostApp, MeetingOverview, RaterApp, StartScreen, VerifyPage};
use crate::browser::storage::{self, DEVICE_ROLE_KEY, StorageFailure};
use crate::browser::store;

/// Opens the durable store (moving an earlier build's records into it), makes the device key
/// if there is none, then shows the app. Nothing is shown before the records are read, so no
/// screen can act on a record that is not loaded yet.
pub async fn start() {
    let opened = store::open().await;
    let key = match &opened {
        Ok(_) => crate::browser::device_key::ensure_device_key().await,
        Err(e) => Err(e.clone()),
    };
    let problem = opened.err().or(key.err());
    leptos::mount::mount_to_body(move || view! { <App store_problem=problem.clone() /> });
}

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
pub fn App(
    /// Why the durable store could not be opened: nothing can be saved on this device, and
    /// the banner says so before anything is acknowledged.
    #[prop(default = None)]
    store_problem: Option<StorageFailure>,
) -> impl IntoView {
    super::provide_language();
    let i18n = use_i18n();
    let (storage_problem, set_storage_problem) = signal(None::<StorageFailure>);
    let stored_role = storage::load::<DeviceRole>(DEVICE_ROLE_KEY);
    // A tablet opening the host's join link is a rater tablet, whatever it was before — but
    // never the laptop that holds a meeting record (the host clicking the link on its own
    // tablets step): that record would vanish from its screen mid-meeting.
    let link = crate::browser::platform::fragment().starts_with("join=");
    let host_holds_record =
        matches!(stored_role, Ok(Some(DeviceRole::Host))) && store::contains(store::HOST_STATE_KEY);
    let joining = link && !host_holds_record;
    if link && host_holds_record {
        crate::browser::platform::clear_fragment();
    }
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
    // The role is a setting (localStorage, which a crash may cost); the records are not. A
    // device whose role was lost but that holds a tablet's or a host's record is that device.
    let role_of_records = if store::contains(store::TABLET_STATE_KEY) {
        Some(DeviceRole::Rater)
    } else if store::contains(store::HOST_STATE_KEY) {
        Some(DeviceRole::Host)
    } else {
        None
    };
    let initial = match stored_role {
        _ if joining => Screen::Role(DeviceRole::Rater),
        Ok(Some(role)) => Screen::Role(role),
        Ok(None) => match role_of_records {
            Some(role) => {
                let _ = storage::save(DEVICE_ROLE_KEY, &role);
                Screen::Role(role)
            }
            None => Screen::Start,
        },
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
        {store_problem.map(|problem| view! {
            <p class="banner" data-state="error" role="alert" data-testid="store-problem">
                <super::Said text=msg!(app.records_cannot_be_saved, problem = super::Message::core(problem)) />
            </p>
        })}
        {(link && host_holds_record).then(|| view! {
            <p class="banner" data-state="warning" role="note" data-testid="join-on-host">
                {t!(i18n, app.join_link_on_the_host)}
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
