//! The signed join and the tablet hello (docs/record-format.md): the host signs the meeting,
//! its digest, a fresh session and its transport key, so a tablet never rates an altered
//! meeting; a tablet signs a hello when it joins, so the host and the result list it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::commit::meeting_digest;
use super::group::{hex, parse_hex};
use super::seal::{TransportKeyError, check_transport_key};
use crate::domain::meeting::{Meeting, MeetingFileV1, ParseMeetingError};
use crate::domain::signing::{DeviceKey, VerifySignatureError, canonical_bytes, verify};

pub const JOIN_FORMAT: &str = "pingyi-join";
/// Version 2 is the signed join; version 1 (unsigned) is refused.
pub const SIGNED_JOIN_VERSION: u32 = 2;
pub const HELLO_FORMAT: &str = "pingyi-hello";
pub const HELLO_VERSION: u32 = 1;

/// What the tablet reads from the host's link, QR code or file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedJoinV2 {
    pub format: String,
    pub version: u32,
    pub meeting: MeetingFileV1,
    pub meeting_digest: String,
    pub session: String,
    /// The host's Ed25519 key, base64.
    pub host: String,
    /// The host's X25519 transport key for this session, base64.
    pub transport: String,
    /// A trial round (试运行): its ballots never enter the live record. Absent when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub trial: bool,
    pub signature: String,
}

/// The JCS bytes of a signed object without its `signature` field: what its signature covers.
pub(super) fn without_signature<T: Serialize>(value: &T) -> Vec<u8> {
    let mut value = serde_json::to_value(value).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.remove("signature");
    }
    canonical_bytes(&value)
}

/// A join that passed every check.
#[derive(Clone, Debug)]
pub struct CheckedJoin {
    pub join: SignedJoinV2,
    pub meeting: Meeting,
    pub digest: [u8; 32],
    pub session: [u8; 16],
    pub transport: [u8; 32],
}

impl SignedJoinV2 {
    /// The host's join for a meeting round.
    pub fn sign(meeting: &Meeting, session: [u8; 16], transport: [u8; 32], host: &DeviceKey) -> SignedJoinV2 {
        let mut join = SignedJoinV2 {
            format: JOIN_FORMAT.to_owned(),
            version: SIGNED_JOIN_VERSION,
            meeting: meeting.to_file(),
            meeting_digest: hex(&meeting_digest(meeting)),
            session: hex(&session),
            host: host.public_key(),
            transport: BASE64.encode(transport),
            trial: false,
            signature: String::new(),
        };
        join.signature = host.sign(&without_signature(&join));
        join
    }

    /// The host's join for a trial round of a meeting (试运行), marked as such under the
    /// signature.
    pub fn sign_trial(
        meeting: &Meeting,
        session: [u8; 16],
        transport: [u8; 32],
        host: &DeviceKey,
    ) -> SignedJoinV2 {
        let mut join = SignedJoinV2::sign(meeting, session, transport, host);
        join.trial = true;
        join.signature = host.sign(&without_signature(&join));
        join
    }

    /// Checks the join: format, signature by the key it names, digest, session, transport key.
    pub fn check(&self) -> Result<CheckedJoin, CheckJoinError> {
        use CheckJoinError as E;
        if self.format != JOIN_FORMAT {
            return Err(E::WrongFormat(self.format.clone()));
        }
        if self.version != SIGNED_JOIN_VERSION {
            return Err(E::UnsupportedVersion(self.version));
        }
        verify(&self.host, &without_signature(self), &self.signature)?;
        let meeting = Meeting::try_from(self.meeting.clone())?;
        let digest = meeting_digest(&meeting);
        if self.meeting_digest != hex(&digest) {
            return Err(E::DigestMismatch);
        }
        let session = parse_hex::<16>(&self.session).ok_or(E::BadSession)?;
        let transport: [u8; 32] = BASE64
            .decode(&self.transport)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(E::BadTransportKey)?;
        check_transport_key(&transport)?;
        Ok(CheckedJoin {
            join: self.clone(),
            meeting,
            digest,
            session,
            transport,
        })
    }
}

/// Why a tablet refuses a join.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CheckJoinError {
    #[error("这不是评议会议的加入信息（格式 “{0}”）— this is not a Pingyi join (format “{0}”)")]
    WrongFormat(String),
    #[error(
        "加入信息版本 {0} 不受支持（须为主持人签名的版本 2）— join version {0} is not supported (a host-signed version 2 is needed)"
    )]
    UnsupportedVersion(u32),
    #[error(
        "加入信息的主持人签名无效，内容可能被改动：{0} — the host's signature on the join does not hold; it may have been altered: {0}"
    )]
    Signature(#[from] VerifySignatureError),
    #[error("会议内容无效：{0} — the meeting is not valid: {0}")]
    Meeting(#[from] ParseMeetingError),
    #[error("会议摘要与会议内容不符 — the meeting digest does not match the meeting")]
    DigestMismatch,
    #[error("会话标识格式无效 — the session value is malformed")]
    BadSession,
    #[error("主持人的加密公钥格式无效 — the host's transport key is malformed")]
    BadTransportKey,
    #[error("{0}")]
    TransportKey(#[from] TransportKeyError),
}

/// A tablet's signed registration with a meeting round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelloV1 {
    pub format: String,
    pub version: u32,
    pub meeting: String,
    pub session: String,
    pub tablet: String,
    pub signature: String,
}

/// Why a hello is refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CheckHelloError {
    #[error("不是平板登记信息 — not a tablet hello")]
    WrongFormat,
    #[error("平板登记属于另一场会议或另一轮 — the hello belongs to another meeting or round")]
    WrongRound,
    #[error("平板登记的签名无效：{0} — the hello's signature does not hold: {0}")]
    Signature(#[from] VerifySignatureError),
}

impl HelloV1 {
    pub fn sign(digest: &[u8; 32], session: &[u8; 16], tablet: &DeviceKey) -> HelloV1 {
        let mut hello = HelloV1 {
            format: HELLO_FORMAT.to_owned(),
            version: HELLO_VERSION,
            meeting: hex(digest),
            session: hex(session),
            tablet: tablet.public_key(),
            signature: String::new(),
        };
        hello.signature = tablet.sign(&without_signature(&hello));
        hello
    }

    pub fn check(&self, digest: &[u8; 32], session: &[u8; 16]) -> Result<(), CheckHelloError> {
        if self.format != HELLO_FORMAT || self.version != HELLO_VERSION {
            return Err(CheckHelloError::WrongFormat);
        }
        if self.meeting != hex(digest) || self.session != hex(session) {
            return Err(CheckHelloError::WrongRound);
        }
        verify(&self.tablet, &without_signature(self), &self.signature)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::demo::small_meeting;
    use crate::domain::record::seal::TransportSecret;

    fn join() -> SignedJoinV2 {
        let transport = TransportSecret::from_bytes([4; 32]).public_key();
        SignedJoinV2::sign(
            &small_meeting("code"),
            [7; 16],
            transport,
            &DeviceKey::from_seed([1; 32]),
        )
    }

    #[test]
    fn a_signed_join_checks() {
        let checked = join().check().unwrap();
        assert_eq!(checked.session, [7; 16]);
        assert_eq!(checked.meeting.presenters().len(), 4);
    }

    #[test]
    fn swapping_two_presenters_names_is_refused() {
        let mut altered = join();
        let (a, b) = (
            altered.meeting.presenters[0].name.clone(),
            altered.meeting.presenters[1].name.clone(),
        );
        altered.meeting.presenters[0].name = b;
        altered.meeting.presenters[1].name = a;
        assert!(matches!(altered.check(), Err(CheckJoinError::Signature(_))));
        // Re-signing with another key changes the fingerprint the tablet shows; keeping the
        // host key but recomputing nothing else fails as above.
        let mut resigned = altered.clone();
        resigned.signature = DeviceKey::from_seed([2; 32]).sign(&without_signature(&resigned));
        assert!(matches!(resigned.check(), Err(CheckJoinError::Signature(_))));
    }

    #[test]
    fn an_unsigned_version_1_join_is_refused() {
        let mut old = join();
        old.version = 1;
        assert_eq!(old.check().unwrap_err(), CheckJoinError::UnsupportedVersion(1));
    }

    #[test]
    fn a_small_order_transport_key_is_refused_even_when_signed() {
        let host = DeviceKey::from_seed([1; 32]);
        let signed = SignedJoinV2::sign(&small_meeting("code"), [7; 16], [0; 32], &host);
        assert_eq!(
            signed.check().unwrap_err(),
            CheckJoinError::TransportKey(TransportKeyError::SmallOrder)
        );
    }

    #[test]
    fn a_hello_is_bound_to_its_round() {
        let tablet = DeviceKey::from_seed([3; 32]);
        let hello = HelloV1::sign(&[1; 32], &[2; 16], &tablet);
        assert_eq!(hello.check(&[1; 32], &[2; 16]), Ok(()));
        assert_eq!(hello.check(&[1; 32], &[3; 16]), Err(CheckHelloError::WrongRound));
        let mut forged = hello.clone();
        forged.tablet = DeviceKey::from_seed([4; 32]).public_key();
        assert!(matches!(
            forged.check(&[1; 32], &[2; 16]),
            Err(CheckHelloError::Signature(_))
        ));
    }
}
