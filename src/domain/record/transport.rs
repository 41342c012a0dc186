//! A sealed hand-in on its way to the host (docs/record-format.md "Transport"): the compact
//! hand-in is JCS-encoded and DEFLATE-compressed, sealed to the host, and cut into QR texts
//! that the host's webcam reads in any order, any number of times, until all have been seen.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use thiserror::Error;

use super::batch::HandInWireV1;
use crate::domain::signing::canonical_bytes;

/// Prefix of every hand-in QR text (format and version); the rest is base45 (RFC 9285), so the
/// whole text is in the QR alphanumeric alphabet.
pub const QR_CHUNK_PREFIX: &str = "PQ1:";
/// Envelope bytes per QR code: a version-25 code at error level M holds the 1 + 8 + 900 bytes
/// as about 1 364 alphanumeric characters, readable by a laptop webcam at arm's length.
pub const QR_CHUNK_BYTES: usize = 900;
/// Most QR codes one envelope may be cut into.
pub const MAX_CHUNKS: u16 = 2000;
/// Largest hand-in once inflated.
pub const MAX_HAND_IN_BYTES: usize = 8 * 1024 * 1024;
/// Envelopes being put together at once (one per tablet in front of the camera is typical).
pub const MAX_IN_FLIGHT: usize = 16;

const CHUNK_VERSION: u8 = 1;

/// The compact hand-in as the bytes to seal: DEFLATE of its JCS form.
pub fn pack(wire: &HandInWireV1) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec(&canonical_bytes(wire), 9)
}

/// Why opened bytes are not a hand-in.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum UnpackError {
    #[error("交票内容过大 — the hand-in is too large")]
    TooLarge,
    #[error("交票内容已损坏 — the hand-in is damaged")]
    Damaged,
}

pub fn unpack(bytes: &[u8]) -> Result<HandInWireV1, UnpackError> {
    let json =
        miniz_oxide::inflate::decompress_to_vec_with_limit(bytes, MAX_HAND_IN_BYTES).map_err(|e| match e
            .status
        {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => UnpackError::TooLarge,
            _ => UnpackError::Damaged,
        })?;
    serde_json::from_slice(&json).map_err(|_| UnpackError::Damaged)
}

/// Format id and version of a hand-in file: one sealed envelope, as a tablet exports it when
/// the host has no camera.
pub const HAND_IN_FILE_FORMAT: &str = "pingyi-hand-in-file";
pub const HAND_IN_FILE_VERSION: u32 = 1;

/// `{"format":"pingyi-hand-in-file","version":1,"envelope":"<base64>"}`: nothing in it is
/// readable without the host's transport secret.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandInFileV1 {
    pub format: String,
    pub version: u32,
    pub envelope: String,
}

/// Why a file is not a hand-in file.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum HandInFileError {
    #[error("这不是评议交票文件 — this is not a Pingyi hand-in file")]
    NotHandIn,
    #[error("交票文件版本 {0} 不受支持 — hand-in file version {0} is not supported")]
    Version(u32),
    #[error("交票文件已损坏 — the hand-in file is damaged")]
    Damaged,
}

/// The hand-in file of one envelope, as text.
pub fn hand_in_file(envelope: &[u8]) -> String {
    use base64::Engine;
    let file = HandInFileV1 {
        format: HAND_IN_FILE_FORMAT.to_owned(),
        version: HAND_IN_FILE_VERSION,
        envelope: base64::engine::general_purpose::STANDARD.encode(envelope),
    };
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

/// The envelope of a hand-in file.
pub fn read_hand_in_file(text: &str) -> Result<Vec<u8>, HandInFileError> {
    use base64::Engine;
    #[derive(serde::Deserialize)]
    struct Head {
        format: String,
        version: u32,
    }
    let text = text.trim_start_matches('\u{feff}');
    let head: Head = serde_json::from_str(text).map_err(|_| HandInFileError::NotHandIn)?;
    if head.format != HAND_IN_FILE_FORMAT {
        return Err(HandInFileError::NotHandIn);
    }
    if head.version != HAND_IN_FILE_VERSION {
        return Err(HandInFileError::Version(head.version));
    }
    let file: HandInFileV1 = serde_json::from_str(text).map_err(|_| HandInFileError::Damaged)?;
    let envelope = base64::engine::general_purpose::STANDARD
        .decode(&file.envelope)
        .map_err(|_| HandInFileError::Damaged)?;
    if envelope.len() > MAX_HAND_IN_BYTES {
        return Err(HandInFileError::Damaged);
    }
    Ok(envelope)
}

fn envelope_id(envelope: &[u8]) -> [u8; 4] {
    let digest = Sha256::digest(envelope);
    [digest[0], digest[1], digest[2], digest[3]]
}

/// Cuts an envelope into QR texts: each carries the version, the envelope's id (4 bytes of its
/// SHA-256), its index and the total, then up to [`QR_CHUNK_BYTES`] bytes of the envelope.
pub fn qr_chunks(envelope: &[u8]) -> Vec<String> {
    let id = envelope_id(envelope);
    let pieces: Vec<&[u8]> = if envelope.is_empty() {
        vec![&[][..]]
    } else {
        envelope.chunks(QR_CHUNK_BYTES).collect()
    };
    let total = pieces.len() as u16;
    pieces
        .iter()
        .enumerate()
        .map(|(i, piece)| {
            let mut bytes = Vec::with_capacity(9 + piece.len());
            bytes.push(CHUNK_VERSION);
            bytes.extend_from_slice(&id);
            bytes.extend_from_slice(&(i as u16).to_be_bytes());
            bytes.extend_from_slice(&total.to_be_bytes());
            bytes.extend_from_slice(piece);
            format!("{QR_CHUNK_PREFIX}{}", base45::encode(&bytes))
        })
        .collect()
}

/// Why a scanned text was not taken.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum QrChunkError {
    #[error("这不是评议交票二维码 — this QR code is not a Pingyi hand-in")]
    NotAHandIn,
    #[error("交票二维码已损坏 — the hand-in QR code is damaged")]
    Damaged,
    #[error("同时扫描的交票过多，请一台一台来 — too many hand-ins at once; one tablet at a time")]
    TooManyAtOnce,
}

/// Where one scanned text leaves the envelope it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChunkProgress {
    /// `seen` of `total` codes of this envelope have been read.
    Waiting { seen: u16, total: u16 },
    /// Every code has been read: the whole envelope.
    Complete(Vec<u8>),
}

struct Parts {
    total: u16,
    parts: Vec<Option<Vec<u8>>>,
}

/// Puts envelopes together from QR texts read in any order, repeats included.
#[derive(Default)]
pub struct QrReassembly {
    in_flight: BTreeMap<[u8; 4], Parts>,
}

impl QrReassembly {
    pub fn new() -> QrReassembly {
        QrReassembly::default()
    }

    /// Takes one scanned text.
    pub fn add(&mut self, text: &str) -> Result<ChunkProgress, QrChunkError> {
        let body = text
            .trim()
            .strip_prefix(QR_CHUNK_PREFIX)
            .ok_or(QrChunkError::NotAHandIn)?;
        let bytes = base45::decode(body).map_err(|_| QrChunkError::Damaged)?;
        if bytes.len() < 9 || bytes[0] != CHUNK_VERSION {
            return Err(QrChunkError::Damaged);
        }
        let id: [u8; 4] = [bytes[1], bytes[2], bytes[3], bytes[4]];
        let index = u16::from_be_bytes([bytes[5], bytes[6]]);
        let total = u16::from_be_bytes([bytes[7], bytes[8]]);
        if total == 0 || total > MAX_CHUNKS || index >= total || bytes.len() - 9 > QR_CHUNK_BYTES {
            return Err(QrChunkError::Damaged);
        }
        if !self.in_flight.contains_key(&id) && self.in_flight.len() >= MAX_IN_FLIGHT {
            return Err(QrChunkError::TooManyAtOnce);
        }
        let entry = self.in_flight.entry(id).or_insert_with(|| Parts {
            total,
            parts: vec![None; usize::from(total)],
        });
        if entry.total != total {
            return Err(QrChunkError::Damaged);
        }
        entry.parts[usize::from(index)] = Some(bytes[9..].to_vec());
        let seen = entry.parts.iter().filter(|p| p.is_some()).count() as u16;
        if seen < total {
            return Ok(ChunkProgress::Waiting { seen, total });
        }
        let parts = self.in_flight.remove(&id).map(|p| p.parts).unwrap_or_default();
        let envelope: Vec<u8> = parts.into_iter().flatten().flatten().collect();
        if envelope_id(&envelope) != id {
            return Err(QrChunkError::Damaged);
        }
        Ok(ChunkProgress::Complete(envelope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_comes_back_from_its_codes_in_any_order_with_repeats() {
        let envelope: Vec<u8> = (0..2500u32).map(|i| (i * 7 % 251) as u8).collect();
        let codes = qr_chunks(&envelope);
        assert_eq!(codes.len(), 3);
        assert!(codes.iter().all(|c| c.len() < 1400));
        let mut scanner = QrReassembly::new();
        assert_eq!(
            scanner.add(&codes[2]),
            Ok(ChunkProgress::Waiting { seen: 1, total: 3 })
        );
        assert_eq!(
            scanner.add(&codes[2]),
            Ok(ChunkProgress::Waiting { seen: 1, total: 3 })
        );
        assert_eq!(
            scanner.add(&codes[0]),
            Ok(ChunkProgress::Waiting { seen: 2, total: 3 })
        );
        assert_eq!(scanner.add(&codes[1]), Ok(ChunkProgress::Complete(envelope)));
    }

    #[test]
    fn two_tablets_in_front_of_the_camera_do_not_mix() {
        let a = qr_chunks(&[1u8; 1000]);
        let b = qr_chunks(&[2u8; 1000]);
        let mut scanner = QrReassembly::new();
        scanner.add(&a[0]).unwrap();
        scanner.add(&b[1]).unwrap();
        assert_eq!(scanner.add(&a[1]), Ok(ChunkProgress::Complete(vec![1u8; 1000])));
        assert_eq!(scanner.add(&b[0]), Ok(ChunkProgress::Complete(vec![2u8; 1000])));
    }

    #[test]
    fn foreign_or_damaged_codes_are_refused() {
        let mut scanner = QrReassembly::new();
        assert_eq!(scanner.add("PY1:ABC"), Err(QrChunkError::NotAHandIn));
        assert_eq!(scanner.add("PQ1:%%%"), Err(QrChunkError::Damaged));
        // A code whose bytes were swapped for another envelope's is caught at the end.
        let a = qr_chunks(&[1u8; 1000]);
        let mut forged = base45::decode(&a[1][4..]).unwrap();
        let last = forged.len() - 1;
        forged[last] ^= 1;
        let forged = format!("{QR_CHUNK_PREFIX}{}", base45::encode(&forged));
        scanner.add(&a[0]).unwrap();
        assert_eq!(scanner.add(&forged), Err(QrChunkError::Damaged));
    }
}
