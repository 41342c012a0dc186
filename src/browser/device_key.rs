//! This device's Ed25519 key, kept in localStorage under a versioned key. Made once from the
//! browser's random source (crypto.getRandomValues through getrandom) and never replaced
//! silently: an unreadable stored key is an error the UI shows, not a reason to make a new one.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use super::storage::{self, StorageFailure};
use crate::domain::signing::DeviceKey;

/// Storage key of the device key.
pub const DEVICE_KEY_KEY: &str = "pingyi.device-key.v1";

#[derive(Serialize, Deserialize)]
struct StoredDeviceKeyV1 {
    /// The 32-byte Ed25519 seed, base64.
    seed: String,
}

/// The device key: the stored one, or a new one stored before it is returned.
pub fn load_or_create_device_key() -> Result<DeviceKey, StorageFailure> {
    if let Some(stored) = storage::load::<StoredDeviceKeyV1>(DEVICE_KEY_KEY)? {
        let seed: [u8; 32] = BASE64
            .decode(&stored.seed)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| StorageFailure::Corrupt(DEVICE_KEY_KEY.to_owned()))?;
        return Ok(DeviceKey::from_seed(seed));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| StorageFailure::Unavailable(format!("random source: {e}")))?;
    storage::save(
        DEVICE_KEY_KEY,
        &StoredDeviceKeyV1 {
            seed: BASE64.encode(seed),
        },
    )?;
    Ok(DeviceKey::from_seed(seed))
}
