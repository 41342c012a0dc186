//! The home screen of a device once its role is chosen.

use leptos::prelude::*;

use super::{Bilingual, DeviceRole, MeetingOverview};

/// The host sees the current meeting (the embedded demo until one is set up); a tablet sees
/// that it waits for a meeting from the host.
#[component]
pub fn RoleHome(
    /// The role this device was given.
    role: DeviceRole,
    /// Called when staff want to give the device another role.
    on_change_role: Callback<()>,
) -> impl IntoView {
    let title = match role {
        DeviceRole::Host => view! { <Bilingual zh="主持人 · 投影电脑" en="Host · projector laptop" /> },
        DeviceRole::Rater => view! { <Bilingual zh="评议人 · 平板" en="Rater · tablet" /> },
    };
    let body = match role {
        DeviceRole::Host => view! { <MeetingOverview meeting=crate::domain::demo::demo_meeting() /> }.into_any(),
        DeviceRole::Rater => view! {
            <p class="notice" data-state="waiting">
                <Bilingual
                    zh="这台平板还没有加入会议。请扫描主持人屏幕上的二维码，或打开主持人发来的链接或会议文件。"
                    en="This tablet has not joined a meeting yet. Scan the QR code on the host's screen, or open the link or meeting file from the host."
                />
            </p>
        }
        .into_any(),
    };
    // The device key is made on first use and shown so witnesses can note it in the minutes.
    let device = match crate::browser::device_key::load_or_create_device_key() {
        Ok(key) => view! {
            <p class="device-fingerprint">
                <Bilingual zh="本机公钥指纹" en="This device's key fingerprint" /> " "
                <strong class="fingerprint">
                    {crate::domain::signing::fingerprint(&key.public_key()).unwrap_or_default()}
                </strong>
            </p>
        }
        .into_any(),
        Err(problem) => {
            view! { <p class="banner" data-state="error" role="alert">{problem.to_string()}</p> }.into_any()
        }
    };
    view! {
        <section class="screen role-home" data-role=move || match role {
            DeviceRole::Host => "host",
            DeviceRole::Rater => "rater",
        } aria-labelledby="role-title">
            <h1 id="role-title" class="screen__title">{title}</h1>
            {device}
            {body}
            <button class="button" data-variant="quiet" on:click=move |_| on_change_role.run(())>
                <Bilingual zh="更改设备用途" en="Change this device's role" />
            </button>
        </section>
    }
}
