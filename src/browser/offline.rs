//! Offline use: registers the service worker (assets/sw.js, filled in at build time) and asks
//! the browser to keep this site's storage. Both need a secure context (https or localhost).

use wasm_bindgen_futures::JsFuture;

/// Why this page cannot work offline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfflineGap {
    /// Opened over plain http from another machine: no service worker, no camera.
    PlainHttp,
    /// The browser has no service workers.
    NoServiceWorker,
}

/// Why this page cannot work offline; None when it can.
pub fn offline_unavailable_reason() -> Option<OfflineGap> {
    if !super::platform::is_secure_context() {
        return Some(OfflineGap::PlainHttp);
    }
    let supported = web_sys::window()
        .map(|w| js_sys::Reflect::has(&w.navigator(), &"serviceWorker".into()).unwrap_or(false))
        .unwrap_or(false);
    (!supported).then_some(OfflineGap::NoServiceWorker)
}

/// Registers the service worker and asks for persistent storage; failures only mean the page
/// is not available offline, which `offline_unavailable_reason` explains. `on_volatile` is
/// called when the browser does not promise to keep this site's storage.
pub fn enable_offline(on_volatile: impl FnOnce() + 'static) {
    if offline_unavailable_reason().is_some() {
        return;
    }
    let Some(window) = web_sys::window() else { return };
    let navigator = window.navigator();
    let registration = navigator.service_worker().register("./sw.js");
    let storage = navigator.storage();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = JsFuture::from(registration).await;
        let kept = match storage.persist() {
            Ok(persist) => JsFuture::from(persist)
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
            Err(_) => false,
        };
        if !kept {
            on_volatile();
        }
    });
}

/// On the host laptop only: ask the service worker to keep the QR scanner worker as well, so
/// scanning works offline too. Tablets never ask, so they never download the decoder.
pub fn keep_scanner_offline() {
    if offline_unavailable_reason().is_some() {
        return;
    }
    let Some(window) = web_sys::window() else { return };
    let Ok(ready) = window.navigator().service_worker().ready() else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(registration) = JsFuture::from(ready).await {
            let registration: web_sys::ServiceWorkerRegistration =
                wasm_bindgen::JsCast::unchecked_into(registration);
            if let Some(active) = registration.active() {
                let _ = active.post_message(&"keep-scanner".into());
            }
        }
    });
}
