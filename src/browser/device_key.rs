//! This device's Ed25519 key, kept in the durable store under a versioned key. Made once from
//! the browser's random source (crypto.getRandomValues through getrandom), stored before it is
//! first used, and never replaced silently: an unreadable stored key is an error the UI shows,
//! not a reason to make a new one.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use super::storage::StorageFailure;
use super::store::{self, Change};
use crate::domain::signing::DeviceKey;

/// Storage key of the device key.
pub const DEVICE_KEY_KEY: &str = "pingyi.device-key.v1";

#[derive(Serialize, Deserialize)]
struct StoredDeviceKeyV1 {
    /// The 32-byte Ed25519 seed, base64.
    seed: String,
}

/// Makes and stores the device key if there is none yet; waits until it is on disk. Called
/// once at start, after the store is open.
pub async fn ensure_device_key() -> Result<(), StorageFailure> {
    if store::contains(DEVICE_KEY_KEY) {
        return Ok(());
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| StorageFailure::Unavailable(format!("random source: {e}")))?;
    let change = Change::put(
        DEVICE_KEY_KEY,
        &StoredDeviceKeyV1 {
            seed: BASE64.encode(seed),
        },
    )?;
    store::write_now(vec![change]).await
}

/// The stored device key.
pub fn device_key() -> Result<DeviceKey, StorageFailure> {
    let stored = store::load::<StoredDeviceKeyV1>(DEVICE_KEY_KEY)?
        .ok_or_else(|| StorageFailure::Unavailable("this device has no key yet".to_owned()))?;
    let seed: [u8; 32] = BASE64
        .decode(&stored.seed)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| StorageFailure::Corrupt(DEVICE_KEY_KEY.to_owned()))?;
    Ok(DeviceKey::from_seed(seed))
}
