//! Small platform facts and actions: the clock, random bytes, the URL fragment, downloads,
//! printing and full screen. Each returns a typed value or a message the UI shows.

use wasm_bindgen::JsCast;

/// Now, as an RFC 3339 UTC timestamp (what every record stores).
pub fn now() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// A User Timing mark (shown in the browser's performance tools and read by scripts/perf).
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// A User Timing mark that carries figures (`performance.mark(name, { detail })`), read by
/// scripts/perf: e.g. each scanner frame's decode time and whether it held a code. The browser
/// keeps every mark until it is cleared, so a caller marking many times a second keeps at
/// most `keep` of `name`: they are cleared each time that many have been made (`count` is
/// the caller's running number of this mark).
pub fn mark_with(name: &str, detail: &[(&str, f64)], count: u64, keep: u64) {
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else {
        return;
    };
    if count > 0 && count.is_multiple_of(keep) {
        performance.clear_marks_with_mark_name(name);
    }
    let figures = js_sys::Object::new();
    for (key, value) in detail {
        let _ = js_sys::Reflect::set(&figures, &(*key).into(), &(*value).into());
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"detail".into(), &figures);
    if let Ok(mark) = js_sys::Reflect::get(&performance, &"mark".into())
        && let Ok(mark) = mark.dyn_into::<js_sys::Function>()
    {
        let _ = mark.call2(&performance, &name.into(), &options);
    }
}

/// `N` bytes from the browser's cryptographic random source.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], String> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| format!("random source: {e}"))?;
    Ok(bytes)
}

/// Random bytes as lowercase hex.
pub fn random_hex<const N: usize>() -> Result<String, String> {
    random_bytes::<N>().map(|b| b.iter().map(|x| format!("{x:02x}")).collect())
}

/// The URL fragment without '#', if any.
pub fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_owned())
        .unwrap_or_default()
}

/// Removes the fragment from the address bar without reloading or adding history.
pub fn clear_fragment() {
    if let Some(window) = web_sys::window()
        && let Ok(history) = window.history()
        && let Ok(path) = window.location().pathname()
    {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
}

/// Whether the page runs in a secure context (https or localhost): camera and offline
/// storage need it.
pub fn is_secure_context() -> bool {
    web_sys::window().is_some_and(|w| w.is_secure_context())
}

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    save_blob(name, mime, &wasm_bindgen::JsValue::from_str(text))
}

/// Offers `bytes` (an .xlsx workbook, say) as a file download named `name`.
pub fn download_bytes(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    save_blob(name, mime, &js_sys::Uint8Array::from(bytes).into())
}

fn save_blob(name: &str, mime: &str, part: &wasm_bindgen::JsValue) -> Result<(), String> {
    let fail = |e: wasm_bindgen::JsValue| format!("download failed: {e:?}");
    let parts = js_sys::Array::of1(part);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(fail)?
        .dyn_into()
        .map_err(|_| "no anchor".to_owned())?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.set_attribute("data-download", name).map_err(fail)?;
    let body = document.body().ok_or("no body")?;
    body.append_child(&anchor).map_err(fail)?;
    anchor.click();
    body.remove_child(&anchor).map_err(fail)?;
    // Keep the URL alive long enough for the browser to start saving.
    let keep = url.clone();
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&keep);
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    }
    Ok(())
}

/// Opens the browser's print dialog (the print stylesheet lays the page out for A4).
pub fn print() {
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

/// Enters or leaves full screen for the whole page.
pub fn toggle_full_screen() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if document.fullscreen_element().is_some() {
        document.exit_fullscreen();
    } else if let Some(root) = document.document_element() {
        let _ = root.request_fullscreen();
    }
}

/// The rater build's address, `rater/` beside this page, without fragment or query: the base
/// of a join link (docs/builds.md).
pub fn rater_address() -> String {
    beside_this_page("rater/").unwrap_or_default()
}

/// Opens the rater build in place of this page (no history entry: Back does not return to a
/// page that would send the tablet on again), with `fragment` if given.
pub fn go_to_rater(fragment: Option<&str>) {
    go_to("rater/", fragment);
}

/// Opens the host build (the folder above the rater build) in place of this page.
pub fn go_to_host(fragment: Option<&str>) {
    go_to("../", fragment);
}

fn go_to(relative: &str, fragment: Option<&str>) {
    let Some(base) = beside_this_page(relative) else {
        return;
    };
    let address = match fragment {
        Some(f) => format!("{base}#{f}"),
        None => base,
    };
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace(&address);
    }
}

/// `relative` resolved against this page's address, without fragment or query.
fn beside_this_page(relative: &str) -> Option<String> {
    let here = web_sys::window()?.location().href().ok()?;
    let url = web_sys::Url::new_with_base(relative, &here).ok()?;
    url.set_hash("");
    url.set_search("");
    Some(url.href())
}
