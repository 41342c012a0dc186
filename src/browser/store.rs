//! The durable store for the records that decide a tally: the tablet's ballots and open
//! ballot, the host's meeting record, the list of removed meetings and the device key.
//!
//! IndexedDB, one object store of JSON texts under versioned keys. Every write is one
//! `readwrite` transaction asked for `durability: "strict"`, and its caller hears back only
//! when the transaction's `complete` event fired: the browser has flushed it to disk by then
//! (measured: it survives `kill -9` at 0 ms, where localStorage loses writes for seconds to a
//! minute — see docs/durability.md).
//!
//! The store is read once, at start, into memory: the records are small and the app keeps them
//! in memory anyway, so reads stay synchronous. Writes go through one queue with at most one
//! transaction in flight. Writes that wait meanwhile are merged into the next transaction, so a
//! burst of taps costs one flush, and changes given together are committed together — both or
//! neither. When a transaction fails, every write waiting behind it fails too: each caller
//! then puts its screen back to what is stored, and memory never runs ahead of the disk.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use serde::{Serialize, de::DeserializeOwned};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStore, IdbRequest, IdbTransaction};

use super::storage::StorageFailure;

/// The database and its one object store.
const DATABASE: &str = "pingyi";
const RECORDS: &str = "records";
const DATABASE_VERSION: u32 = 1;

/// Key of the host's meeting record (`pingyi-host-state`, versioned inside).
pub const HOST_STATE_KEY: &str = "pingyi.host-state";
/// Key of the laptop's list of meeting records it removed (`pingyi-removed-meetings`).
pub const REMOVED_MEETINGS_KEY: &str = "pingyi.removed-meetings";
/// Key of the tablet's state (`pingyi-tablet-state`, versioned inside).
pub const TABLET_STATE_KEY: &str = "pingyi.tablet-state";
/// Key of the ballot being filled in on the tablet (`pingyi-tablet-draft`), written per tap.
pub const TABLET_DRAFT_KEY: &str = "pingyi.tablet-draft";

/// Records that earlier builds kept in localStorage, moved here once (same keys, same JSON).
pub const MIGRATED_KEYS: [&str; 5] = [
    super::device_key::DEVICE_KEY_KEY,
    HOST_STATE_KEY,
    REMOVED_MEETINGS_KEY,
    TABLET_STATE_KEY,
    TABLET_DRAFT_KEY,
];

/// One change of a write: a key set to a JSON text, or removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    key: String,
    value: Option<String>,
}

impl Change {
    /// `key` set to `value` as JSON.
    pub fn put<T: Serialize>(key: &str, value: &T) -> Result<Change, StorageFailure> {
        let text = serde_json::to_string(value).map_err(|e| StorageFailure::Corrupt(e.to_string()))?;
        Ok(Change {
            key: key.to_owned(),
            value: Some(text),
        })
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    /// The JSON text this change stores; None for a removal.
    pub fn text(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// `key` removed.
    pub fn delete(key: &str) -> Change {
        Change {
            key: key.to_owned(),
            value: None,
        }
    }
}

/// What opening the store did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opened {
    /// Keys moved from localStorage by this start (an earlier build's records).
    pub migrated: Vec<String>,
}

type Done = Box<dyn FnOnce(Result<(), StorageFailure>)>;

#[derive(Default)]
struct Store {
    db: Option<IdbDatabase>,
    /// Why the store could not be opened, for every write that comes after.
    unavailable: Option<StorageFailure>,
    /// What is on disk, as of the last completed transaction.
    committed: HashMap<String, String>,
    waiting: Vec<(Vec<Change>, Done)>,
    in_flight: bool,
}

thread_local! {
    static STORE: RefCell<Store> = RefCell::new(Store::default());
}

fn unavailable(what: &str, error: &JsValue) -> StorageFailure {
    StorageFailure::Unavailable(format!("{what}: {}", describe(error)))
}

/// A DOMException's name and message ("QuotaExceededError: …"), or the value as it prints.
fn describe(error: &JsValue) -> String {
    if let Some(e) = error.dyn_ref::<web_sys::DomException>() {
        return format!("{}: {}", e.name(), e.message());
    }
    if let Some(e) = error.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}

/// Waits for a request's `success` (its result) or `error`.
async fn finished(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    match outcome {
        Ok(_) => request.result(),
        Err(_) => Err(request
            .error()
            .map_or(JsValue::from_str("request failed"), JsValue::from)),
    }
}

/// Waits for a transaction's `complete`; an `abort` (quota, I/O error, closed database) is the
/// transaction's error.
async fn completed(transaction: &IdbTransaction) -> Result<(), JsValue> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        transaction.set_oncomplete(Some(&resolve));
        transaction.set_onabort(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    transaction.set_oncomplete(None);
    transaction.set_onabort(None);
    outcome.map(drop).map_err(|_| {
        transaction
            .error()
            .map_or(JsValue::from_str("transaction aborted"), JsValue::from)
    })
}

fn strict_transaction(db: &IdbDatabase) -> Result<(IdbTransaction, IdbObjectStore), JsValue> {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"durability".into(), &"strict".into())?;
    // `IDBDatabase.transaction(names, mode, options)`: web-sys binds the options form only
    // behind `web_sys_unstable_apis`, a flag that would rebuild every crate.
    let method: js_sys::Function = js_sys::Reflect::get(db, &"transaction".into())?.dyn_into()?;
    let transaction: IdbTransaction = method
        .call3(db, &RECORDS.into(), &"readwrite".into(), &options)?
        .dyn_into()?;
    let store = transaction.object_store(RECORDS)?;
    Ok((transaction, store))
}

/// Applies `changes` in one strict transaction and waits until it is on disk.
async fn commit(db: &IdbDatabase, changes: &BTreeMap<String, Option<String>>) -> Result<(), JsValue> {
    let (transaction, store) = strict_transaction(db)?;
    for (key, value) in changes {
        let key = JsValue::from_str(key);
        let request = match value {
            Some(text) => store.put_with_key(&JsValue::from_str(text), &key),
            None => store.delete(&key),
        };
        if let Err(e) = request {
            let _ = transaction.abort();
            return Err(e);
        }
    }
    completed(&transaction).await
}

async fn open_database() -> Result<IdbDatabase, StorageFailure> {
    let factory = web_sys::window()
        .ok_or_else(|| StorageFailure::Unavailable("no window".into()))?
        .indexed_db()
        .map_err(|e| unavailable("IndexedDB", &e))?
        .ok_or_else(|| StorageFailure::Unavailable("IndexedDB is not available".into()))?;
    let request = factory
        .open_with_u32(DATABASE, DATABASE_VERSION)
        .map_err(|e| unavailable("IndexedDB open", &e))?;
    // Version 1 creates the one object store; the handler must run inside the event.
    let upgrade = Closure::once_into_js(move |event: web_sys::Event| {
        let db = event
            .target()
            .and_then(|t| t.dyn_into::<IdbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
        if let Some(db) = db
            && !db.object_store_names().contains(RECORDS)
        {
            let _ = db.create_object_store(RECORDS);
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let result = finished(&request).await;
    request.set_onupgradeneeded(None);
    let db: IdbDatabase = result
        .map_err(|e| unavailable("IndexedDB open", &e))?
        .dyn_into()
        .map_err(|e| unavailable("IndexedDB open", &e))?;
    // Another tab upgrading the database: let it, and fail the writes here rather than block it.
    let on_version = Closure::once_into_js({
        let db = db.clone();
        move || db.close()
    });
    db.set_onversionchange(Some(on_version.unchecked_ref()));
    Ok(db)
}

async fn read_all(db: &IdbDatabase) -> Result<HashMap<String, String>, JsValue> {
    let transaction = db.transaction_with_str(RECORDS)?;
    let store = transaction.object_store(RECORDS)?;
    let keys = finished(&store.get_all_keys()?).await?;
    let values = finished(&store.get_all()?).await?;
    let keys = js_sys::Array::from(&keys);
    let values = js_sys::Array::from(&values);
    Ok(keys
        .iter()
        .zip(values.iter())
        .filter_map(|(k, v)| Some((k.as_string()?, v.as_string()?)))
        .collect())
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Opens the store and reads it into memory; moves an earlier build's records over from
/// localStorage first (removed there only once this store holds them). Call once, before the
/// app is shown. On failure every later write fails with the same reason.
pub async fn open() -> Result<Opened, StorageFailure> {
    let outcome = open_and_migrate().await;
    STORE.with_borrow_mut(|s| match &outcome {
        Ok((db, committed, _)) => {
            s.db = Some(db.clone());
            s.committed = committed.clone();
            s.unavailable = None;
        }
        Err(e) => {
            s.db = None;
            s.unavailable = Some(e.clone());
        }
    });
    outcome.map(|(_, _, opened)| opened)
}

async fn open_and_migrate() -> Result<(IdbDatabase, HashMap<String, String>, Opened), StorageFailure> {
    let db = open_database().await?;
    let mut committed = read_all(&db)
        .await
        .map_err(|e| unavailable("IndexedDB read", &e))?;
    let mut opened = Opened::default();
    let Some(local) = local_storage() else {
        return Ok((db, committed, opened));
    };
    let mut moving = BTreeMap::new();
    let mut leftover = Vec::new();
    for key in MIGRATED_KEYS {
        let Ok(Some(text)) = local.get_item(key) else {
            continue;
        };
        if committed.contains_key(key) {
            // An earlier start moved it and stopped before removing it here: the store's copy
            // is the one written since.
            leftover.push(key);
        } else {
            moving.insert(key.to_owned(), Some(text));
        }
    }
    if !moving.is_empty() {
        commit(&db, &moving)
            .await
            .map_err(|e| unavailable("IndexedDB migration", &e))?;
        for (key, value) in moving {
            if let Some(text) = value {
                committed.insert(key.clone(), text);
            }
            opened.migrated.push(key);
        }
    }
    for key in opened.migrated.iter().map(String::as_str).chain(leftover) {
        let _ = local.remove_item(key);
    }
    Ok((db, committed, opened))
}

/// Closes the connection: later writes fail. For a test of the failure path, and for a page
/// that is going away.
pub fn close() {
    STORE.with_borrow_mut(|s| {
        if let Some(db) = s.db.take() {
            db.close();
        }
        s.unavailable = Some(StorageFailure::Unavailable("the store was closed".into()));
    });
}

/// The stored value under `key`, as of the last completed write; `Ok(None)` when there is none.
pub fn load<T: DeserializeOwned>(key: &str) -> Result<Option<T>, StorageFailure> {
    STORE.with_borrow(|s| match s.committed.get(key) {
        None => Ok(None),
        Some(text) => serde_json::from_str(text)
            .map(Some)
            .map_err(|e| StorageFailure::Corrupt(format!("{key}: {e}"))),
    })
}

/// The stored text of `key`, as written.
pub fn load_text(key: &str) -> Option<String> {
    STORE.with_borrow(|s| s.committed.get(key).cloned())
}

/// Whether the store holds `key`.
pub fn contains(key: &str) -> bool {
    STORE.with_borrow(|s| s.committed.contains_key(key))
}

/// Writes `changes` together and calls `on_done` once they are on disk, or with the reason they
/// are not. `on_done` is never called before this function returns, so a caller may write from
/// inside a signal update.
pub fn write(changes: Vec<Change>, on_done: impl FnOnce(Result<(), StorageFailure>) + 'static) {
    let start = STORE.with_borrow_mut(|s| {
        s.waiting.push((changes, Box::new(on_done)));
        !std::mem::replace(&mut s.in_flight, true)
    });
    if start {
        wasm_bindgen_futures::spawn_local(run_queue());
    }
}

/// Writes `changes` and waits until they are on disk.
pub async fn write_now(changes: Vec<Change>) -> Result<(), StorageFailure> {
    let (sender, receiver) = futures_channel::oneshot::channel();
    write(changes, move |result| {
        let _ = sender.send(result);
    });
    receiver
        .await
        .unwrap_or_else(|_| Err(StorageFailure::Unavailable("the write was dropped".into())))
}

/// Commits what waits, one transaction at a time, until nothing waits.
async fn run_queue() {
    loop {
        let (db, closed, batch) = STORE.with_borrow_mut(|s| {
            let batch = std::mem::take(&mut s.waiting);
            if batch.is_empty() {
                s.in_flight = false;
            }
            (s.db.clone(), s.unavailable.clone(), batch)
        });
        if batch.is_empty() {
            return;
        }
        let mut merged = BTreeMap::new();
        let mut callbacks = Vec::with_capacity(batch.len());
        for (changes, done) in batch {
            for change in changes {
                merged.insert(change.key, change.value);
            }
            callbacks.push(done);
        }
        let result = match (db, closed) {
            (_, Some(reason)) => Err(reason),
            (None, None) => Err(StorageFailure::Unavailable("the store is not open".into())),
            (Some(db), None) => commit(&db, &merged)
                .await
                .map_err(|e| unavailable("IndexedDB write", &e)),
        };
        match &result {
            Ok(()) => STORE.with_borrow_mut(|s| {
                for (key, value) in merged {
                    match value {
                        Some(text) => s.committed.insert(key, text),
                        None => s.committed.remove(&key),
                    };
                }
            }),
            // What waited behind a failed write was written over its state: fail it too.
            Err(_) => callbacks.extend(STORE.with_borrow_mut(|s| {
                std::mem::take(&mut s.waiting)
                    .into_iter()
                    .map(|(_, done)| done)
                    .collect::<Vec<_>>()
            })),
        }
        for done in callbacks {
            done(result.clone());
        }
    }
}
