//! Envelopes sealed to the host (docs/record-format.md "Envelope"): X25519 from a fresh
//! ephemeral key to the host's transport key, then ChaCha20-Poly1305 bound to the meeting and
//! session, so a camera in the hall or a copied file reads nothing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use curve25519_dalek::montgomery::MontgomeryPoint;
use thiserror::Error;
use x25519_dalek::{PublicKey, StaticSecret};

use super::group::Tagged;

/// Text prefix of a sealed envelope.
pub const SEALED_PREFIX: &str = "PS1:";
/// Largest envelope accepted (a hand-in of a full tablet is far smaller).
pub const MAX_SEALED_BYTES: usize = 16 * 1024 * 1024;

/// Why a transport key is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum TransportKeyError {
    #[error("主持人的加密公钥无效（小阶点）— the host's transport key is not valid (small order)")]
    SmallOrder,
}

/// Accepts an X25519 public key only if it is not of small order (which would make every
/// shared secret predictable).
pub fn check_transport_key(key: &[u8; 32]) -> Result<(), TransportKeyError> {
    // Both signs give points of the same order. A u on the quadratic twist has no curve
    // point; if it is of small order there, the exchange yields zero and `seal` refuses it.
    match MontgomeryPoint(*key).to_edwards(0) {
        Some(point) if point.is_small_order() => Err(TransportKeyError::SmallOrder),
        _ => Ok(()),
    }
}

/// The host's transport key pair for one session: made from 32 random bytes passed in.
pub struct TransportSecret(StaticSecret);

impl TransportSecret {
    pub fn from_bytes(bytes: [u8; 32]) -> TransportSecret {
        TransportSecret(StaticSecret::from(bytes))
    }
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }
    pub fn public_key(&self) -> [u8; 32] {
        PublicKey::from(&self.0).to_bytes()
    }
}

fn aead_key(shared: &[u8; 32], ephemeral: &[u8; 32], transport: &[u8; 32]) -> [u8; 32] {
    Tagged::new("pingyi/v2/seal")
        .field(shared)
        .field(ephemeral)
        .field(transport)
        .sha256()
}

fn associated_data(meeting: &[u8; 32], session: &[u8; 16]) -> Vec<u8> {
    [b"pingyi-sealed-v1".as_slice(), meeting, session].concat()
}

/// Why sealing failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum SealError {
    #[error("{0}")]
    TransportKey(#[from] TransportKeyError),
    #[error("密钥交换失败 — the key exchange did not produce a secret")]
    NotContributory,
}

/// Seals `plaintext` to `transport` for one meeting round, with a fresh `ephemeral` secret:
/// the envelope as text, `PS1:` and base64url.
pub fn seal(
    transport: &[u8; 32],
    meeting: &[u8; 32],
    session: &[u8; 16],
    ephemeral: [u8; 32],
    plaintext: &[u8],
) -> Result<String, SealError> {
    let bytes = seal_bytes(transport, meeting, session, ephemeral, plaintext)?;
    Ok(format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// The envelope as bytes: the ephemeral public key, then the ciphertext with its tag.
pub fn seal_bytes(
    transport: &[u8; 32],
    meeting: &[u8; 32],
    session: &[u8; 16],
    ephemeral: [u8; 32],
    plaintext: &[u8],
) -> Result<Vec<u8>, SealError> {
    check_transport_key(transport)?;
    let secret = StaticSecret::from(ephemeral);
    let public = PublicKey::from(&secret).to_bytes();
    let shared = secret.diffie_hellman(&PublicKey::from(*transport));
    if !shared.was_contributory() {
        return Err(SealError::NotContributory);
    }
    let key = aead_key(shared.as_bytes(), &public, transport);
    let cipher = ChaCha20Poly1305::new(&Key::from(key));
    let aad = associated_data(meeting, session);
    let ciphertext = cipher
        .encrypt(
            &Nonce::default(),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| SealError::NotContributory)?;
    Ok([public.as_slice(), &ciphertext].concat())
}

/// Why an envelope cannot be opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum OpenSealError {
    #[error("不是加密交票数据 — this is not a sealed hand-in")]
    NotSealed,
    #[error("加密交票数据过大 — the sealed hand-in is too large")]
    TooLarge,
    #[error("加密交票数据已损坏 — the sealed hand-in is damaged")]
    Damaged,
    #[error(
        "无法解密：不是发给本会议本轮的，或已被改动 — cannot decrypt: not for this meeting round, or altered"
    )]
    NotForUs,
}

/// Opens an envelope text (`PS1:` …) with the host's transport secret for one meeting round.
pub fn open(
    secret: &TransportSecret,
    meeting: &[u8; 32],
    session: &[u8; 16],
    text: &str,
) -> Result<Vec<u8>, OpenSealError> {
    let body = text
        .trim()
        .strip_prefix(SEALED_PREFIX)
        .ok_or(OpenSealError::NotSealed)?;
    if body.len() > MAX_SEALED_BYTES {
        return Err(OpenSealError::TooLarge);
    }
    let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| OpenSealError::Damaged)?;
    open_bytes(secret, meeting, session, &bytes)
}

/// Opens an envelope given as bytes ([`seal_bytes`]).
pub fn open_bytes(
    secret: &TransportSecret,
    meeting: &[u8; 32],
    session: &[u8; 16],
    bytes: &[u8],
) -> Result<Vec<u8>, OpenSealError> {
    if bytes.len() > MAX_SEALED_BYTES {
        return Err(OpenSealError::TooLarge);
    }
    if bytes.len() < 32 + 16 {
        return Err(OpenSealError::Damaged);
    }
    let (ephemeral, ciphertext) = bytes.split_at(32);
    let ephemeral: [u8; 32] = ephemeral.try_into().map_err(|_| OpenSealError::Damaged)?;
    let shared = secret.0.diffie_hellman(&PublicKey::from(ephemeral));
    if !shared.was_contributory() {
        return Err(OpenSealError::NotForUs);
    }
    let key = aead_key(shared.as_bytes(), &ephemeral, &secret.public_key());
    let cipher = ChaCha20Poly1305::new(&Key::from(key));
    let aad = associated_data(meeting, session);
    cipher
        .decrypt(
            &Nonce::default(),
            Payload {
                msg: ciphertext,
                aad: &aad,
            },
        )
        .map_err(|_| OpenSealError::NotForUs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_text_opens_only_for_its_host_and_round() {
        let host = TransportSecret::from_bytes([5; 32]);
        let text = seal(&host.public_key(), &[1; 32], &[2; 16], [9; 32], b"rows").unwrap();
        assert!(text.starts_with(SEALED_PREFIX));
        assert!(!text.contains("rows"));
        assert_eq!(open(&host, &[1; 32], &[2; 16], &text), Ok(b"rows".to_vec()));
        let other = TransportSecret::from_bytes([6; 32]);
        assert_eq!(
            open(&other, &[1; 32], &[2; 16], &text),
            Err(OpenSealError::NotForUs)
        );
        assert_eq!(
            open(&host, &[1; 32], &[3; 16], &text),
            Err(OpenSealError::NotForUs)
        );
        assert_eq!(
            open(&host, &[0; 32], &[2; 16], &text),
            Err(OpenSealError::NotForUs)
        );
        let mut flipped = text.clone().into_bytes();
        let last = flipped.len() - 2;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert_eq!(
            open(&host, &[1; 32], &[2; 16], &flipped),
            Err(OpenSealError::NotForUs)
        );
        assert_eq!(
            open(&host, &[1; 32], &[2; 16], "PY1:abc"),
            Err(OpenSealError::NotSealed)
        );
        assert_eq!(
            open(&host, &[1; 32], &[2; 16], "PS1:***"),
            Err(OpenSealError::Damaged)
        );
    }

    #[test]
    fn small_order_transport_keys_are_refused() {
        // u = 0 and u = 1 are points of order 4 and 1 on Curve25519.
        let mut one = [0u8; 32];
        one[0] = 1;
        for key in [[0u8; 32], one] {
            assert_eq!(check_transport_key(&key), Err(TransportKeyError::SmallOrder));
            assert_eq!(
                seal(&key, &[1; 32], &[2; 16], [9; 32], b"x"),
                Err(SealError::TransportKey(TransportKeyError::SmallOrder))
            );
        }
        assert_eq!(
            check_transport_key(&TransportSecret::from_bytes([5; 32]).public_key()),
            Ok(())
        );
    }
}
