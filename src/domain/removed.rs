//! What the host laptop keeps of the meeting records it removed.
//!
//! "Start a new meeting" removes the meeting record from the laptop, and with it the record's
//! own audit log. So the removal is logged apart from the record, in a short list that stays on
//! the laptop: when, which meeting, how far it got, and which export holds the whole record.
//! The removal is refused while the record holds anything not yet exported, so the last
//! export's audit log always ends at the entry this list names.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::collect::{HostMeeting, Phase};

/// Format name of the list of removed meeting records.
pub const REMOVED_MEETINGS_FORMAT: &str = "pingyi-removed-meetings";
/// Version of that format.
pub const REMOVED_MEETINGS_VERSION: u32 = 1;

/// The laptop's list of removed meeting records, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemovedMeetingsV1 {
    pub format: String,
    pub version: u32,
    pub entries: Vec<RemovedMeetingV1>,
}

/// One removed meeting record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemovedMeetingV1 {
    /// When the record was removed (ISO 8601, UTC).
    pub removed: String,
    pub meeting_id: String,
    pub title: String,
    /// The meeting's date as its file gives it.
    pub date: String,
    /// How far the meeting had got.
    pub phase: Phase,
    /// Ballots accepted in the record.
    pub accepted: usize,
    /// Entries in the record's audit log. The last one is the export below, so the exported
    /// file with an audit log of exactly this length is the whole record.
    pub audit_entries: u32,
    /// The audit event of the last export: `result_exported` or `backup_exported`.
    pub last_export: String,
    /// When that export was made (ISO 8601, UTC).
    pub exported: String,
}

/// Why a meeting record may not be removed, or the list cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RemoveError {
    #[error(
        "会议记录还有未导出的内容：请先导出已签名的结果文件或会议备份 — the record holds changes not yet exported: export the signed result file or a meeting backup first"
    )]
    NotExported,
    #[error("不是已删除会议的列表（{0}）— not a list of removed meetings ({0})")]
    WrongFormat(String),
    #[error("已删除会议列表的版本 {0} 不受支持 — version {0} of the removed-meetings list is not supported")]
    UnsupportedVersion(u32),
}

impl RemovedMeetingsV1 {
    /// An empty list.
    pub fn new() -> RemovedMeetingsV1 {
        RemovedMeetingsV1 {
            format: REMOVED_MEETINGS_FORMAT.to_owned(),
            version: REMOVED_MEETINGS_VERSION,
            entries: Vec::new(),
        }
    }

    /// Checks a list read back from storage.
    pub fn checked(self) -> Result<RemovedMeetingsV1, RemoveError> {
        if self.format != REMOVED_MEETINGS_FORMAT {
            return Err(RemoveError::WrongFormat(self.format));
        }
        if self.version != REMOVED_MEETINGS_VERSION {
            return Err(RemoveError::UnsupportedVersion(self.version));
        }
        Ok(self)
    }

    /// The list with the removal of `host` at `time` added: the caller stores it, and removes
    /// the record only once it is stored. Refused while the record holds unexported changes.
    pub fn with_removal(&self, host: &HostMeeting, time: &str) -> Result<RemovedMeetingsV1, RemoveError> {
        let state = host.state();
        if host.has_unexported_changes() {
            return Err(RemoveError::NotExported);
        }
        // Nothing unexported means the last audit entry is the export itself.
        let last = state.audit.last().ok_or(RemoveError::NotExported)?;
        let meeting = host.meeting();
        let mut next = self.clone();
        next.entries.push(RemovedMeetingV1 {
            removed: time.to_owned(),
            meeting_id: meeting.id().to_owned(),
            title: meeting.title().to_owned(),
            date: meeting.date().to_owned(),
            phase: host.phase(),
            accepted: host.counted_per_group().iter().sum::<u32>() as usize,
            audit_entries: state.audit.len() as u32,
            last_export: last.event.clone(),
            exported: last.time.clone(),
        });
        Ok(next)
    }
}

impl Default for RemovedMeetingsV1 {
    fn default() -> Self {
        RemovedMeetingsV1::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ballot::{BallotDraft, Credential};
    use crate::domain::code::MeetingSecret;
    use crate::domain::demo::small_meeting;
    use crate::domain::signing::DeviceKey;

    const T: &str = "2026-12-18T09:00:00Z";
    const LATER: &str = "2026-12-18T11:30:00Z";

    fn open_host_with_one_ballot() -> HostMeeting {
        let mut h = HostMeeting::new(small_meeting("code"), MeetingSecret::from_bytes([7; 32]), T);
        h.issue_codes(0, 2, T).unwrap();
        h.open_voting(&DeviceKey::from_seed([9; 32]), [1; 16], [2; 32], T)
            .unwrap();
        let code = h.codes()[0][0];
        let mut draft = BallotDraft::new(h.meeting(), Credential::Code(code));
        for p in 0..4 {
            draft.fill_presenter(p, 1);
        }
        h.key_in_paper(&draft.finish().unwrap()).unwrap();
        h
    }

    #[test]
    fn a_record_with_unexported_changes_is_not_removed() {
        let mut h = open_host_with_one_ballot();
        let list = RemovedMeetingsV1::new();
        assert_eq!(list.with_removal(&h, LATER), Err(RemoveError::NotExported));
        h.backup(T);
        h.set_note(0, "问：驻村时间？", T);
        assert_eq!(
            list.with_removal(&h, LATER),
            Err(RemoveError::NotExported),
            "a note after the backup is not in any export"
        );
    }

    #[test]
    fn the_removal_names_the_export_that_holds_the_whole_record() {
        let mut h = open_host_with_one_ballot();
        h.backup(T);
        let list = RemovedMeetingsV1::new().with_removal(&h, LATER).unwrap();
        let entry = &list.entries[0];
        assert_eq!(entry.phase, Phase::Open);
        assert_eq!(entry.accepted, 1);
        assert_eq!(entry.last_export, "backup_exported");
        assert_eq!(entry.audit_entries as usize, h.state().audit.len());
        assert_eq!(entry.removed, LATER);

        h.close_voting(&DeviceKey::from_seed([9; 32]), [3; 32], None, false, LATER)
            .unwrap();
        let file = h
            .result_file(&DeviceKey::from_seed([9; 32]), "test", LATER)
            .unwrap();
        let list = list.with_removal(&h, "2026-12-18T12:00:00Z").unwrap();
        assert_eq!(list.entries.len(), 2, "entries are added, never replaced");
        let entry = &list.entries[1];
        assert_eq!(entry.phase, Phase::Closed);
        assert_eq!(entry.last_export, "result_exported");
        assert_eq!(entry.exported, LATER);
        assert_eq!(entry.audit_entries as usize, file.payload.audit.len());
        assert_eq!(entry.meeting_id, file.payload.join.meeting.id);
    }

    #[test]
    fn the_list_survives_storage_and_refuses_other_files() {
        let mut h = open_host_with_one_ballot();
        h.backup(T);
        let list = RemovedMeetingsV1::new().with_removal(&h, LATER).unwrap();
        let text = serde_json::to_string(&list).unwrap();
        let back: RemovedMeetingsV1 = serde_json::from_str(&text).unwrap();
        assert_eq!(back.clone().checked(), Ok(list));
        let mut other = back.clone();
        other.format = "pingyi-host-state".to_owned();
        assert!(matches!(other.checked(), Err(RemoveError::WrongFormat(_))));
        let mut newer = back;
        newer.version = 2;
        assert_eq!(newer.checked(), Err(RemoveError::UnsupportedVersion(2)));
    }
}
