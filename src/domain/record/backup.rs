//! The host's backup file while it holds ballots' rows: sealed with a passphrase the host
//! types (docs/durability.md "Backups"). Until the result is exported and the rows erased, the
//! host record holds every batch's rows and the round's transport secret; a backup file of it
//! on a USB stick must not show them to whoever finds the stick.
//!
//! `{"format":"pingyi-backup-sealed","version":1,"kdf":{"alg":"argon2id","memory_kib":…,
//! "iterations":…,"parallelism":1,"salt":<base64 16>},"nonce":<base64 12>,"ciphertext":<base64>}`
//! — the key is Argon2id(passphrase, salt) (32 bytes), the cipher ChaCha20-Poly1305 with the
//! associated data `"pingyi-backup-sealed-v1"`, the plaintext the host record's JSON.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub const SEALED_BACKUP_FORMAT: &str = "pingyi-backup-sealed";
pub const SEALED_BACKUP_VERSION: u32 = 1;
/// Argon2id cost: 19 MiB, 2 passes (the OWASP minimum for Argon2id), one lane.
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
/// Shortest passphrase accepted.
pub const MIN_PASSPHRASE_CHARS: usize = 8;
/// Costs a file may ask for, at most (a hostile file cannot make the laptop spend minutes).
const MAX_MEMORY_KIB: u32 = 256 * 1024;
const MAX_ITERATIONS: u32 = 10;
const AAD: &[u8] = b"pingyi-backup-sealed-v1";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfV1 {
    pub alg: String,
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    pub salt: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedBackupV1 {
    pub format: String,
    pub version: u32,
    pub kdf: KdfV1,
    pub nonce: String,
    pub ciphertext: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum BackupError {
    #[error(
        "口令至少 {MIN_PASSPHRASE_CHARS} 个字符 — the passphrase needs at least {MIN_PASSPHRASE_CHARS} characters"
    )]
    ShortPassphrase,
    #[error("这不是加密的会议备份 — this is not a sealed meeting backup")]
    NotSealed,
    #[error("加密备份的版本 {0} 不受支持 — sealed backup version {0} is not supported")]
    Version(u32),
    #[error("加密备份已损坏 — the sealed backup is damaged")]
    Damaged,
    #[error("口令不对，或备份已被改动 — wrong passphrase, or the backup was altered")]
    WrongPassphrase,
}

fn key(passphrase: &str, salt: &[u8], memory_kib: u32, iterations: u32) -> Result<[u8; 32], BackupError> {
    let params = Params::new(memory_kib, iterations, 1, Some(32)).map_err(|_| BackupError::Damaged)?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut out)
        .map_err(|_| BackupError::Damaged)?;
    Ok(out)
}

/// Seals `record` (the host record's JSON) with `passphrase`; `salt` and `nonce` are fresh
/// random bytes.
pub fn seal_backup(
    record: &str,
    passphrase: &str,
    salt: [u8; 16],
    nonce: [u8; 12],
) -> Result<String, BackupError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(BackupError::ShortPassphrase);
    }
    let key = key(passphrase, &salt, MEMORY_KIB, ITERATIONS)?;
    let cipher = ChaCha20Poly1305::new(&Key::from(key));
    let ciphertext = cipher
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: record.as_bytes(),
                aad: AAD,
            },
        )
        .map_err(|_| BackupError::Damaged)?;
    let file = SealedBackupV1 {
        format: SEALED_BACKUP_FORMAT.to_owned(),
        version: SEALED_BACKUP_VERSION,
        kdf: KdfV1 {
            alg: "argon2id".to_owned(),
            memory_kib: MEMORY_KIB,
            iterations: ITERATIONS,
            parallelism: 1,
            salt: BASE64.encode(salt),
        },
        nonce: BASE64.encode(nonce),
        ciphertext: BASE64.encode(ciphertext),
    };
    Ok(serde_json::to_string_pretty(&file).unwrap_or_default())
}

/// Whether `text` is a sealed backup (so the screen asks for the passphrase).
pub fn is_sealed_backup(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Head {
        format: String,
    }
    serde_json::from_str::<Head>(text.trim_start_matches('\u{feff}'))
        .is_ok_and(|h| h.format == SEALED_BACKUP_FORMAT)
}

/// The host record's JSON from a sealed backup.
pub fn open_backup(text: &str, passphrase: &str) -> Result<String, BackupError> {
    if !is_sealed_backup(text) {
        return Err(BackupError::NotSealed);
    }
    #[derive(Deserialize)]
    struct Head {
        version: u32,
    }
    let text = text.trim_start_matches('\u{feff}');
    let head: Head = serde_json::from_str(text).map_err(|_| BackupError::Damaged)?;
    if head.version != SEALED_BACKUP_VERSION {
        return Err(BackupError::Version(head.version));
    }
    let file: SealedBackupV1 = serde_json::from_str(text).map_err(|_| BackupError::Damaged)?;
    let k = &file.kdf;
    if k.alg != "argon2id"
        || k.parallelism != 1
        || k.memory_kib == 0
        || k.memory_kib > MAX_MEMORY_KIB
        || k.iterations == 0
        || k.iterations > MAX_ITERATIONS
    {
        return Err(BackupError::Damaged);
    }
    let salt = BASE64.decode(&k.salt).map_err(|_| BackupError::Damaged)?;
    let nonce: [u8; 12] = BASE64
        .decode(&file.nonce)
        .ok()
        .and_then(|n| n.try_into().ok())
        .ok_or(BackupError::Damaged)?;
    let ciphertext = BASE64
        .decode(&file.ciphertext)
        .map_err(|_| BackupError::Damaged)?;
    let key = key(passphrase, &salt, k.memory_kib, k.iterations)?;
    let plain = ChaCha20Poly1305::new(&Key::from(key))
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &ciphertext,
                aad: AAD,
            },
        )
        .map_err(|_| BackupError::WrongPassphrase)?;
    String::from_utf8(plain).map_err(|_| BackupError::Damaged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_backup_opens_only_with_its_passphrase_and_shows_nothing() {
        let record = r#"{"format":"pingyi-host-state","version":2,"paper":[{"marks":["11111111"]}]}"#;
        assert_eq!(
            seal_backup(record, "short", [1; 16], [2; 12]),
            Err(BackupError::ShortPassphrase)
        );
        let sealed = seal_backup(record, "石桥镇述职评议 2026", [1; 16], [2; 12]).unwrap();
        assert!(is_sealed_backup(&sealed));
        assert!(!sealed.contains("marks") && !sealed.contains("pingyi-host-state"));
        assert_eq!(open_backup(&sealed, "石桥镇述职评议 2026").unwrap(), record);
        assert_eq!(
            open_backup(&sealed, "石桥镇述职评议 2025"),
            Err(BackupError::WrongPassphrase)
        );
        // A changed byte of the ciphertext is refused, not read.
        let mut file: SealedBackupV1 = serde_json::from_str(&sealed).unwrap();
        let mut bytes = BASE64.decode(&file.ciphertext).unwrap();
        bytes[0] ^= 1;
        file.ciphertext = BASE64.encode(bytes);
        let altered = serde_json::to_string(&file).unwrap();
        assert_eq!(
            open_backup(&altered, "石桥镇述职评议 2026"),
            Err(BackupError::WrongPassphrase)
        );
        // A file that asks for a huge cost is refused before any work.
        file.kdf.memory_kib = 4 * 1024 * 1024;
        assert_eq!(
            open_backup(&serde_json::to_string(&file).unwrap(), "x"),
            Err(BackupError::Damaged)
        );
        assert_eq!(open_backup("{}", "x"), Err(BackupError::NotSealed));
    }
}
