//! In-browser tests (wasm-bindgen-test in headless Chromium): the app mounted into a real
//! document, clicked, and its storage read back.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a document")
}

/// A new mount point; earlier ones are removed. The runner's own output elements in the
/// body must stay, or it cannot see that the tests ran.
fn fresh_container() -> web_sys::HtmlElement {
    let doc = document();
    let old = doc.query_selector_all(".test-mount").expect("query");
    for i in 0..old.length() {
        if let Some(node) = old.item(i)
            && let Some(parent) = node.parent_node()
        {
            parent.remove_child(&node).expect("remove");
        }
    }
    let container = doc.create_element("div").expect("a div");
    container.set_class_name("test-mount");
    doc.body()
        .expect("a body")
        .append_child(&container)
        .expect("append");
    container.unchecked_into()
}

fn mount_text() -> String {
    document()
        .query_selector(".test-mount")
        .ok()
        .flatten()
        .and_then(|m| m.text_content())
        .unwrap_or_default()
}

fn click_button_containing(text: &str) {
    let buttons = document()
        .query_selector_all(".test-mount button")
        .expect("query");
    for i in 0..buttons.length() {
        let node = buttons.item(i).expect("node");
        if node.text_content().unwrap_or_default().contains(text) {
            node.unchecked_into::<web_sys::HtmlElement>().click();
            return;
        }
    }
    panic!("no button containing {text}");
}

#[wasm_bindgen_test]
async fn picking_the_tablet_role_stores_it_and_shows_the_tablet_home() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.clear().unwrap();
    // The stored language wins over the browser's (the test browser runs in English).
    storage.set_item("pingyi.language", "\"zh\"").unwrap();
    let handle = leptos::mount::mount_to(fresh_container(), pingyi::ui::App);
    leptos::task::tick().await;
    assert!(mount_text().contains("这台设备用于"));

    click_button_containing("评议人");
    leptos::task::tick().await;
    assert_eq!(
        storage.get_item("pingyi.device-role.v1").unwrap().as_deref(),
        Some("\"rater\"")
    );
    assert!(mount_text().contains("还没有加入会议"));
    drop(handle);
}

#[wasm_bindgen_test]
async fn a_stored_role_opens_its_home_directly() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item("pingyi.device-role.v1", "\"host\"").unwrap();
    storage.set_item("pingyi.language", "\"zh\"").unwrap();
    let handle = leptos::mount::mount_to(fresh_container(), pingyi::ui::App);
    leptos::task::tick().await;
    assert!(mount_text().contains("主持人"));
    assert!(!mount_text().contains("这台设备用于"));
    drop(handle);
}

#[wasm_bindgen_test]
async fn unreadable_stored_data_is_shown_not_swallowed() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item("pingyi.device-role.v1", "not json").unwrap();
    let handle = leptos::mount::mount_to(fresh_container(), pingyi::ui::App);
    leptos::task::tick().await;
    let alert = document().query_selector(".test-mount [role=alert]").unwrap();
    assert!(
        alert.is_some(),
        "a corrupt stored value must raise a visible banner"
    );
    drop(handle);
}

#[wasm_bindgen_test]
fn the_device_key_is_made_once_and_never_silently_replaced() {
    use pingyi::browser::device_key::{DEVICE_KEY_KEY, load_or_create_device_key};
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.remove_item(DEVICE_KEY_KEY).unwrap();
    let first = load_or_create_device_key().expect("a new key").public_key();
    let again = load_or_create_device_key().expect("the stored key").public_key();
    assert_eq!(first, again, "a reload must give the same key");

    storage
        .set_item(DEVICE_KEY_KEY, "{\"seed\":\"not base64!\"}")
        .unwrap();
    assert!(
        load_or_create_device_key().is_err(),
        "a damaged key is an error, not a new key"
    );
    assert_eq!(
        storage.get_item(DEVICE_KEY_KEY).unwrap().as_deref(),
        Some("{\"seed\":\"not base64!\"}"),
        "the damaged value stays for the staff to see"
    );
    storage.remove_item(DEVICE_KEY_KEY).unwrap();
}

#[wasm_bindgen_test]
fn dates_and_times_are_written_the_way_each_language_writes_them() {
    use pingyi::ui::{Locale, format_date, format_time};
    assert_eq!(format_date(Locale::zh, "2026-11-27"), "2026年11月27日");
    assert_eq!(format_date(Locale::en, "2026-11-27"), "November 27, 2026");
    assert_eq!(
        format_date(Locale::en, "next Tuesday"),
        "next Tuesday",
        "free text stays as typed"
    );
    assert_eq!(format_date(Locale::zh, "2026-13-01"), "2026-13-01");
    // Noon UTC stays on the 27th in any time zone of the hall.
    let zh = format_time(Locale::zh, "2026-11-27T12:00:09.000Z");
    let en = format_time(Locale::en, "2026-11-27T12:00:09.000Z");
    assert!(zh.starts_with("2026/11/27 ") && zh.ends_with(":09"), "{zh}");
    assert!(en.starts_with("11/27/2026, ") && en.ends_with(":09"), "{en}");
    assert_eq!(format_time(Locale::zh, "garbled"), "garbled");
}
