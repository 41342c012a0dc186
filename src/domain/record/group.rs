//! ristretto255 for the record: domain-separated hashes, the meeting's generators, and the one
//! place where points and scalars are read from text — refusing non-canonical encodings and the
//! identity, so no crafted file can slip a small-order or malleable value past a check.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use sha2::{Digest, Sha256, Sha512};
use thiserror::Error;

/// A hash input built as `tag ‖ 0 ‖ lp(field) ‖ lp(field) …` (lp = 4-byte big-endian length,
/// then the bytes): no two different field lists give the same bytes, and no two tags collide.
pub struct Tagged {
    bytes: Vec<u8>,
}

impl Tagged {
    pub fn new(tag: &str) -> Tagged {
        let mut bytes = Vec::with_capacity(tag.len() + 64);
        bytes.extend_from_slice(tag.as_bytes());
        bytes.push(0);
        Tagged { bytes }
    }
    /// Appends one length-prefixed field.
    pub fn field(mut self, value: &[u8]) -> Tagged {
        self.push(value);
        self
    }
    pub fn push(&mut self, value: &[u8]) {
        let len = u32::try_from(value.len()).unwrap_or(u32::MAX);
        self.bytes.extend_from_slice(&len.to_be_bytes());
        self.bytes.extend_from_slice(value);
    }
    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.bytes).into()
    }
    pub fn sha512(&self) -> [u8; 64] {
        Sha512::digest(&self.bytes).into()
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes of lower-case hex of exactly `N` bytes; upper case or any other length is refused.
pub fn parse_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N
        || !text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let mut out = [0u8; N];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// The generator of `label` for the meeting with digest `meeting`: RFC 9496's one-way map of
/// SHA-512 over the tagged input (libsodium: `crypto_core_ristretto255_from_hash`).
pub fn generator(meeting: &[u8; 32], label: &str) -> RistrettoPoint {
    let wide = Tagged::new("pingyi/v2/generator")
        .field(meeting)
        .field(label.as_bytes())
        .sha512();
    RistrettoPoint::from_uniform_bytes(&wide)
}

/// r·B for the standard generator: through its precomputed table where the build has one
/// (the host), by the variable-base method otherwise (the rater build, see Cargo.toml).
pub fn blind(r: &Scalar) -> RistrettoPoint {
    RistrettoPoint::mul_base(r)
}

/// Why a point or scalar in a file is refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ReadPointError {
    #[error("不是 32 字节的 base64 编码 — not 32 bytes of base64")]
    Encoding,
    #[error("不是 ristretto255 群元素的规范编码 — not a canonical ristretto255 encoding")]
    NotCanonical,
    #[error("群元素为单位元，不可能是承诺 — the identity element cannot be a commitment")]
    Identity,
    #[error("标量不小于群的阶 — the scalar is not below the group order")]
    ScalarNotCanonical,
}

fn decode_32(text: &str) -> Result<[u8; 32], ReadPointError> {
    let bytes = BASE64.decode(text).map_err(|_| ReadPointError::Encoding)?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| ReadPointError::Encoding)?;
    // base64 has several spellings of the same bytes (unused low bits); only the canonical one
    // is accepted, so a file has exactly one text for each value.
    if BASE64.encode(bytes) != text {
        return Err(ReadPointError::Encoding);
    }
    Ok(bytes)
}

/// A point from its base64 text: canonical encoding only, never the identity.
pub fn read_point(text: &str) -> Result<RistrettoPoint, ReadPointError> {
    let bytes = decode_32(text)?;
    let point = CompressedRistretto(bytes)
        .decompress()
        .ok_or(ReadPointError::NotCanonical)?;
    if point.is_identity() {
        return Err(ReadPointError::Identity);
    }
    Ok(point)
}

/// The base64 text of a point.
pub fn write_point(point: &RistrettoPoint) -> String {
    BASE64.encode(point.compress().as_bytes())
}

/// A scalar from its base64 text: canonical (below the group order) only.
pub fn read_scalar(text: &str) -> Result<Scalar, ReadPointError> {
    let bytes = decode_32(text)?;
    Option::<Scalar>::from(Scalar::from_canonical_bytes(bytes)).ok_or(ReadPointError::ScalarNotCanonical)
}

pub fn write_scalar(scalar: &Scalar) -> String {
    BASE64.encode(scalar.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::traits::Identity;

    /// The RFC 9496 map as libsodium's `crypto_core_ristretto255_from_hash` computes it, seen
    /// on this machine: the bytes 00 01 … 3f map to this point.
    #[test]
    fn the_one_way_map_matches_libsodium() {
        let input: [u8; 64] = std::array::from_fn(|i| i as u8);
        assert_eq!(
            hex(RistrettoPoint::from_uniform_bytes(&input).compress().as_bytes()),
            "2e7c4964f91f5f2b074a9bc147ef973c08dbe29683746f979f11358065a2d155"
        );
    }

    #[test]
    fn the_identity_and_non_canonical_points_are_refused() {
        assert_eq!(
            read_point(&BASE64.encode([0u8; 32])),
            Err(ReadPointError::Identity)
        );
        assert_eq!(write_point(&RistrettoPoint::identity()), BASE64.encode([0u8; 32]));
        // 0xff… is a field element above p: not canonical.
        assert_eq!(
            read_point(&BASE64.encode([0xffu8; 32])),
            Err(ReadPointError::NotCanonical)
        );
        // A negative field element (low bit set) is never a canonical ristretto encoding.
        let mut odd = [0u8; 32];
        odd[0] = 1;
        assert_eq!(read_point(&BASE64.encode(odd)), Err(ReadPointError::NotCanonical));
        assert_eq!(read_point("AAAA"), Err(ReadPointError::Encoding));
        let g = generator(&[7; 32], "status/graded");
        assert_eq!(read_point(&write_point(&g)), Ok(g));
    }

    #[test]
    fn a_second_base64_spelling_of_the_same_bytes_is_refused() {
        let text = write_point(&generator(&[7; 32], "x"));
        // The last character of 32 bytes in base64 carries 2 unused bits.
        let last = text.as_bytes()[42];
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let pos = alphabet.iter().position(|&c| c == last).unwrap();
        let twin = char::from(alphabet[pos ^ 1]);
        let mut other = text.clone();
        other.replace_range(42..43, &twin.to_string());
        assert_ne!(other, text);
        assert_eq!(read_point(&other), Err(ReadPointError::Encoding));
    }

    #[test]
    fn scalars_at_or_above_the_order_are_refused() {
        let order_minus_one = Scalar::ZERO - Scalar::ONE;
        assert_eq!(read_scalar(&write_scalar(&order_minus_one)), Ok(order_minus_one));
        let mut above = order_minus_one.to_bytes();
        above[0] = above[0].wrapping_add(1); // ℓ itself
        assert_eq!(
            read_scalar(&BASE64.encode(above)),
            Err(ReadPointError::ScalarNotCanonical)
        );
    }

    #[test]
    fn generators_differ_by_label_and_meeting() {
        let a = generator(&[1; 32], "grade/0/0");
        assert_ne!(a, generator(&[1; 32], "grade/0/1"));
        assert_ne!(a, generator(&[2; 32], "grade/0/0"));
        assert_eq!(a, generator(&[1; 32], "grade/0/0"));
    }

    #[test]
    fn tagged_fields_are_length_prefixed() {
        let ab_c = Tagged::new("t").field(b"ab").field(b"c").sha256();
        let a_bc = Tagged::new("t").field(b"a").field(b"bc").sha256();
        assert_ne!(ab_c, a_bc);
        assert_eq!(parse_hex::<2>("0aff"), Some([0x0a, 0xff]));
        assert_eq!(parse_hex::<2>("0AFF"), None);
        assert_eq!(parse_hex::<2>("0af"), None);
    }
}
