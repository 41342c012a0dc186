//! 试运行 (issue 16): the host runs the real meeting as a trial — a tablet joins, a rater
//! tries the form, the batch is taken in and the board marks the tally as a trial — then ends
//! the trial and opens the real round. The trial's hand-in is refused by the live record, the
//! tablet's trial ballots are cleared when it joins the live round, and every screen of the
//! trial says "试运行".

use super::harness::{
    Driver, StaticServer, assert_accessible, button, click, host_state, join_as_tablet, join_link, open_tab,
    quick_fill, seal_closing_batch, set_value, stored_record, text_of, wait_for, wait_for_download,
};

#[tokio::test(flavor = "multi_thread")]
async fn a_trial_run_never_mixes_with_the_live_record() {
    let server = StaticServer::start();
    let driver = Driver::start();
    let host = driver.session("trial-host", 1920, 1080).await;
    host.goto(&server.base_url).await.expect("open the app");
    click(&host, &button("主持人")).await;
    click(&host, &button("使用演示会议")).await;
    open_tab(&host, "平板与选票码").await;
    click(&host, &button("先试运行")).await;
    click(&host, "//span[@class='confirm']//button[contains(., '先试运行')]").await;
    wait_for(&host, "//*[@data-testid='trial-panel']").await;
    wait_for(&host, "//header//*[@data-testid='trial']").await;
    set_value(&host, "//input[@name='codes-0']", "2").await;
    click(&host, "//form[.//input[@name='codes-0']]//button").await;
    wait_for(&host, "(//*[@data-testid='code'])[2]").await;
    let trial_link = join_link(&host).await;
    let code = host_state(&host).await.codes()[0][0].to_string();

    // A tablet joins the trial; every one of its screens says so.
    let tablet = driver.session("trial-tablet", 768, 1024).await;
    join_as_tablet(&tablet, &trial_link, "2468").await;
    wait_for(&tablet, "//*[@data-testid='trial']").await;
    assert_accessible(&tablet, "tablet in a trial run", &[]).await;
    set_value(&tablet, "//input[@name='code']", &code).await;
    click(&tablet, &button("开始评议")).await;
    wait_for(&tablet, "//article[@id='k-presenter-40']").await;
    wait_for(&tablet, "//*[@data-testid='trial']").await;
    quick_fill(&tablet, "k").await;
    click(&tablet, "(//button[contains(., '检查并提交')])[1]").await;
    click(&tablet, &button("提交选票")).await;
    click(&tablet, &button("交给下一位评议人")).await;
    click(&tablet, &button("交票")).await;
    set_value(&tablet, "//input[@name='unlock-pin']", "2468").await;
    click(&tablet, &button("解锁")).await;
    seal_closing_batch(&tablet).await;
    click(&tablet, &button("导出选票文件")).await;
    let trial_file = wait_for_download("trial-tablet", "hand-in-").await;

    // The host takes the trial batch in; the board marks the trial.
    open_tab(&host, "收票").await;
    let picker = wait_for(&host, "//input[@name='ballot-files']").await;
    picker
        .send_keys(&trial_file.display().to_string())
        .await
        .expect("import the trial batch");
    wait_for(
        &host,
        "//*[@data-testid='import-report']/li[contains(., '第 1 批，1 张')]",
    )
    .await;
    assert_eq!(host_state(&host).await.counted_per_group()[0], 1);
    open_tab(&host, "大屏").await;
    wait_for(&host, "//*[@data-testid='board-trial']").await;

    // End the trial: the live round opens with a new link; nothing of the trial counts.
    open_tab(&host, "平板与选票码").await;
    click(&host, &button("结束试运行，正式开始")).await;
    click(
        &host,
        "//span[@class='confirm']//button[contains(., '结束试运行，正式开始')]",
    )
    .await;
    wait_for(&host, "//*[@role='status' and contains(., '试运行已结束')]").await;
    let record = host_state(&host).await;
    assert!(!record.is_trial());
    assert_eq!(record.counted_per_group().iter().sum::<u32>(), 0);
    assert!(
        host.find(fantoccini::Locator::XPath("//header//*[@data-testid='trial']"))
            .await
            .is_err(),
        "no trial marker once live"
    );
    let live_link = join_link(&host).await;
    assert_ne!(live_link, trial_link, "a new session, a new link");

    // The trial's file is refused by the live record and changes nothing.
    open_tab(&host, "收票").await;
    let picker = wait_for(&host, "//input[@name='ballot-files']").await;
    picker
        .send_keys(&trial_file.display().to_string())
        .await
        .expect("import the trial batch again");
    let report = text_of(&host, "//*[@data-testid='import-report']").await;
    assert!(report.contains("不是发给本会议本轮的"), "{report}");
    assert_eq!(host_state(&host).await.counted_per_group().iter().sum::<u32>(), 0);

    // The tablet joins the live round: its trial ballots are cleared, the same code rates again.
    tablet.goto(&live_link).await.expect("open the live link");
    wait_for(&tablet, "//*[@data-testid='clears-trial']").await;
    set_value(&tablet, "//input[@name='pin']", "1357").await;
    set_value(&tablet, "//input[@name='pin-again']", "1357").await;
    click(&tablet, &button("加入会议")).await;
    wait_for(&tablet, "//input[@name='code']").await;
    assert!(
        tablet
            .find(fantoccini::Locator::XPath("//*[@data-testid='trial']"))
            .await
            .is_err(),
        "no trial banner in the live round"
    );
    let state: serde_json::Value =
        serde_json::from_str(&stored_record(&tablet, "pingyi.tablet-state").await.unwrap()).unwrap();
    assert!(state["join"].get("trial").is_none());
    assert_eq!(state["sealed"].as_array().map(Vec::len), Some(0));
    assert_eq!(state["used_codes"].as_array().map(Vec::len), Some(0));
    set_value(&tablet, "//input[@name='code']", &code).await;
    click(&tablet, &button("开始评议")).await;
    wait_for(&tablet, "//article[@id='k-presenter-1']").await;

    tablet.close().await.expect("close the tablet");
    host.close().await.expect("close the host");
}
