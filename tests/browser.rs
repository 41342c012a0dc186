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

/// The rater build's root (a tablet): it stores the tablet role, so the host build's page
/// sends the device back here, and shows the tablet's home. (Choosing 评议人 on the start
/// screen opens the rater build's page; the end-to-end tests follow that navigation.)
#[wasm_bindgen_test]
async fn the_rater_build_stores_the_tablet_role_and_shows_the_tablet_home() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.clear().unwrap();
    // The stored language wins over the browser's (the test browser runs in English).
    storage.set_item("pingyi.language", "\"zh\"").unwrap();
    let handle = leptos::mount::mount_to(fresh_container(), || leptos::view! { <pingyi::ui::RaterRoot /> });
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
    let handle = leptos::mount::mount_to(fresh_container(), || leptos::view! { <pingyi::ui::App /> });
    leptos::task::tick().await;
    assert!(mount_text().contains("主持人"));
    assert!(!mount_text().contains("这台设备用于"));
    drop(handle);
}

#[wasm_bindgen_test]
async fn unreadable_stored_data_is_shown_not_swallowed() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item("pingyi.device-role.v1", "not json").unwrap();
    let handle = leptos::mount::mount_to(fresh_container(), || leptos::view! { <pingyi::ui::App /> });
    leptos::task::tick().await;
    let alert = document().query_selector(".test-mount [role=alert]").unwrap();
    assert!(
        alert.is_some(),
        "a corrupt stored value must raise a visible banner"
    );
    drop(handle);
}

/// Closes the store and deletes its database, so a test starts from an empty disk.
async fn empty_store() {
    use pingyi::browser::store;
    store::close();
    let factory = web_sys::window().unwrap().indexed_db().unwrap().unwrap();
    let request = factory.delete_database("pingyi").unwrap();
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("delete the test database");
}

#[wasm_bindgen_test]
async fn the_device_key_is_made_once_and_never_silently_replaced() {
    use pingyi::browser::device_key::{DEVICE_KEY_KEY, device_key, ensure_device_key};
    use pingyi::browser::store::{self, Change};
    empty_store().await;
    store::open().await.expect("open");
    ensure_device_key().await.expect("a new key");
    let first = device_key().expect("the new key").public_key();
    // A reload reads the key back from the disk.
    store::close();
    store::open().await.expect("reopen");
    ensure_device_key().await.expect("the stored key");
    assert_eq!(
        device_key().expect("the stored key").public_key(),
        first,
        "a reload must give the same key"
    );

    let damaged = serde_json::json!({ "seed": "not base64!" });
    store::write_now(vec![Change::put(DEVICE_KEY_KEY, &damaged).unwrap()])
        .await
        .unwrap();
    assert!(device_key().is_err(), "a damaged key is an error, not a new key");
    ensure_device_key().await.expect("nothing to make");
    assert_eq!(
        store::load::<serde_json::Value>(DEVICE_KEY_KEY).unwrap(),
        Some(damaged),
        "the damaged value stays for the staff to see"
    );
    empty_store().await;
}

#[wasm_bindgen_test]
async fn an_earlier_builds_records_move_once_from_local_storage() {
    use pingyi::browser::store::{self, Change, HOST_STATE_KEY, TABLET_DRAFT_KEY, TABLET_STATE_KEY};
    empty_store().await;
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    local.set_item(HOST_STATE_KEY, "{\"record\":1}").unwrap();
    local.set_item(TABLET_STATE_KEY, "{\"tablet\":1}").unwrap();
    local.set_item("pingyi.language", "\"zh\"").unwrap();
    let opened = store::open().await.expect("open and migrate");
    assert_eq!(
        opened.migrated,
        vec![HOST_STATE_KEY.to_owned(), TABLET_STATE_KEY.to_owned()]
    );
    assert_eq!(
        store::load::<serde_json::Value>(HOST_STATE_KEY).unwrap(),
        Some(serde_json::json!({ "record": 1 }))
    );
    assert_eq!(
        local.get_item(HOST_STATE_KEY).unwrap(),
        None,
        "removed once the store holds it"
    );
    assert_eq!(local.get_item(TABLET_STATE_KEY).unwrap(), None);
    assert_eq!(
        local.get_item("pingyi.language").unwrap().as_deref(),
        Some("\"zh\""),
        "settings stay"
    );

    // Written since: a stale copy left in localStorage (a start that stopped half-way) never
    // overwrites the store, and is cleared.
    store::write_now(vec![
        Change::put(HOST_STATE_KEY, &serde_json::json!({ "record": 2 })).unwrap(),
    ])
    .await
    .unwrap();
    local.set_item(HOST_STATE_KEY, "{\"record\":1}").unwrap();
    store::close();
    let again = store::open().await.expect("reopen");
    assert!(again.migrated.is_empty(), "{again:?}");
    assert_eq!(
        store::load::<serde_json::Value>(HOST_STATE_KEY).unwrap(),
        Some(serde_json::json!({ "record": 2 }))
    );
    assert_eq!(local.get_item(HOST_STATE_KEY).unwrap(), None);
    assert_eq!(store::load::<serde_json::Value>(TABLET_DRAFT_KEY).unwrap(), None);
    empty_store().await;
}

#[wasm_bindgen_test]
async fn changes_written_together_are_stored_together_and_read_back_after_a_reload() {
    use pingyi::browser::store::{self, Change, TABLET_DRAFT_KEY, TABLET_STATE_KEY};
    empty_store().await;
    store::open().await.expect("open");
    store::write_now(vec![Change::put(TABLET_DRAFT_KEY, &"open ballot").unwrap()])
        .await
        .unwrap();
    // A burst of writes: each caller hears back, and the last one wins.
    let heard = std::rc::Rc::new(std::cell::Cell::new(0));
    for i in 0..5 {
        let heard = heard.clone();
        store::write(vec![Change::put(TABLET_STATE_KEY, &i).unwrap()], move |r| {
            r.expect("stored");
            heard.set(heard.get() + 1);
        });
    }
    store::write_now(vec![
        Change::put(TABLET_STATE_KEY, &"submitted").unwrap(),
        Change::delete(TABLET_DRAFT_KEY),
    ])
    .await
    .unwrap();
    assert_eq!(heard.get(), 5);
    store::close();
    store::open().await.expect("reopen");
    assert_eq!(
        store::load::<String>(TABLET_STATE_KEY).unwrap().as_deref(),
        Some("submitted")
    );
    assert_eq!(store::load::<String>(TABLET_DRAFT_KEY).unwrap(), None);
    empty_store().await;
}

#[wasm_bindgen_test]
async fn a_failed_write_is_reported_and_changes_nothing_that_is_read() {
    use pingyi::browser::store::{self, Change, HOST_STATE_KEY};
    empty_store().await;
    store::open().await.expect("open");
    store::write_now(vec![Change::put(HOST_STATE_KEY, &"kept").unwrap()])
        .await
        .unwrap();
    store::close();
    let failed = store::write_now(vec![Change::put(HOST_STATE_KEY, &"lost").unwrap()]).await;
    assert!(
        matches!(
            failed,
            Err(pingyi::browser::storage::StorageFailure::Unavailable(_))
        ),
        "{failed:?}"
    );
    assert_eq!(
        store::load::<String>(HOST_STATE_KEY).unwrap().as_deref(),
        Some("kept")
    );
    store::open().await.expect("reopen");
    assert_eq!(
        store::load::<String>(HOST_STATE_KEY).unwrap().as_deref(),
        Some("kept")
    );
    empty_store().await;
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
