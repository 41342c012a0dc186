//! The whole meeting in English: with English chosen, no screen of the host or the tablet
//! shows Chinese except the meeting's own data (names, units, aspects, grades), which the
//! test removes from the page text before it looks for Chinese characters.

use fantoccini::{Client, Locator};
use pingyi::domain::demo::demo_meeting;

use crate::harness::{
    Driver, StaticServer, assert_accessible, button, click, heading, host_state, join_link, set_value,
    wait_for,
};

/// Every text of the demo meeting that a screen may show as it is.
fn meeting_data() -> Vec<String> {
    let m = demo_meeting();
    let mut data: Vec<String> = vec![m.title().to_owned(), m.place().to_owned()];
    for p in m.presenters() {
        data.extend([p.name.clone(), p.unit.clone(), p.township.clone()]);
    }
    data.extend(m.aspects().iter().map(|a| a.name.clone()));
    data.extend(m.grades().iter().map(|g| g.name.clone()));
    data.extend(m.groups().iter().map(|g| g.name.clone()));
    // Longest first, so a name is removed before a shorter name inside it.
    data.sort_by_key(|d| std::cmp::Reverse(d.chars().count()));
    data
}

/// Fails when the page shows a Chinese character outside the meeting's data and the button
/// that names Chinese itself ("中文").
async fn assert_english(client: &Client, screen: &str) {
    let text = client
        .execute("return document.body.innerText;", vec![])
        .await
        .expect("the page text");
    let mut rest = text.as_str().unwrap_or_default().to_owned();
    for data in meeting_data() {
        rest = rest.replace(&data, " ");
    }
    rest = rest.replace("中文", " ").replace("评议", " ");
    let chinese: Vec<&str> = rest
        .lines()
        .filter(|l| {
            l.chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || "，。：；（）、".contains(c))
        })
        .collect();
    assert!(
        chinese.is_empty(),
        "{screen} shows Chinese in English: {chinese:#?}"
    );
    let lang = client
        .execute("return document.documentElement.lang;", vec![])
        .await
        .expect("the page language");
    assert_eq!(lang.as_str(), Some("en"), "{screen}");
}

async fn open_tab_en(host: &Client, name: &str) {
    click(host, &format!("//nav//button[contains(., '{name}')]")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_meeting_in_english_shows_no_chinese_beyond_its_data() {
    let server = StaticServer::start();
    let driver = Driver::start();
    let host = driver.session("english-host", 1920, 1080).await;

    host.goto(&server.base_url).await.expect("open the app");
    click(&host, "//button[@data-testid='language']").await;
    wait_for(&host, &heading("This device is for")).await;
    assert_english(&host, "start").await;
    click(&host, &button("Host")).await;
    click(&host, &button("Use the demo meeting")).await;
    wait_for(&host, "//input[@name='title']").await;
    assert_english(&host, "host set-up").await;
    open_tab_en(&host, "Draw").await;
    assert_english(&host, "host draw").await;
    open_tab_en(&host, "Tablets & codes").await;
    assert_english(&host, "host tablets before voting").await;
    click(&host, &button("Open voting")).await;
    assert_english(&host, "host open-voting question").await;
    click(&host, "//span[@class='confirm']//button[contains(., 'Open now')]").await;
    for g in 0..3 {
        set_value(&host, &format!("//input[@name='codes-{g}']"), "1").await;
        click(&host, &format!("//form[.//input[@name='codes-{g}']]//button")).await;
    }
    wait_for(&host, "//*[@data-testid='code']").await;
    assert_english(&host, "host tablets and codes").await;
    let join_link = join_link(&host).await;
    let code = host_state(&host).await.codes()[0][0].to_string();

    // The tablet, in English too: join, rate, recuse on one presenter, submit,
    // hand in with a wrong PIN first.
    let tablet = driver.session("english-tablet", 1024, 768).await;
    tablet.goto(&server.base_url).await.expect("open the app");
    click(&tablet, "//button[@data-testid='language']").await;
    wait_for(&tablet, &heading("This device is for")).await;
    tablet.goto(&join_link).await.expect("open the join link");
    wait_for(&tablet, &heading("Join the meeting")).await;
    assert_english(&tablet, "tablet join").await;
    set_value(&tablet, "//input[@name='pin']", "2468").await;
    set_value(&tablet, "//input[@name='pin-again']", "2468").await;
    click(&tablet, &button("Join the meeting")).await;
    set_value(&tablet, "//input[@name='code']", &code).await;
    click(&tablet, &button("Start rating")).await;
    wait_for(&tablet, "//article[@id='k-presenter-40']").await;
    assert_english(&tablet, "tablet rating form").await;
    assert_accessible(&tablet, "tablet rating form in English", &[]).await;
    click(
        &tablet,
        "//article[@id='k-presenter-1']//button[contains(., 'All: ')]",
    )
    .await;
    click(
        &tablet,
        "//article[@id='k-presenter-2']//label[contains(., 'recuse')]",
    )
    .await;
    // The presenter index ticks the two presenters done and jumps to any other one.
    click(&tablet, "//button[@data-testid='presenter-index']").await;
    wait_for(&tablet, "//dialog[@open]//h2[contains(., '2 / 40 done')]").await;
    let ticked = tablet
        .find_all(Locator::XPath("//dialog//button[@data-done='yes']"))
        .await
        .expect("ticked presenters");
    assert_eq!(ticked.len(), 2);
    assert_accessible(&tablet, "presenter index", &[]).await;
    click(&tablet, "//dialog//button[@data-jump='29']").await;
    wait_for(&tablet, "//dialog[not(@open)]").await;
    let focused = tablet
        .execute(
            "const r = document.activeElement.getBoundingClientRect();\n\
             const bar = document.querySelector('.kiosk-rate__bar').getBoundingClientRect();\n\
             return { name: document.activeElement.name, top: r.top, bottom: r.bottom, bar: bar.bottom, view: innerHeight };",
            vec![],
        )
        .await
        .expect("the focused control");
    assert_eq!(focused["name"], "k-g-29-0", "{focused}");
    assert!(
        focused["top"].as_f64() >= focused["bar"].as_f64()
            && focused["bottom"].as_f64() < focused["view"].as_f64(),
        "presenter 30 is on screen, below the rating bar: {focused}"
    );
    let grade = format!("All: {}", demo_meeting().grades()[1].name);
    tablet
        .execute(
            "for (const b of document.querySelectorAll('button.rating__fill')) { if (b.textContent.trim() === arguments[0]) b.click(); }",
            vec![serde_json::json!(grade)],
        )
        .await
        .expect("fill every presenter");
    click(&tablet, "(//button[contains(., 'Review and submit')])[1]").await;
    assert_english(&tablet, "tablet review").await;
    click(&tablet, &button("Submit ballot")).await;
    wait_for(
        &tablet,
        "//section[contains(@class, 'kiosk-done') and not(@aria-busy='true')]",
    )
    .await;
    assert_english(&tablet, "tablet submitted").await;
    click(&tablet, &button("Pass to the next rater")).await;
    click(&tablet, &button("Hand in")).await;
    set_value(&tablet, "//input[@name='unlock-pin']", "1357").await;
    click(&tablet, &button("Unlock")).await;
    wait_for(&tablet, "//*[@role='status' and contains(., 'Wrong PIN')]").await;
    set_value(&tablet, "//input[@name='unlock-pin']", "2468").await;
    click(&tablet, &button("Unlock")).await;
    wait_for(
        &tablet,
        "//section[@data-testid='hand-in-log' and contains(., 'Wrong PIN, not opened')]",
    )
    .await;
    click(
        &tablet,
        &button("Seal the closing batch (this tablet stops taking ballots)"),
    )
    .await;
    click(
        &tablet,
        "//span[@class='confirm']//button[contains(., 'Seal the closing batch')]",
    )
    .await;
    wait_for(&tablet, "//figure[@data-testid='hand-in-qr']").await;
    assert_english(&tablet, "tablet hand-in").await;
    click(&tablet, &button("Export the ballot file")).await;
    let file = crate::harness::wait_for_download("english-tablet", "hand-in-").await;

    // Back at the host: import the file, close voting, the board and the report.
    open_tab_en(&host, "Collect").await;
    let input = wait_for(&host, "//input[@type='file' and @multiple]").await;
    input
        .send_keys(&file.display().to_string())
        .await
        .expect("choose the tablet's file");
    wait_for(
        &host,
        "//*[@data-testid='import-report' and contains(., 'Received batch 1')]",
    )
    .await;
    assert_english(&host, "host collect").await;
    open_tab_en(&host, "Board").await;
    assert_english(&host, "board while voting is open").await;
    open_tab_en(&host, "Close & export").await;
    click(&host, &button("Close voting")).await;
    click(
        &host,
        "//span[@class='confirm']//button[contains(., 'Close voting')]",
    )
    .await;
    wait_for(&host, "//*[@data-testid='phase' and contains(., 'closed')]").await;
    assert_english(&host, "host close and export").await;
    open_tab_en(&host, "Board").await;
    wait_for(&host, "//table[@data-testid='ranking']").await;
    assert_english(&host, "board ranking").await;
    click(&host, "//table[@data-testid='ranking']/tbody/tr[1]").await;
    wait_for(&host, "//section[contains(@class, 'board-detail')]").await;
    assert_english(&host, "board detail").await;

    tablet.close().await.expect("close the tablet");
    host.close().await.expect("close the host");
}
