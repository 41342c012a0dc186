//! After one load, the network goes away (the server stops answering): a tablet and the host
//! reload, a rater completes a ballot, the host takes it in and tallies — all offline.

use super::harness::{
    Driver, StaticServer, button, click, heading, set_value, text_of, wait_for, wait_for_download,
    wait_until_offline_ready,
};

#[tokio::test(flavor = "multi_thread")]
async fn after_one_load_the_tablet_and_the_host_work_with_the_network_off() {
    let server = StaticServer::start();
    let driver = Driver::start();

    // Online: the host sets up the demo meeting, opens voting and issues codes.
    let host = driver.session("offline-host", 1280, 900).await;
    host.goto(&server.base_url).await.expect("open the app");
    click(&host, &button("主持人")).await;
    click(&host, &button("使用演示会议")).await;
    click(&host, "//nav//button[contains(., '平板与选票码')]").await;
    click(&host, &button("开放投票")).await;
    click(&host, "//span[@class='confirm']//button[contains(., '确定开放')]").await;
    click(&host, "//form[.//input[@name='codes-0']]//button").await;
    let code = text_of(&host, "//*[@data-testid='code']").await;
    let link = wait_for(&host, "//a[@data-testid='join-link']")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    wait_until_offline_ready(&host).await;

    let tablet = driver.session("offline-tablet", 768, 1024).await;
    tablet.goto(&link).await.expect("open the join link");
    set_value(&tablet, "//input[@name='pin']", "2468").await;
    set_value(&tablet, "//input[@name='pin-again']", "2468").await;
    click(&tablet, &button("加入会议")).await;
    wait_for(&tablet, "//input[@name='code']").await;
    wait_until_offline_ready(&tablet).await;
    // The host has asked the service worker to keep the scanner too.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    server.go_offline();

    // Offline: the tablet reloads and a rater completes a ballot.
    tablet.refresh().await.expect("reload offline");
    set_value(&tablet, "//input[@name='code']", &code).await;
    click(&tablet, &button("开始评议")).await;
    wait_for(&tablet, "//article[@id='k-presenter-40']").await;
    tablet
        .execute(
            "for (const b of document.querySelectorAll('button')) { if (b.textContent.trim().startsWith('全部较好')) b.click(); }",
            vec![],
        )
        .await
        .expect("quick-fill every presenter");
    assert!(
        text_of(&tablet, "//*[@data-testid='progress']")
            .await
            .starts_with("已完成 40 / 40")
    );
    click(&tablet, "(//button[contains(., '检查并提交')])[1]").await;
    click(&tablet, &button("提交选票")).await;
    wait_for(
        &tablet,
        "//section[contains(@class, 'kiosk-done') and not(@aria-busy='true')]",
    )
    .await;
    click(&tablet, &button("交给下一位评议人")).await;
    click(&tablet, &button("交票")).await;
    set_value(&tablet, "//input[@name='unlock-pin']", "2468").await;
    click(&tablet, &button("解锁")).await;
    crate::harness::seal_closing_batch(&tablet).await;
    click(&tablet, &button("导出选票文件")).await;
    let file = wait_for_download("offline-tablet", "hand-in-").await;

    // Offline: the host reloads, takes the ballot in, closes and sees the ranking.
    host.refresh().await.expect("reload offline");
    wait_for(&host, &heading("收票")).await;
    let scanner_kept = host
        .execute_async(
            "const done = arguments[0]; fetch('./qr_worker_bg.wasm').then(r => done(r.ok), () => done(false));",
            vec![],
        )
        .await
        .expect("fetch the scanner offline");
    assert_eq!(
        scanner_kept.as_bool(),
        Some(true),
        "the host keeps the scanner worker offline"
    );
    let picker = wait_for(&host, "//input[@name='ballot-files']").await;
    picker
        .send_keys(file.to_str().unwrap())
        .await
        .expect("import the file");
    let report = text_of(&host, "//*[@data-testid='import-report']/li").await;
    assert!(report.contains("第 1 批，1 张"), "{report}");
    click(&host, "//nav//button[contains(., '结束与导出')]").await;
    click(&host, &button("结束投票")).await;
    click(&host, "//span[@class='confirm']//button[contains(., '结束投票')]").await;
    click(&host, "//nav//button[contains(., '大屏')]").await;
    let rows = host
        .find_all(fantoccini::Locator::XPath(
            "//table[@data-testid='ranking']/tbody/tr",
        ))
        .await
        .expect("ranking rows");
    assert_eq!(rows.len(), 40);
    tablet.close().await.expect("close the tablet");
    host.close().await.expect("close the host");
}
