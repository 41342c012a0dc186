//! The rater build's root (rater/index.html, `src/bin/rater.rs`): the tablet's screens and
//! nothing else, so a tablet never downloads the host's code (docs/builds.md).

use leptos::prelude::*;

use super::app::{JOIN_ON_HOST, START};
use super::{DeviceRole, Frame, RaterApp};
use crate::browser::platform;
use crate::browser::storage::{self, DEVICE_ROLE_KEY, StorageFailure};
use crate::browser::store;

/// Opens the durable store and the device key, then shows the tablet — or, on the laptop that
/// holds the host's record (the host clicked its own join link), goes back to the host build,
/// which says where the link belongs: the laptop never turns into a tablet mid-meeting.
pub async fn start_rater() {
    let problem = super::app::open_records().await;
    let role = storage::load::<DeviceRole>(DEVICE_ROLE_KEY).ok().flatten();
    if problem.is_none() && role == Some(DeviceRole::Host) && store::contains(store::HOST_STATE_KEY) {
        platform::go_to_host(Some(JOIN_ON_HOST));
        return;
    }
    leptos::mount::mount_to_body(move || view! { <RaterRoot store_problem=problem.clone() /> });
}

/// The whole rater build.
#[component]
pub fn RaterRoot(
    /// Why the durable store could not be opened (see [`super::App`]).
    #[prop(default = None)]
    store_problem: Option<StorageFailure>,
) -> impl IntoView {
    super::provide_language();
    let (storage_problem, set_storage_problem) = signal(None::<StorageFailure>);
    // This device is a tablet now: the host build's page sends it back here on every load.
    if !matches!(
        storage::load::<DeviceRole>(DEVICE_ROLE_KEY),
        Ok(Some(DeviceRole::Rater))
    ) && let Err(problem) = storage::save(DEVICE_ROLE_KEY, &DeviceRole::Rater)
    {
        set_storage_problem.set(Some(problem));
    }
    // A join link opened in a tab that already shows the tablet only changes the fragment:
    // start over so the tablet reads it.
    let on_hash = window_event_listener(leptos::ev::hashchange, |_| {
        if platform::fragment().starts_with("join=")
            && let Some(window) = web_sys::window()
        {
            let _ = window.location().reload();
        }
    });
    on_cleanup(move || on_hash.remove());
    crate::browser::offline::enable_offline(|| ());
    view! {
        <Frame store_problem=store_problem storage_problem=storage_problem>
            // Staff giving the tablet another role see the start screen of the host build.
            <RaterApp on_change_role=Callback::new(move |()| platform::go_to_host(Some(START))) />
        </Frame>
    }
}
