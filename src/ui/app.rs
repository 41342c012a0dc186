//! The host build's root (index.html): which screen this device shows, remembered across
//! reloads. Tablets run the rater build (rater/, `rater_root.rs`); a device that belongs there
//! is sent there before anything is shown (docs/builds.md).

use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{HostApp, MeetingOverview, StartScreen, VerifyPage};
use crate::browser::platform;
use crate::browser::storage::{self, DEVICE_ROLE_KEY, StorageFailure};
use crate::browser::store;

/// The fragment the rater build adds when it sends a join link opened on the host laptop back
/// here: the host page says where the link belongs.
pub const JOIN_ON_HOST: &str = "join-on-host";
/// The fragment the rater build adds when staff give the tablet another role: show the start
/// screen even though the device still holds a tablet's record.
pub const START: &str = "start";

/// Opens the durable store (moving an earlier build's records into it), makes the device key
/// if there is none, then shows the app — or sends a tablet to the rater build. Nothing is
/// shown before the records are read, so no screen can act on a record that is not loaded yet.
pub async fn start() {
    let problem = open_records().await;
    if problem.is_none() {
        let fragment = platform::fragment();
        let stored_role = storage::load::<DeviceRole>(DEVICE_ROLE_KEY).ok().flatten();
        let here = HostPage {
            join_link: fragment.starts_with("join="),
            start_asked: fragment == START,
            role: stored_role,
            holds_host_record: store::contains(store::HOST_STATE_KEY),
            holds_tablet_record: store::contains(store::TABLET_STATE_KEY),
        };
        if let Some(keep_fragment) = here.goes_to_rater() {
            platform::go_to_rater(keep_fragment.then_some(fragment.as_str()));
            return;
        }
    }
    leptos::mount::mount_to_body(move || view! { <App store_problem=problem.clone() /> });
}

/// Opens the durable store (moving an earlier build's records into it) and makes the device
/// key if there is none; both builds do this before showing anything. The problem, if any.
pub async fn open_records() -> Option<StorageFailure> {
    let opened = store::open().await;
    let key = match &opened {
        Ok(_) => crate::browser::device_key::ensure_device_key().await,
        Err(e) => Err(e.clone()),
    };
    opened.err().or(key.err())
}

/// What the host build's page knows when it opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostPage {
    /// The address carries a join link (`#join=…`).
    pub join_link: bool,
    /// The rater build asked for the start screen (`#start`).
    pub start_asked: bool,
    /// The role stored on this device.
    pub role: Option<DeviceRole>,
    pub holds_host_record: bool,
    pub holds_tablet_record: bool,
}

impl HostPage {
    /// Whether this device belongs on the rater build, and if so whether the join link goes
    /// along: a join link (unless this laptop holds the host's record — the host clicking its
    /// own link stays the host), a device whose role is *rater*, or one that lost its role but
    /// holds a tablet's record. `None`: stay here.
    pub fn goes_to_rater(self) -> Option<bool> {
        let the_host = self.role == Some(DeviceRole::Host) && self.holds_host_record;
        if self.join_link {
            return (!the_host).then_some(true);
        }
        if self.start_asked {
            return None;
        }
        match self.role {
            Some(DeviceRole::Rater) => Some(false),
            None if self.holds_tablet_record && !self.holds_host_record => Some(false),
            _ => None,
        }
    }
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

/// Which screen is on: the start screen, the host's steps, the demo meeting overview or the
/// verify page. (A tablet's screens are the rater build's.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Screen {
    Start,
    Host,
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

/// The whole host build.
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
    let fragment = platform::fragment();
    // The host clicked its own join link: the rater build sent it back here. A join link still
    // in the address means the same (the rater build could not be reached to say so).
    let join_on_host = fragment == JOIN_ON_HOST || fragment.starts_with("join=");
    let start_asked = fragment == START;
    if join_on_host || start_asked {
        platform::clear_fragment();
    }
    if start_asked {
        storage::remove(DEVICE_ROLE_KEY);
    }
    // A join link opened in a tab that already shows the app only changes the fragment: start
    // over so the page reads it.
    let on_hash = window_event_listener(leptos::ev::hashchange, |_| {
        if platform::fragment().starts_with("join=")
            && let Some(window) = web_sys::window()
        {
            let _ = window.location().reload();
        }
    });
    on_cleanup(move || on_hash.remove());
    // The role is a setting (localStorage, which a crash may cost); the records are not. A
    // laptop whose role was lost but that holds a host's record is the host.
    let initial = match stored_role {
        _ if start_asked => Screen::Start,
        Ok(Some(DeviceRole::Host)) => Screen::Host,
        Ok(_) if store::contains(store::HOST_STATE_KEY) => {
            let _ = storage::save(DEVICE_ROLE_KEY, &DeviceRole::Host);
            Screen::Host
        }
        Ok(_) => Screen::Start,
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

    // Persist first, then switch: the choice survives a reload the moment it is shown. A
    // tablet goes to the rater build.
    let choose_role = move |role: Option<DeviceRole>| {
        let result = match role {
            Some(role) => storage::save(DEVICE_ROLE_KEY, &role),
            None => {
                storage::remove(DEVICE_ROLE_KEY);
                Ok(())
            }
        };
        let failed = result.is_err();
        set_storage_problem.set(result.err());
        match role {
            Some(DeviceRole::Rater) if !failed => platform::go_to_rater(None),
            Some(DeviceRole::Host) => set_screen.set(Screen::Host),
            _ => set_screen.set(Screen::Start),
        }
    };

    view! {
        <super::Frame store_problem=store_problem storage_problem=storage_problem>
            {join_on_host.then(|| view! {
                <p class="banner" data-state="warning" role="note" data-testid="join-on-host">
                    {t!(i18n, app.join_link_on_the_host)}
                </p>
            })}
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
                Screen::Host => {
                    view! { <HostApp on_change_role=Callback::new(move |()| choose_role(None)) /> }.into_any()
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
        </super::Frame>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> HostPage {
        HostPage {
            join_link: false,
            start_asked: false,
            role: None,
            holds_host_record: false,
            holds_tablet_record: false,
        }
    }

    #[test]
    fn a_join_link_goes_to_the_rater_build_unless_the_host_clicked_its_own() {
        let link = HostPage {
            join_link: true,
            ..page()
        };
        assert_eq!(link.goes_to_rater(), Some(true));
        let host = HostPage {
            role: Some(DeviceRole::Host),
            holds_host_record: true,
            ..link
        };
        assert_eq!(host.goes_to_rater(), None);
        // A laptop chosen as host but with no record yet is free to become a tablet.
        let empty_host = HostPage {
            holds_host_record: false,
            ..host
        };
        assert_eq!(empty_host.goes_to_rater(), Some(true));
    }

    #[test]
    fn a_tablet_goes_to_the_rater_build_even_if_it_lost_its_role() {
        let rater = HostPage {
            role: Some(DeviceRole::Rater),
            ..page()
        };
        assert_eq!(rater.goes_to_rater(), Some(false));
        let lost = HostPage {
            holds_tablet_record: true,
            ..page()
        };
        assert_eq!(lost.goes_to_rater(), Some(false));
        // Staff asked for the start screen to give the tablet another role.
        assert_eq!(
            HostPage {
                start_asked: true,
                ..rater
            }
            .goes_to_rater(),
            None
        );
        assert_eq!(
            HostPage {
                start_asked: true,
                ..lost
            }
            .goes_to_rater(),
            None
        );
    }

    #[test]
    fn the_host_and_a_new_device_stay() {
        assert_eq!(page().goes_to_rater(), None);
        let host = HostPage {
            role: Some(DeviceRole::Host),
            holds_host_record: true,
            holds_tablet_record: true,
            ..page()
        };
        assert_eq!(host.goes_to_rater(), None);
        let both = HostPage { role: None, ..host };
        assert_eq!(both.goes_to_rater(), None);
    }
}
