//! The host's set-up step: the meeting's level names and 优秀 quota preset are chosen there,
//! stored with the meeting record, and read back after a reload.

use super::harness::{Driver, StaticServer, button, click, host_state, stored_record, wait_for};

#[tokio::test(flavor = "multi_thread")]
async fn the_level_names_and_quota_chosen_at_set_up_are_the_meetings() {
    let server = StaticServer::start();
    let driver = Driver::start();
    let host = driver.session("setup-levels", 1024, 768).await;
    host.goto(&server.base_url).await.expect("open the app");
    click(&host, &button("主持人")).await;
    click(&host, &button("使用演示会议")).await;
    let select = wait_for(&host, "//select[@name='level-names']").await;
    select
        .select_by_value("institution")
        .await
        .expect("choose 优秀 / 合格 / 基本合格 / 不合格");
    // The thresholds name the chosen levels.
    wait_for(
        &host,
        "//label[.//input[@name='basic-below']]/span[contains(., '低于此分为基本合格')]",
    )
    .await;
    wait_for(
        &host,
        "//label[.//input[@name='unfit-below']]/span[contains(., '低于此分为不合格')]",
    )
    .await;
    // "约 10 %（第一书记）": ten percent, rounded to the nearest place.
    wait_for(&host, "//select[@name='quota-preset']")
        .await
        .select_by_value("2")
        .await
        .expect("choose the first-secretary quota");
    click(&host, &button("保存会议")).await;
    wait_for(&host, "//*[@role='status' and contains(., '会议已保存')]").await;
    let record = host_state(&host).await;
    assert_eq!(
        record.meeting().rules().names,
        pingyi::domain::level::LevelNames::Institution
    );
    let text = stored_record(&host, "pingyi.host-state")
        .await
        .expect("the record");
    assert!(text.contains("\"level_names\":\"institution\""), "{text}");
    assert!(text.contains("\"excellent_top_percent\":10"), "{text}");
    assert!(text.contains("\"excellent_rounding\":\"nearest\""), "{text}");

    host.refresh().await.expect("reload");
    let chosen = wait_for(&host, "//select[@name='level-names']")
        .await
        .prop("value")
        .await
        .expect("the select's value");
    assert_eq!(chosen.as_deref(), Some("institution"));
}
