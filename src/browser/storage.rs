//! Small settings through `gloo-storage` (localStorage): the device's role and the screen
//! language, which a crash may cost without harm. Records that decide a tally live in the
//! durable store ([`super::store`]). Every key carries a version, so a future format never
//! misreads an old value; every failure is returned as a [`StorageFailure`] for the UI to show
//! — never swallowed.

use gloo_storage::{LocalStorage, Storage, errors::StorageError};
use serde::{Serialize, de::DeserializeOwned};
use thiserror::Error;

/// Key of the role this device was given (host laptop or rater tablet).
pub const DEVICE_ROLE_KEY: &str = "pingyi.device-role.v1";
/// The screen language chosen on this device ("zh" or "en").
pub const LANGUAGE_KEY: &str = "pingyi.language";

/// Why a value could not be stored or read back.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum StorageFailure {
    #[error("浏览器存储不可用（可能是隐私模式或已满）：{0} — browser storage is unavailable or full: {0}")]
    Unavailable(String),
    #[error("已保存的数据无法读取：{0} — saved data cannot be read: {0}")]
    Corrupt(String),
}

fn failure(error: StorageError) -> StorageFailure {
    match error {
        StorageError::SerdeError(e) => StorageFailure::Corrupt(e.to_string()),
        StorageError::KeyNotFound(key) => StorageFailure::Corrupt(key),
        StorageError::JsError(e) => StorageFailure::Unavailable(e.to_string()),
    }
}

/// Reads a value; `Ok(None)` when nothing was stored under `key` yet.
pub fn load<T: DeserializeOwned>(key: &str) -> Result<Option<T>, StorageFailure> {
    match LocalStorage::get::<T>(key) {
        Ok(value) => Ok(Some(value)),
        Err(StorageError::KeyNotFound(_)) => Ok(None),
        Err(e) => Err(failure(e)),
    }
}

/// Stores a value at once; the caller shows the error if there is one.
pub fn save<T: Serialize>(key: &str, value: &T) -> Result<(), StorageFailure> {
    LocalStorage::set(key, value).map_err(failure)
}

/// Removes a value.
pub fn remove(key: &str) {
    LocalStorage::delete(key);
}
