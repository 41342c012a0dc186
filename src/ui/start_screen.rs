//! The first screen on a new device: choose what this device is for, or look at the demo.

use crate::i18n::{t, use_i18n};
use leptos::prelude::*;

use super::DeviceRole;

/// Role choice (host laptop / rater tablet) and the demo meeting entry.
#[component]
pub fn StartScreen(
    /// Called with the chosen role; the caller stores it.
    on_choose: Callback<DeviceRole>,
    /// Called when the demo meeting is opened.
    on_demo: Callback<()>,
    /// Called when someone wants to verify a result file.
    on_verify: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="screen start-screen" aria-labelledby="start-title">
            <h1 id="start-title" class="start-screen__title">
                {t!(i18n, start_screen.this_device_is_for)}
            </h1>
            <div class="start-screen__roles">
                <button
                    class="role-card"
                    data-role="host"
                    on:click=move |_| on_choose.run(DeviceRole::Host)
                >
                    <svg class="role-card__icon" viewBox="0 0 48 48" aria-hidden="true">
                        <rect x="4" y="8" width="40" height="26" rx="2" />
                        <path d="M16 42h16M24 34v8" />
                    </svg>
                    {t!(i18n, start_screen.host_projector_laptop)}
                    <span class="role-card__hint">
                        {t!(i18n, start_screen.set_up_draw_collect_tally)}
                    </span>
                </button>
                <button
                    class="role-card"
                    data-role="rater"
                    on:click=move |_| on_choose.run(DeviceRole::Rater)
                >
                    <svg class="role-card__icon" viewBox="0 0 48 48" aria-hidden="true">
                        <rect x="10" y="4" width="28" height="40" rx="3" />
                        <path d="M17 15h14M17 22h14M17 29h9" />
                    </svg>
                    {t!(i18n, start_screen.rater_tablet)}
                    <span class="role-card__hint">
                        {t!(i18n, start_screen.one_rater_after_another)}
                    </span>
                </button>
            </div>
            <button class="button" data-variant="secondary" on:click=move |_| on_demo.run(())>
                {t!(i18n, start_screen.open_the_demo_meeting)}
            </button>
            <button class="button" data-variant="secondary" on:click=move |_| on_verify.run(())>
                {t!(i18n, start_screen.verify_a_result_file)}
            </button>
        </section>
    }
}
