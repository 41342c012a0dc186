//! The compact QR form of one signed ballot, for the tablet's hand-in screen and the host's
//! webcam: a binary record, base45-encoded (RFC 9285) behind the prefix `PY1:`, so the whole
//! text is in the QR alphanumeric alphabet. Decoding gives back the exact [`SignedBallotV1`],
//! so the tablet's signature still verifies. Layout in `docs/ballot-format.md`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use thiserror::Error;

use super::ballot::BallotV1;
use super::signed_ballot::SignedBallotV1;

/// Prefix of every ballot QR text (format and version).
pub const QR_PREFIX: &str = "PY1:";

const CODE_TAG: u8 = 0;
const GROUP_TAG: u8 = 1;
const RECUSED: u8 = 0xA;
const ABSTAINED: u8 = 0xB;

/// Why a scanned text is not a ballot.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum QrBallotError {
    #[error("这不是评议选票二维码 — this QR code is not a Pingyi ballot")]
    NotABallot,
    #[error("选票二维码已损坏 — the ballot QR code is damaged")]
    Damaged,
    #[error("选票内容超出二维码的表示范围 — the ballot cannot be put into a QR code")]
    TooLarge,
}

fn push_text(out: &mut Vec<u8>, text: &str) -> Result<(), QrBallotError> {
    let len = u8::try_from(text.len()).map_err(|_| QrBallotError::TooLarge)?;
    out.push(len);
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

fn hex_to_bytes(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok())
        .collect()
}

/// The QR text of a signed ballot.
pub fn encode_qr_ballot(ballot: &SignedBallotV1) -> Result<String, QrBallotError> {
    let b = &ballot.ballot;
    let mut out = Vec::with_capacity(512);
    push_text(&mut out, &b.meeting)?;
    match (&b.code, &b.group) {
        (Some(code), None) => {
            out.push(CODE_TAG);
            push_text(&mut out, code)?;
        }
        (None, Some(group)) => {
            out.push(GROUP_TAG);
            push_text(&mut out, group)?;
        }
        _ => return Err(QrBallotError::TooLarge),
    }
    let aspects = b.marks.iter().map(String::len).max().unwrap_or(0);
    out.push(u8::try_from(aspects).map_err(|_| QrBallotError::TooLarge)?);
    out.extend_from_slice(
        &u16::try_from(b.marks.len())
            .map_err(|_| QrBallotError::TooLarge)?
            .to_be_bytes(),
    );
    let mut nibbles = Vec::new();
    for mark in &b.marks {
        match mark.as_str() {
            "R" => nibbles.push(RECUSED),
            "A" => nibbles.push(ABSTAINED),
            digits if digits.len() == aspects => {
                for c in digits.bytes() {
                    if !(b'1'..=b'9').contains(&c) {
                        return Err(QrBallotError::TooLarge);
                    }
                    nibbles.push(c - b'0');
                }
            }
            _ => return Err(QrBallotError::TooLarge),
        }
    }
    out.extend(
        nibbles
            .chunks(2)
            .map(|pair| (pair[0] << 4) | pair.get(1).copied().unwrap_or(0)),
    );
    let device = BASE64
        .decode(&ballot.device)
        .map_err(|_| QrBallotError::TooLarge)?;
    let signature = BASE64
        .decode(&ballot.signature)
        .map_err(|_| QrBallotError::TooLarge)?;
    let prev = hex_to_bytes(&ballot.prev).ok_or(QrBallotError::TooLarge)?;
    if device.len() != 32 || signature.len() != 64 || prev.len() != 32 {
        return Err(QrBallotError::TooLarge);
    }
    out.extend_from_slice(&device);
    out.extend_from_slice(&ballot.seq.to_be_bytes());
    out.extend_from_slice(&prev);
    push_text(&mut out, &ballot.time)?;
    out.extend_from_slice(&signature);
    Ok(format!("{QR_PREFIX}{}", base45::encode(&out)))
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], QrBallotError> {
        if self.bytes.len() < n {
            return Err(QrBallotError::Damaged);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }
    fn byte(&mut self) -> Result<u8, QrBallotError> {
        Ok(self.take(1)?[0])
    }
    fn text(&mut self) -> Result<String, QrBallotError> {
        let len = usize::from(self.byte()?);
        String::from_utf8(self.take(len)?.to_vec()).map_err(|_| QrBallotError::Damaged)
    }
}

/// Reads a scanned QR text back into the signed ballot (its signature is checked later, on
/// arrival, like any other ballot).
pub fn decode_qr_ballot(text: &str) -> Result<SignedBallotV1, QrBallotError> {
    let body = text
        .trim()
        .strip_prefix(QR_PREFIX)
        .ok_or(QrBallotError::NotABallot)?;
    let bytes = base45::decode(body).map_err(|_| QrBallotError::Damaged)?;
    let mut r = Reader { bytes: &bytes };
    let meeting = r.text()?;
    let (code, group) = match r.byte()? {
        CODE_TAG => (Some(r.text()?), None),
        GROUP_TAG => (None, Some(r.text()?)),
        _ => return Err(QrBallotError::Damaged),
    };
    let aspects = usize::from(r.byte()?);
    let presenters = usize::from(u16::from_be_bytes([r.byte()?, r.byte()?]));
    // Each presenter takes one nibble (recused / abstained) or `aspects` nibbles; the marks
    // are read nibble by nibble, then the packed bytes are skipped.
    let mut marks = Vec::with_capacity(presenters);
    let mut nibble_index = 0usize;
    let packed = r.bytes;
    let nibble = |i: usize| -> Result<u8, QrBallotError> {
        let byte = packed.get(i / 2).ok_or(QrBallotError::Damaged)?;
        Ok(if i.is_multiple_of(2) {
            byte >> 4
        } else {
            byte & 0x0F
        })
    };
    for _ in 0..presenters {
        match nibble(nibble_index)? {
            RECUSED => {
                marks.push("R".to_owned());
                nibble_index += 1;
            }
            ABSTAINED => {
                marks.push("A".to_owned());
                nibble_index += 1;
            }
            _ => {
                let mut digits = String::with_capacity(aspects);
                for k in 0..aspects {
                    let n = nibble(nibble_index + k)?;
                    if !(1..=9).contains(&n) {
                        return Err(QrBallotError::Damaged);
                    }
                    digits.push(char::from(b'0' + n));
                }
                marks.push(digits);
                nibble_index += aspects;
            }
        }
    }
    r.take(nibble_index.div_ceil(2))?;
    let device = BASE64.encode(r.take(32)?);
    let seq = u32::from_be_bytes(r.take(4)?.try_into().map_err(|_| QrBallotError::Damaged)?);
    let prev: String = r.take(32)?.iter().map(|b| format!("{b:02x}")).collect();
    let time = r.text()?;
    let signature = BASE64.encode(r.take(64)?);
    if !r.bytes.is_empty() {
        return Err(QrBallotError::Damaged);
    }
    Ok(SignedBallotV1 {
        ballot: BallotV1 {
            meeting,
            code,
            group,
            marks,
        },
        device,
        seq,
        prev,
        time,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ballot::{BallotDraft, Credential};
    use crate::domain::code::{MeetingSecret, issue_codes};
    use crate::domain::demo::{demo_meeting, small_meeting};
    use crate::domain::signed_ballot::ChainHead;
    use crate::domain::signing::DeviceKey;
    #[cfg(not(target_arch = "wasm32"))]
    use proptest::prelude::*;

    fn signed(
        meeting: &crate::domain::meeting::Meeting,
        credential: Credential,
        grades: &[u8],
    ) -> SignedBallotV1 {
        let mut d = BallotDraft::new(meeting, credential);
        for (p, &g) in grades.iter().enumerate() {
            match g {
                9 => d.set_recused(p),
                8 => d.set_abstained(p),
                g => d.fill_presenter(p, g % 4),
            }
        }
        let mut chain = ChainHead::default();
        chain.sign_next(
            &DeviceKey::from_seed([3; 32]),
            d.finish().unwrap().to_v1(meeting),
            "2026-12-18T10:00:00.123Z",
        )
    }

    #[test]
    fn a_demo_ballot_fits_a_medium_qr_and_still_verifies() {
        let meeting = demo_meeting();
        let code = issue_codes(&MeetingSecret::from_bytes([1; 32]), meeting.id(), 1, 1).unwrap()[0];
        let grades: Vec<u8> = (0..40).map(|p| if p == 3 { 9 } else { (p % 4) as u8 }).collect();
        let ballot = signed(&meeting, Credential::Code(code), &grades);
        let text = encode_qr_ballot(&ballot).unwrap();
        assert!(text.len() < 600, "{} characters", text.len());
        assert!(
            text.bytes()
                .all(|c| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&c))
        );
        let back = decode_qr_ballot(&text).unwrap();
        assert_eq!(back, ballot);
        assert!(back.check_signature().is_ok());
        assert!(qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).is_ok());
    }

    #[test]
    fn other_texts_and_damage_are_refused() {
        assert_eq!(
            decode_qr_ballot("https://example.org"),
            Err(QrBallotError::NotABallot)
        );
        assert_eq!(decode_qr_ballot("PY1:%%%"), Err(QrBallotError::Damaged));
        let meeting = small_meeting("open");
        let text = encode_qr_ballot(&signed(&meeting, Credential::Group(1), &[0, 9, 8, 2])).unwrap();
        assert_eq!(
            decode_qr_ballot(&text[..text.len() - 3]),
            Err(QrBallotError::Damaged)
        );
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest! {
        #[test]
        fn every_ballot_round_trips(grades in proptest::collection::vec(0u8..10, 4), group in 0usize..3) {
            let meeting = small_meeting("open");
            let ballot = signed(&meeting, Credential::Group(group), &grades);
            prop_assert_eq!(decode_qr_ballot(&encode_qr_ballot(&ballot).unwrap()).unwrap(), ballot);
        }
    }
}
