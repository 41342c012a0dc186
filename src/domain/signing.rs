//! Device keys and signatures: Ed25519 (ed25519-dalek) over RFC 8785 canonical JSON
//! (serde_json_canonicalizer), keys and signatures written in standard base64.
//!
//! A key is made from 32 random bytes the caller supplies (the browser's crypto or the OS),
//! so this module stays deterministic and testable.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::code::ALPHABET;

/// A device's signing key (host laptop or tablet).
pub struct DeviceKey(SigningKey);

impl DeviceKey {
    /// The key for a 32-byte secret seed.
    pub fn from_seed(seed: [u8; 32]) -> DeviceKey {
        DeviceKey(SigningKey::from_bytes(&seed))
    }
    /// The seed, for storing the key on its device.
    pub fn to_seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }
    /// The public key in base64 (32 bytes).
    pub fn public_key(&self) -> String {
        BASE64.encode(self.0.verifying_key().to_bytes())
    }
    /// Signs `message`; the signature in base64 (64 bytes).
    pub fn sign(&self, message: &[u8]) -> String {
        BASE64.encode(self.0.sign(message).to_bytes())
    }
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DeviceKey({})",
            fingerprint(&self.public_key()).unwrap_or_default()
        )
    }
}

/// Why a signature does not hold.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum VerifySignatureError {
    #[error("公钥格式无效 — the public key is not a valid Ed25519 key")]
    BadPublicKey,
    #[error("签名格式无效 — the signature is not a valid Ed25519 signature")]
    BadSignatureEncoding,
    #[error("签名不符，内容可能被改动 — the signature does not match; the content may have been altered")]
    Mismatch,
}

fn decode_fixed<const N: usize>(text: &str) -> Option<[u8; N]> {
    BASE64.decode(text).ok()?.try_into().ok()
}

/// Checks an Ed25519 signature (strict verification: no malleable signatures, no weak keys).
pub fn verify(public_key: &str, message: &[u8], signature: &str) -> Result<(), VerifySignatureError> {
    let key_bytes: [u8; 32] = decode_fixed(public_key).ok_or(VerifySignatureError::BadPublicKey)?;
    let key = VerifyingKey::from_bytes(&key_bytes).map_err(|_| VerifySignatureError::BadPublicKey)?;
    let sig_bytes: [u8; 64] = decode_fixed(signature).ok_or(VerifySignatureError::BadSignatureEncoding)?;
    let signature = Signature::from_bytes(&sig_bytes);
    key.verify_strict(message, &signature)
        .map_err(|_| VerifySignatureError::Mismatch)
}

/// The RFC 8785 (JCS) canonical bytes of a value: the bytes every signature covers.
pub fn canonical_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    // Our types hold only strings, integers, booleans, arrays and maps: serialization
    // cannot fail.
    serde_json_canonicalizer::to_vec(value).unwrap_or_default()
}

/// SHA-256 in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `n` symbols of the ballot-code alphabet (no 0/O/1/I) from the start of SHA-256(bytes).
pub fn digest_symbols(bytes: &[u8], n: usize) -> String {
    let digest = Sha256::digest(bytes);
    let mut bits: u128 = 0;
    for &b in &digest[..16] {
        bits = bits << 8 | u128::from(b);
    }
    (0..n.min(25))
        .map(|i| char::from(ALPHABET[((bits >> (123 - 5 * i)) & 0b1_1111) as usize]))
        .collect()
}

/// A public key's fingerprint for people: 16 symbols of SHA-256 of the key bytes in four
/// groups of four ("K7QX-M4RT-9ABC-DEFG"), 80 bits — read aloud and written in the minutes.
pub fn fingerprint(public_key: &str) -> Option<String> {
    let key: [u8; 32] = decode_fixed(public_key)?;
    let symbols = digest_symbols(&key, 16);
    Some(
        symbols
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8032 section 7.1, test 1: the empty message.
    #[test]
    fn matches_the_rfc_8032_test_vector() {
        let seed: [u8; 32] = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        let key = DeviceKey::from_seed(seed);
        assert_eq!(
            BASE64.decode(key.public_key()).unwrap(),
            hex::<32>("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        );
        let sig = BASE64.decode(key.sign(b"")).unwrap();
        assert_eq!(
            sig[..32],
            hex::<32>("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155")
        );
        assert_eq!(verify(&key.public_key(), b"", &key.sign(b"")), Ok(()));
    }

    fn hex<const N: usize>(text: &str) -> [u8; N] {
        let bytes: Vec<u8> = (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect();
        bytes.try_into().unwrap()
    }

    #[test]
    fn a_changed_message_or_key_fails() {
        let key = DeviceKey::from_seed([1; 32]);
        let other = DeviceKey::from_seed([2; 32]);
        let sig = key.sign(b"ballot");
        assert_eq!(
            verify(&key.public_key(), b"ballot!", &sig),
            Err(VerifySignatureError::Mismatch)
        );
        assert_eq!(
            verify(&other.public_key(), b"ballot", &sig),
            Err(VerifySignatureError::Mismatch)
        );
        assert_eq!(
            verify("abc", b"ballot", &sig),
            Err(VerifySignatureError::BadPublicKey)
        );
        assert_eq!(
            verify(&key.public_key(), b"ballot", "AAAA"),
            Err(VerifySignatureError::BadSignatureEncoding)
        );
    }

    #[test]
    fn canonical_bytes_sort_keys_and_drop_whitespace() {
        let value: serde_json::Value = serde_json::from_str("{ \"b\": 1, \"a\": [\"中\", 2] }").unwrap();
        assert_eq!(canonical_bytes(&value), "{\"a\":[\"中\",2],\"b\":1}".as_bytes());
    }

    #[test]
    fn fingerprint_is_four_groups_of_four() {
        let fp = fingerprint(&DeviceKey::from_seed([9; 32]).public_key()).unwrap();
        assert_eq!(fp.len(), 19);
        assert_eq!(fp.split('-').count(), 4);
        assert_ne!(
            fp,
            fingerprint(&DeviceKey::from_seed([8; 32]).public_key()).unwrap()
        );
    }
}
