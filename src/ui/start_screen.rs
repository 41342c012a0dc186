//! The first screen on a new device: choose what this device is for, or look at the demo.

use leptos::prelude::*;

use super::{Bilingual, DeviceRole};

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
    view! {
        <section class="screen start-screen" aria-labelledby="start-title">
            <h1 id="start-title" class="start-screen__title">
                <Bilingual zh="这台设备用于" en="This device is for" />
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
                    <Bilingual zh="主持人 · 投影电脑" en="Host · projector laptop" />
                    <span class="role-card__hint">
                        <Bilingual zh="设置会议、抽签、收票、计票" en="set up, draw, collect, tally" />
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
                    <Bilingual zh="评议人 · 平板" en="Rater · tablet" />
                    <span class="role-card__hint">
                        <Bilingual zh="逐人填写评议票" en="one rater after another" />
                    </span>
                </button>
            </div>
            <button class="button" data-variant="secondary" on:click=move |_| on_demo.run(())>
                <Bilingual zh="查看演示会议" en="Open the demo meeting" />
            </button>
            <button class="button" data-variant="secondary" on:click=move |_| on_verify.run(())>
                <Bilingual zh="验证结果文件" en="Verify a result file" />
            </button>
        </section>
    }
}
