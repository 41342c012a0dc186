//! End-to-end tests: the release build in headless Chromium, driven over WebDriver the way a
//! person uses it. Built only with `--features e2e` (scripts/test does), after `trunk build`.

mod durability;
mod english;
mod harness;
mod hostile;
mod meeting;
mod offline;
mod rehearsal;
mod setup;
mod tablet;
mod trial;

use harness::{Driver, StaticServer, assert_accessible, button, heading, wait_for};

/// A host opens the app on a new laptop, picks the host role, reloads: the laptop still
/// knows it is the host, because the choice was stored at once.
#[tokio::test(flavor = "multi_thread")]
async fn a_chosen_role_survives_a_reload() {
    let server = StaticServer::start();
    let driver = Driver::start();
    let browser = driver.session("role", 1024, 768).await;

    browser.goto(&server.base_url).await.expect("open the app");
    wait_for(&browser, &heading("这台设备用于")).await;
    assert_accessible(&browser, "start screen (device role)", &[]).await;

    // English at any time, remembered across a reload; then back to Chinese.
    wait_for(&browser, "//button[@data-testid='language']")
        .await
        .click()
        .await
        .expect("English");
    wait_for(&browser, &heading("This device is for")).await;
    assert_accessible(&browser, "start screen in English", &[]).await;
    browser.refresh().await.expect("reload");
    wait_for(&browser, &heading("This device is for")).await;
    let lang = browser
        .execute("return document.documentElement.lang;", vec![])
        .await
        .expect("the page language");
    assert_eq!(lang.as_str(), Some("en"));
    wait_for(&browser, "//button[@data-testid='language']")
        .await
        .click()
        .await
        .expect("中文");
    wait_for(&browser, &heading("这台设备用于")).await;
    wait_for(&browser, &button("主持人"))
        .await
        .click()
        .await
        .expect("pick host");
    wait_for(&browser, &heading("开始一场会议")).await;
    assert_accessible(&browser, "host start", &[]).await;

    browser.refresh().await.expect("reload");
    wait_for(&browser, &heading("开始一场会议")).await;
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

    // A tablet runs the rater build (rater/): choosing 评议人 · 平板 opens it, the start page
    // sends the tablet back to it, and its 更改设备用途 opens the start screen again.
    wait_for(&browser, &button("评议人"))
        .await
        .click()
        .await
        .expect("pick rater");
    wait_for(&browser, &heading("评议人 · 平板")).await;
    let address = browser.current_url().await.expect("the address");
    assert!(address.path().ends_with("/rater/"), "{address}");
    browser.goto(&server.base_url).await.expect("open the start page");
    wait_for(&browser, &heading("评议人 · 平板")).await;
    let address = browser.current_url().await.expect("the address");
    assert!(address.path().ends_with("/rater/"), "{address}");
    let scripts = browser
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.endsWith('.wasm'));",
            vec![],
        )
        .await
        .expect("the loaded wasm");
    let scripts: Vec<String> = serde_json::from_value(scripts).expect("names");
    assert!(
        !scripts.is_empty() && scripts.iter().all(|s| s.contains("/rater/pingyi-rater")),
        "the tablet loads the rater build only: {scripts:?}"
    );
    wait_for(&browser, &button("更改设备用途"))
        .await
        .click()
        .await
        .expect("change role on the tablet");
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
    assert_accessible(&browser, "demo meeting overview", &[]).await;
    browser.close().await.expect("close the session");
}

/// Anyone with a result file can check it in the app: the committed example passes all seven
/// checks; a copy with one score changed fails.
#[tokio::test(flavor = "multi_thread")]
async fn the_verify_page_passes_the_example_and_fails_a_tampered_copy() {
    let server = StaticServer::start();
    let driver = Driver::start();
    let browser = driver.session("verify", 1024, 768).await;
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/examples/result.json");

    browser.goto(&server.base_url).await.expect("open the app");
    wait_for(&browser, &button("验证结果文件"))
        .await
        .click()
        .await
        .expect("open verify");
    let input = wait_for(&browser, "//input[@type='file']").await;
    input.send_keys(example).await.expect("choose the file");
    let verdict = wait_for(&browser, "//article[@data-state='pass']").await;
    let text = verdict.text().await.expect("verdict text");
    assert!(text.contains("验证通过"), "{text}");
    assert_eq!(text.matches("✓ 通过").count(), 7, "{text}");
    assert_accessible(&browser, "verify page, passed", &[]).await;

    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
    doc["payload"]["tally"]["ranking"][0]["score"] = "100/1".into();
    let tampered =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-tampered-result.json");
    std::fs::write(&tampered, doc.to_string()).unwrap();
    let input = wait_for(&browser, "//input[@type='file']").await;
    input
        .send_keys(tampered.to_str().unwrap())
        .await
        .expect("choose the tampered file");
    let verdict = wait_for(&browser, "//article[@data-state='fail']").await;
    assert!(verdict.text().await.unwrap().contains("验证未通过"));
    assert_accessible(&browser, "verify page, failed", &[]).await;
    browser.close().await.expect("close the session");
}
