//! Hostile and broken input at the host and the tablet: a file over the 64 MiB limit, text
//! that is not JSON, JSON nested far too deep, a ballot from another meeting, and a damaged
//! join link. Each is refused with a message naming the file; nothing is lost and the app
//! keeps working.

use pingyi::domain::code::MeetingSecret;
use pingyi::domain::collect::HostMeeting;
use pingyi::domain::sample::{random_ballots, sized_meeting};
use pingyi::domain::signing::DeviceKey;

use super::harness::{
    Driver, StaticServer, button, click, downloads_dir, hand_in_batches, stored_record, text_of, wait_for,
};

#[tokio::test(flavor = "multi_thread")]
async fn hostile_files_and_links_are_refused_with_a_message_and_lose_nothing() {
    let server = StaticServer::start();
    let driver = Driver::start();
    let host = driver.session("hostile-host", 1024, 768).await;
    host.goto(&server.base_url).await.expect("open the app");
    click(&host, &button("主持人")).await;
    click(&host, &button("使用演示会议")).await;
    click(&host, "//nav//button[contains(., '平板与选票码')]").await;
    click(&host, &button("开放投票")).await;
    click(&host, "//span[@class='confirm']//button[contains(., '确定开放')]").await;
    click(&host, "//nav//button[contains(., '收票')]").await;

    let dir = downloads_dir("hostile-host");
    let big = dir.join("big.json");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(65 * 1024 * 1024))
        .expect("a 65 MiB file");
    let garbage = dir.join("garbage.json");
    std::fs::write(&garbage, "<script>alert(1)</script>{\"format\":").unwrap();
    let deep = dir.join("deep.json");
    std::fs::write(&deep, format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))).unwrap();
    let other = dir.join("other-meeting.json");
    // A real hand-in, sealed to another meeting's round.
    let meeting = sized_meeting(3);
    let mut elsewhere = HostMeeting::new(
        meeting.clone(),
        MeetingSecret::from_bytes([1; 32]),
        "2026-12-18T09:00:00Z",
    );
    elsewhere
        .open_voting(
            &DeviceKey::from_seed([2; 32]),
            [3; 16],
            [4; 32],
            "2026-12-18T09:00:00Z",
        )
        .unwrap();
    let file = hand_in_batches(&elsewhere, 9, &random_ballots(&meeting, 1, 5), 3);
    std::fs::write(&other, &file[0]).unwrap();

    let picker = wait_for(&host, "//input[@name='ballot-files']").await;
    let names: Vec<String> = [&big, &garbage, &deep, &other]
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    picker
        .send_keys(&names.join("\n"))
        .await
        .expect("choose the files");
    wait_for(&host, "//*[@data-testid='import-report']/li[4]").await;
    let report = text_of(&host, "//*[@data-testid='import-report']").await;
    let line = |name: &str| {
        report
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no line for {name} in {report}"))
            .to_owned()
    };
    assert!(line("big.json").contains("64 MiB"), "{report}");
    assert!(line("garbage.json").contains("不是评议交票文件"), "{report}");
    assert!(line("deep.json").contains("不是评议交票文件"), "{report}");
    assert!(
        line("other-meeting.json").contains("不是发给本会议本轮的"),
        "{report}"
    );
    // The markup in the garbage file never became markup.
    let alerts = host
        .execute(
            "return document.querySelectorAll('.import-report script').length;",
            vec![],
        )
        .await
        .expect("look for injected elements");
    assert_eq!(alerts.as_u64(), Some(0));

    // Nothing was taken in, the refusal is counted, and the page still
    // works after a reload.
    let record: serde_json::Value = serde_json::from_str(
        &stored_record(&host, "pingyi.host-state")
            .await
            .expect("the host record"),
    )
    .expect("JSON");
    assert_eq!(record["round"]["batches"].as_array().map(Vec::len), Some(0));
    assert_eq!(record["refused"]["not_this_round"], 1, "the refusal is counted");
    host.refresh().await.expect("reload");
    wait_for(&host, "//input[@name='ballot-files']").await;

    // A damaged join link on a tablet: a message, and the tablet is not joined to anything.
    let tablet = driver.session("hostile-tablet", 768, 1024).await;
    tablet
        .goto(&format!("{}#join=AAAA-not-a-meeting", server.base_url))
        .await
        .expect("open a damaged link");
    let message = text_of(&tablet, "//*[@role='alert']").await;
    assert!(!message.is_empty());
    let joined = stored_record(&tablet, "pingyi.tablet-state").await;
    assert!(joined.is_none(), "{joined:?}");
    tablet.close().await.expect("close the tablet");
    host.close().await.expect("close the host");
}
