//! The tablet's staff guards, as a curious rater or a hurried staff member would meet them:
//! the PIN lockout holds across reopening the hand-in screen and a reload, and a link of
//! another meeting never removes ballots without that meeting's PIN.

use pingyi::domain::kiosk::encode_signed_join;
use pingyi::domain::meeting::Meeting;
use pingyi::domain::record::join::SignedJoinV2;
use pingyi::domain::sample::sized_meeting;
use pingyi::domain::signing::DeviceKey;
use serde_json::Value;

use super::harness::{
    Driver, StaticServer, button, click, confirm_batch, heading, join_as_tablet, quick_fill,
    seal_closing_batch, set_value, start_first_group, stored_record, text_of, wait_for,
};

/// The host-signed join link of a round of `meeting` (`session` tells rounds apart).
fn link(server: &StaticServer, meeting: &Meeting) -> String {
    let host = DeviceKey::from_seed([4; 32]);
    let digest = pingyi::domain::record::commit::meeting_digest(meeting);
    let session: [u8; 16] = digest[..16].try_into().expect("16 bytes");
    let join = SignedJoinV2::sign(meeting, session, [9; 32], &host);
    format!("{}/rater/#join={}", server.base_url, encode_signed_join(&join))
}

async fn state(tablet: &fantoccini::Client) -> Value {
    serde_json::from_str(
        &stored_record(tablet, "pingyi.tablet-state")
            .await
            .unwrap_or_default(),
    )
    .unwrap_or_default()
}

/// Ballots on the tablet not yet confirmed by the host (pending and sealed).
async fn held(tablet: &fantoccini::Client) -> usize {
    let state = state(tablet).await;
    let pending = state["pending"].as_array().map_or(0, Vec::len);
    let sealed: u64 = state["sealed"]
        .as_array()
        .map_or(0, |b| b.iter().filter_map(|b| b["ballots"].as_u64()).sum());
    pending + sealed as usize
}

/// Joins `meeting` with PIN 2468 and submits one quick-filled ballot.
async fn join_and_rate_once(tablet: &fantoccini::Client, link: &str) {
    join_as_tablet(tablet, link, "2468").await;
    start_first_group(tablet).await;
    quick_fill(tablet, "k").await;
    click(tablet, "(//button[contains(., '检查并提交')])[1]").await;
    click(tablet, &button("提交选票")).await;
    click(tablet, &button("交给下一位评议人")).await;
}

fn second_meeting(first: &Meeting) -> Meeting {
    let mut file = first.to_file();
    file.id = "second".to_owned();
    file.title = "第二场会议".to_owned();
    Meeting::try_from(file).expect("a second meeting")
}

#[tokio::test(flavor = "multi_thread")]
async fn three_wrong_pins_lock_hand_in_across_reopening_and_reloads() {
    let server = StaticServer::start();
    let driver = Driver::start();
    let tablet = driver.session("guards-pin", 768, 1024).await;
    let first = sized_meeting(3);
    join_and_rate_once(&tablet, &link(&server, &first)).await;

    click(&tablet, &button("交票（工作人员）")).await;
    for _ in 0..3 {
        set_value(&tablet, "//input[@name='unlock-pin']", "1111").await;
        click(&tablet, &button("解锁")).await;
    }
    wait_for(&tablet, "//p[@role='status'][contains(., '秒后再试')]").await;
    click(&tablet, &button("返回评议")).await;
    click(&tablet, &button("交票（工作人员）")).await;
    wait_for(&tablet, "//p[@role='status'][contains(., '秒后再试')]").await;
    wait_for(&tablet, "//button[contains(., '解锁')][@disabled]").await;
    tablet.refresh().await.expect("reload");
    click(&tablet, &button("交票（工作人员）")).await;
    wait_for(&tablet, "//button[contains(., '解锁')][@disabled]").await;
    // The core refuses a try while locked even if the button is forced.
    tablet
        .execute(
            "document.querySelector('form button[disabled]').disabled = false;",
            vec![],
        )
        .await
        .expect("force the button");
    set_value(&tablet, "//input[@name='unlock-pin']", "2468").await;
    click(&tablet, &button("解锁")).await;
    wait_for(&tablet, "//p[@role='status'][contains(., '秒后再试')]").await;
    assert!(
        tablet
            .find(fantoccini::Locator::XPath("//*[@data-testid='pending']"))
            .await
            .is_err(),
        "the ballots stay behind the lock"
    );
    assert_eq!(held(&tablet).await, 1);

    // A link of another meeting while ballots are not handed in: refused, nothing removed.
    tablet
        .goto(&link(&server, &second_meeting(&first)))
        .await
        .expect("open the other link");
    wait_for(&tablet, "//*[@role='alert'][contains(., '未交选票')]").await;
    assert_eq!(held(&tablet).await, 1, "nothing removed");
}

#[tokio::test(flavor = "multi_thread")]
async fn handed_in_ballots_of_another_meeting_go_only_with_that_meetings_pin() {
    let server = StaticServer::start();
    let driver = Driver::start();
    let tablet = driver.session("guards-replace", 768, 1024).await;
    let first = sized_meeting(3);
    join_and_rate_once(&tablet, &link(&server, &first)).await;
    click(&tablet, &button("交票（工作人员）")).await;
    set_value(&tablet, "//input[@name='unlock-pin']", "2468").await;
    click(&tablet, &button("解锁")).await;
    seal_closing_batch(&tablet).await;
    // The code the host would show on receipt (the test reads it from the tablet's record).
    let digest = state(&tablet).await["sealed"][0]["digest"]
        .as_str()
        .expect("a sealed batch")
        .to_owned();
    confirm_batch(&tablet, &digest).await;
    assert_eq!(held(&tablet).await, 0, "the confirmed batch is erased");

    // The next meeting's link asks first, and a wrong PIN of the old meeting keeps its ballots.
    tablet
        .goto(&link(&server, &second_meeting(&first)))
        .await
        .expect("open the next meeting's link");
    wait_for(&tablet, "//*[@data-testid='replacing']").await;
    set_value(&tablet, "//input[@name='pin']", "1357").await;
    set_value(&tablet, "//input[@name='pin-again']", "1357").await;
    set_value(&tablet, "//input[@name='old-pin']", "9999").await;
    click(&tablet, &button("加入会议")).await;
    wait_for(
        &tablet,
        "//*[@role='alert'][contains(., '原会议的交票 PIN 不对')]",
    )
    .await;
    assert_eq!(
        state(&tablet).await["join"]["meeting"]["id"],
        first.id(),
        "the earlier round's record is kept"
    );

    set_value(&tablet, "//input[@name='old-pin']", "2468").await;
    click(&tablet, &button("加入会议")).await;
    let _ = text_of(&tablet, &heading("第二场会议")).await;
    assert_eq!(state(&tablet).await["join"]["meeting"]["id"], "second");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_is_said_before_anything_is_acknowledged_and_loses_nothing() {
    let server = StaticServer::start();
    let driver = Driver::start();
    let tablet = driver.session("guards-full", 768, 1024).await;
    let meeting = sized_meeting(3);
    join_as_tablet(&tablet, &link(&server, &meeting), "2468").await;
    start_first_group(&tablet).await;

    // The disk is full: every write is refused the way the browser refuses one over quota
    // (a QuotaExceededError from the request). Chromium's DevTools quota override does not
    // reach a page session through chromedriver, so the refusal is injected in the page.
    tablet
        .execute(
            "window.__put = IDBObjectStore.prototype.put;\n\
             IDBObjectStore.prototype.put = function () {\n\
               throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');\n\
             };",
            vec![],
        )
        .await
        .expect("fill the disk");
    quick_fill(&tablet, "k").await;
    wait_for(&tablet, "//*[@data-testid='save-state'][@data-state='failed']").await;
    wait_for(&tablet, "//*[@role='alert'][contains(., '本机未能保存')]").await;

    // Submitting says it was not stored, keeps the rater's choices on the review screen, and
    // never shows "submitted".
    click(&tablet, "(//button[contains(., '检查并提交')])[1]").await;
    click(&tablet, &button("提交选票")).await;
    wait_for(
        &tablet,
        "//*[@role='alert'][contains(., '选票未能保存，尚未提交')]",
    )
    .await;
    wait_for(&tablet, &button("提交选票")).await;
    assert!(
        tablet
            .find(fantoccini::Locator::XPath("//h1[contains(., '选票已提交')]"))
            .await
            .is_err()
    );
    assert_eq!(held(&tablet).await, 0, "nothing stored as submitted");

    // Room again (staff freed space): the same ballot goes through, once.
    tablet
        .execute("IDBObjectStore.prototype.put = window.__put;", vec![])
        .await
        .expect("free the disk");
    click(&tablet, &button("提交选票")).await;
    wait_for(&tablet, &heading("选票已提交")).await;
    assert_eq!(held(&tablet).await, 1);
    assert!(stored_record(&tablet, "pingyi.tablet-draft").await.is_none());

    // The disk fills again before staff seal the batch: no QR code is shown for a batch the
    // tablet has not stored (the host could take in a batch the tablet would then seal again
    // differently), and the ballot stays pending.
    click(&tablet, &button("交给下一位评议人")).await;
    click(&tablet, &button("交票（工作人员）")).await;
    set_value(&tablet, "//input[@name='unlock-pin']", "2468").await;
    click(&tablet, &button("解锁")).await;
    wait_for(&tablet, "//*[@data-testid='pending']").await;
    tablet
        .execute(
            "IDBObjectStore.prototype.put = function () {\n\
               throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');\n\
             };",
            vec![],
        )
        .await
        .expect("fill the disk again");
    click(&tablet, &button("交最后一批（本平板结束收票）")).await;
    click(
        &tablet,
        "//span[@class='confirm']//button[contains(., '交最后一批')]",
    )
    .await;
    wait_for(
        &tablet,
        "//*[@data-testid='hand-in-message' and contains(., '本机未能保存')]",
    )
    .await;
    assert!(
        tablet
            .find(fantoccini::Locator::XPath("//figure[@data-testid='hand-in-qr']"))
            .await
            .is_err(),
        "no QR code for an unsaved batch"
    );
    assert_eq!(text_of(&tablet, "//*[@data-testid='pending']").await, "1");
    assert_eq!(state(&tablet).await["sealed"].as_array().map(Vec::len), Some(0));
}
