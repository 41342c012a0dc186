//! End-to-end tests: the release build in headless Chromium, driven over WebDriver the way a
//! person uses it. Built only with `--features e2e` (scripts/test does), after `trunk build`.

mod harness;

use harness::{Driver, StaticServer, button, heading, wait_for};

/// A host opens the app on a new laptop, picks the host role, reloads: the laptop still
/// knows it is the host, because the choice was stored at once.
#[tokio::test(flavor = "multi_thread")]
async fn a_chosen_role_survives_a_reload() {
    let server = StaticServer::start();
    let driver = Driver::start();
    let browser = driver.session("role", 1024, 768).await;

    browser.goto(&server.base_url).await.expect("open the app");
    wait_for(&browser, &heading("这台设备用于")).await;
    wait_for(&browser, &button("主持人"))
        .await
        .click()
        .await
        .expect("pick host");
    wait_for(&browser, &heading("主持人")).await;

    browser.refresh().await.expect("reload");
    wait_for(&browser, &heading("主持人")).await;
    let stored = browser
        .execute("return localStorage.getItem('pingyi.device-role.v1');", vec![])
        .await
        .expect("read storage");
    assert_eq!(stored.as_str(), Some("\"host\""));
    let start_visible = browser
        .find_all(fantoccini::Locator::XPath(&heading("这台设备用于")))
        .await
        .expect("query");
    assert!(
        start_visible.is_empty(),
        "the start screen must not come back after a reload"
    );

    // Giving the device another role returns to the start screen and forgets the old one.
    wait_for(&browser, &button("更改设备用途"))
        .await
        .click()
        .await
        .expect("change role");
    wait_for(&browser, &heading("这台设备用于")).await;
    browser.close().await.expect("close the session");
}

/// The demo meeting entry shows the embedded county meeting with its forty presenters.
#[tokio::test(flavor = "multi_thread")]
async fn the_demo_meeting_lists_forty_presenters() {
    let server = StaticServer::start();
    let driver = Driver::start();
    let browser = driver.session("demo", 1920, 1080).await;

    browser.goto(&server.base_url).await.expect("open the app");
    wait_for(&browser, &button("查看演示会议"))
        .await
        .click()
        .await
        .expect("open demo");
    wait_for(&browser, "//h2[contains(., '述职评议会')]").await;
    let rows = browser
        .find_all(fantoccini::Locator::Css("table tbody tr"))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 40);
    browser.close().await.expect("close the session");
}
