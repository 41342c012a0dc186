//! A whole meeting through both apps: the host sets up from a pasted list, draws, opens
//! voting and issues codes; a tablet joins by the host's link, one rater fills a ballot with
//! a reload halfway, submits, the next rater sees a clean form, staff hand in a file; the host
//! imports it with ballot files made by the rules core (one file twice), closes, the board
//! shows the ranking the core computes, and the exported result passes `pingyi verify`.

use pingyi::domain::ballot::Ballot;

use super::harness::{
    Driver, StaticServer, assert_accessible, batch_codes, button, click, confirm_batch, expected_ranking,
    fake_camera, hand_in_file, heading, host_state, join_link, open_tab, seal_closing_batch, set_value,
    stored_record, text_of, wait_for, wait_for_download, write_fake_camera,
};

/// Pasted from a spreadsheet; one name carries markup, which every screen must show as text
/// (the board's ranking is compared as text below, and an alert would stop the session).
const ROSTER: &str = "姓名\t单位\t乡镇\n王建国\t东岗村\t城关镇\n李海燕\t西沟村\t石桥镇\n张志强\t南湾村\t青山乡\n刘秀兰\t北坡村\t柳河乡\n<img src=x onerror=alert(1)>陈卫东\t杨家庄村\t龙潭乡\n";

#[tokio::test(flavor = "multi_thread")]
async fn a_meeting_from_a_pasted_list_to_a_verified_result() {
    let server = StaticServer::start();
    let driver = Driver::start();
    // The host laptop's webcam is Chromium's fake camera playing a file the test writes once
    // the tablet shows its hand-in QR code.
    let (camera, camera_flags) = fake_camera("meeting");
    let host = driver.session_with("host", 1920, 1080, &camera_flags).await;

    // Set up from a pasted list.
    host.goto(&server.base_url).await.expect("open the app");
    click(&host, &button("主持人")).await;
    click(&host, &button("新建会议")).await;
    // Saving an empty form is refused with the message beside the presenter list.
    click(&host, &button("保存会议")).await;
    let beside = text_of(
        &host,
        "//textarea[@name='roster']/ancestor::label/following-sibling::p[contains(@class, 'field-error')]",
    )
    .await;
    assert!(beside.contains("名单是空的"), "{beside}");
    assert_accessible(&host, "host set-up with an error", &[]).await;
    set_value(&host, "//input[@name='title']", "石桥镇第一书记述职评议会").await;
    set_value(&host, "//textarea[@name='roster']", ROSTER).await;
    // A group expected below the minimum group size is always pooled: the set-up says so.
    set_value(&host, "//input[@name='expected-1']", "2").await;
    wait_for(
        &host,
        "//input[@name='expected-1']/ancestor::fieldset//p[@role='status' and contains(., '少于最小分组人数 3')]",
    )
    .await;
    set_value(&host, "//input[@name='expected-1']", "12").await;
    click(&host, &button("保存会议")).await;
    wait_for(&host, "//*[@role='status' and contains(., '会议已保存')]").await;
    assert_eq!(host_state(&host).await.meeting().presenters().len(), 5);

    // Draw 2 of 5 from two witnesses' numbers; the record survives a reload.
    open_tab(&host, "抽签").await;
    set_value(&host, "//textarea[@name='sources']", "3 14 27\n8 9").await;
    set_value(&host, "//input[@name='count']", "2").await;
    click(&host, "//form//button[@type='submit' and contains(., '抽签')]").await;
    let key = text_of(&host, "//*[@data-testid='key-string']").await;
    assert_eq!(key, "3.14.27./8.9./");
    host.refresh().await.expect("reload");
    open_tab(&host, "抽签").await;
    assert_eq!(text_of(&host, "//*[@data-testid='key-string']").await, key);
    assert_accessible(&host, "host draw", &[]).await;

    // Open voting (confirmed) and issue codes for every group.
    open_tab(&host, "平板与选票码").await;
    click(&host, &button("开放投票")).await;
    click(&host, "//span[@class='confirm']//button[contains(., '确定开放')]").await;
    for g in 0..3 {
        click(&host, &format!("//form[.//input[@name='codes-{g}']]//button")).await;
    }
    wait_for(&host, "//*[@data-testid='code']").await;
    let join_link = join_link(&host).await;
    let record = host_state(&host).await;
    assert!(record.codes().iter().all(|c| !c.is_empty()));
    assert_accessible(&host, "host tablets and codes", &[]).await;

    // Clicking the join link on the host's own screen does not turn the laptop into a tablet:
    // it stays the host, with its record, and says where the link belongs.
    click(&host, "//a[@data-testid='join-link']").await;
    wait_for(&host, "//*[@data-testid='join-on-host']").await;
    wait_for(&host, "//section[contains(@class, 'host-app')]").await;
    assert_eq!(
        host_state(&host).await.codes(),
        record.codes(),
        "the record is untouched"
    );

    // A tablet joins by the link and sets the hand-in PIN.
    let tablet = driver.session("tablet", 768, 1024).await;
    tablet.goto(&join_link).await.expect("open the join link");
    wait_for(&tablet, &heading("加入会议")).await;
    assert_accessible(&tablet, "tablet join", &[]).await;
    set_value(&tablet, "//input[@name='pin']", "2468").await;
    set_value(&tablet, "//input[@name='pin-again']", "2468").await;
    click(&tablet, &button("加入会议")).await;

    // A typo in the code is caught before rating; the right code starts the ballot.
    let code = record.codes()[2][0].to_string();
    let mut typo: Vec<char> = code.chars().collect();
    typo[0] = if typo[0] == '2' { '3' } else { '2' };
    set_value(
        &tablet,
        "//input[@name='code']",
        &typo.into_iter().collect::<String>(),
    )
    .await;
    click(&tablet, &button("开始评议")).await;
    wait_for(&tablet, "//*[@role='alert']").await;
    assert_accessible(&tablet, "tablet code entry with a typo", &[]).await;
    set_value(&tablet, "//input[@name='code']", &code).await;
    click(&tablet, &button("开始评议")).await;

    // Rate three presenters, reload halfway: nothing is lost.
    for (p, grade) in [(1, "全部好"), (2, "全部较好"), (3, "全部好")] {
        click(
            &tablet,
            &format!("//article[@id='k-presenter-{p}']//button[contains(., '{grade}')]"),
        )
        .await;
    }
    click(&tablet, "//article[@id='k-presenter-3']//fieldset[2]//label[2]").await;
    // What the tablet has acknowledged (已保存) survives the reload.
    wait_for(&tablet, "//*[@data-testid='save-state'][@data-state='saved']").await;
    tablet.refresh().await.expect("reload mid-ballot");
    assert!(
        text_of(&tablet, "//*[@data-testid='progress']")
            .await
            .starts_with("已完成 3 / 5")
    );
    let checked = tablet
        .execute(
            "return document.querySelector(\"input[name='k-g-2-1']:checked\").value;",
            vec![],
        )
        .await
        .expect("read the restored radio");
    assert_eq!(
        checked.as_str(),
        Some("1"),
        "presenter 3, aspect 2 was set to 较好 before the reload"
    );
    assert_accessible(&tablet, "tablet rating form", &[]).await;
    click(
        &tablet,
        "//article[@id='k-presenter-4']//label[contains(., '回避')]",
    )
    .await;
    click(
        &tablet,
        "//article[@id='k-presenter-5']//button[contains(., '全部一般')]",
    )
    .await;
    click(&tablet, "(//button[contains(., '检查并提交')])[1]").await;
    assert_accessible(&tablet, "tablet review", &[]).await;
    click(&tablet, &button("提交选票")).await;
    // No receipt: no tracker, no code, no count on the rater's screen — once the ballot is
    // written (the saving screen comes first and shares the block).
    let done = text_of(
        &tablet,
        "//section[contains(@class, 'kiosk-done') and not(@aria-busy='true')]",
    )
    .await;
    assert!(done.contains("不显示回执"), "{done}");
    assert!(
        tablet
            .find_all(fantoccini::Locator::XPath("//*[@data-testid='tracker']"))
            .await
            .unwrap()
            .is_empty(),
        "no ballot tracker on the tablet"
    );
    assert_accessible(&tablet, "tablet ballot submitted", &[]).await;

    // The next rater sees a clean start screen, also after back and reload.
    click(&tablet, &button("交给下一位评议人")).await;
    assert_eq!(text_of(&tablet, "//input[@name='code']").await, "");
    // Back leaves the app (submitting adds no history entry); forward and reload come back
    // to the empty start screen.
    tablet.back().await.expect("back");
    tablet.forward().await.expect("forward");
    tablet.refresh().await.expect("reload");
    wait_for(&tablet, "//input[@name='code']").await;
    let open_ballot = stored_record(&tablet, "pingyi.tablet-draft").await;
    assert!(
        open_ballot.is_none(),
        "no ballot left open on the tablet: {open_ballot:?}"
    );

    // Hand-in: PIN, then the closing batch, sealed to the host.
    click(&tablet, &button("交票")).await;
    set_value(&tablet, "//input[@name='unlock-pin']", "1357").await;
    click(&tablet, &button("解锁")).await;
    wait_for(&tablet, "//*[@role='status' and contains(., 'PIN 不正确')]").await;
    set_value(&tablet, "//input[@name='unlock-pin']", "2468").await;
    click(&tablet, &button("解锁")).await;
    assert_eq!(text_of(&tablet, "//*[@data-testid='pending']").await, "1");
    seal_closing_batch(&tablet).await;
    assert_eq!(text_of(&tablet, "//*[@data-testid='sealed']").await, "1");
    assert_accessible(&tablet, "tablet hand-in", &[]).await;
    let qr = wait_for(&tablet, "//figure[@data-testid='hand-in-qr']//div[@class='qr']").await;
    tablet
        .execute(
            "arguments[0].scrollIntoView({ block: 'center' });",
            vec![serde_json::to_value(&qr).unwrap()],
        )
        .await
        .expect("scroll the QR code into view");
    let qr = qr
        .screenshot()
        .await
        .expect("a screenshot of the hand-in QR code");
    write_fake_camera(&camera, &[qr], 20);
    click(&tablet, &button("导出选票文件")).await;
    let tablet_file = wait_for_download("tablet", "hand-in-").await;
    let file_text = std::fs::read_to_string(&tablet_file).unwrap();
    assert!(
        !file_text.contains("marks") && !file_text.contains("33333333"),
        "the hand-in file is sealed: {file_text}"
    );
    // The tablet logs the join, the refused PIN, the opening and the sealing, newest first.
    let log = wait_for(
        &tablet,
        "//section[@data-testid='hand-in-log' and contains(., '第 1 批已封装')]",
    )
    .await
    .text()
    .await
    .unwrap();
    let (sealed, opened, refused, joined) = (
        log.find("第 1 批已封装"),
        log.find("凭 PIN 打开交票"),
        log.find("PIN 不正确，未打开"),
        log.find("加入会议并设置交票 PIN"),
    );
    assert!(
        sealed.is_some() && sealed < opened && opened < refused && refused < joined,
        "the tablet's log, newest first: {log}"
    );

    // Hand-in files made by the rules core, one imported twice.
    let (file_a, mut ballots) = hand_in_file(
        &record,
        11,
        &[
            (0, 0, &[0, 1, 0, 2, 1]),
            (0, 1, &[0, 0, 1, 2, 1]),
            (0, 2, &[1, 1, 0, 3, 0]),
        ],
    );
    let (file_b, more) = hand_in_file(
        &record,
        12,
        &[
            (1, 0, &[1, 0, 0, 2, 2]),
            (1, 1, &[0, 1, 1, 1, 2]),
            (2, 1, &[0, 2, 0, 1, 1]),
        ],
    );
    ballots.extend(more);
    // The tablet's ballot, as the rater filled it in above.
    {
        let code = record.codes()[2][0];
        let raw = pingyi::domain::ballot::BallotV1 {
            meeting: record.meeting().id().to_owned(),
            code: Some(code.to_string()),
            group: None,
            marks: ["11111111", "22222222", "12111111", "R", "33333333"]
                .iter()
                .map(|m| (*m).to_owned())
                .collect(),
        };
        ballots.push(Ballot::from_v1(&raw, record.meeting()).unwrap());
    }
    let dir = super::harness::downloads_dir("host");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let a = write("a.json", &file_a);
    let b = write("b.json", &file_b);

    // The tablet's batch arrives by QR through the webcam; staff confirm it on the tablet by
    // the batch code the host shows ...
    open_tab(&host, "收票").await;
    click(&host, &button("开始扫码")).await;
    let scanned = text_of(
        &host,
        "//*[@data-testid='scan-result' and contains(., '收到平板')]",
    )
    .await;
    assert!(scanned.contains("第 1 批，1 张"), "{scanned}");
    click(&host, &button("停止扫码")).await;
    assert_accessible(&host, "host collect after scanning", &[]).await;
    let code = batch_codes(&host).await[0].clone();
    confirm_batch(&tablet, &code).await;
    assert_eq!(text_of(&tablet, "//*[@data-testid='sealed']").await, "0");
    assert_eq!(text_of(&tablet, "//*[@data-testid='confirmed']").await, "1");
    // ... and again in the tablet's file, where it is a duplicate.
    let picker = wait_for(&host, "//input[@name='ballot-files']").await;
    picker
        .send_keys(&format!("{a}\n{b}\n{}", tablet_file.display()))
        .await
        .expect("choose files");
    wait_for(&host, "//*[@data-testid='import-report']/li[3]").await;
    let report = text_of(&host, "//*[@data-testid='import-report']").await;
    assert!(
        report.contains("hand-in-") && report.contains("已收过"),
        "{report}"
    );
    host.refresh().await.expect("reload while collecting");
    open_tab(&host, "收票").await;
    let picker = wait_for(&host, "//input[@name='ballot-files']").await;
    picker.send_keys(&a).await.expect("import a file again");
    let report = text_of(&host, "//*[@data-testid='import-report']").await;
    assert!(report.contains("已收过"), "{report}");
    let record = host_state(&host).await;
    assert_eq!(record.counted_per_group().iter().sum::<u32>(), 7);
    assert_eq!(
        record.tablets().len(),
        3,
        "three tablets registered by their batches"
    );

    // While voting is open the board shows progress only, and every registered tablet with
    // what it handed in.
    open_tab(&host, "大屏").await;
    wait_for(&host, "//table[@data-testid='board-tablets']/tbody/tr[3]").await;
    assert_accessible(&host, "board while voting is open", &[]).await;
    assert_accessible(
        &host,
        "board while voting is open (AAA contrast)",
        &["color-contrast-enhanced"],
    )
    .await;

    // While the laptop holds the batches' rows, its backup is sealed with a passphrase.
    open_tab(&host, "结束与导出").await;
    wait_for(&host, "//*[@data-testid='holds-rows']").await;
    click(&host, &button("导出会议备份")).await;
    wait_for(&host, "//*[@role='status' and contains(., '口令至少 8 个字符')]").await;
    set_value(&host, "//input[@name='backup-passphrase']", "石桥镇评议2026").await;
    set_value(
        &host,
        "//input[@name='backup-passphrase-again']",
        "石桥镇评议2026",
    )
    .await;
    click(&host, &button("导出会议备份")).await;
    let backup = wait_for_download("host", "backup-").await;
    let sealed = std::fs::read_to_string(&backup).unwrap();
    assert!(
        sealed.contains("pingyi-backup-sealed") && !sealed.contains("marks") && !sealed.contains("transport"),
        "the backup is sealed: {sealed}"
    );
    let record = pingyi::domain::record::backup::open_backup(&sealed, "石桥镇评议2026")
        .expect("the passphrase opens it");
    assert!(pingyi::domain::collect::HostMeeting::from_json(&record).is_ok());

    // Close voting (confirmed); the board shows the ranking the core computes.
    click(&host, &button("结束投票")).await;
    click(&host, "//span[@class='confirm']//button[contains(., '结束投票')]").await;
    open_tab(&host, "大屏").await;
    wait_for(&host, "//table[@data-testid='ranking']").await;
    assert_accessible(&host, "board, ranking", &[]).await;
    // The projector board aims higher: WCAG AAA contrast (7:1).
    assert_accessible(
        &host,
        "board, ranking (AAA contrast)",
        &["color-contrast-enhanced"],
    )
    .await;
    let rows = host
        .find_all(fantoccini::Locator::XPath(
            "//table[@data-testid='ranking']/tbody/tr/td[2]",
        ))
        .await
        .expect("ranking rows");
    let mut shown = Vec::new();
    for row in rows {
        shown.push(row.text().await.unwrap());
    }
    let record = host_state(&host).await;
    assert_eq!(shown, expected_ranking(record.meeting(), &ballots));
    // For people to look at: the closed board, then one presenter's detail (→ key).
    let shots = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    std::fs::write(
        shots.join("board-closed-1920x1080.png"),
        host.screenshot().await.unwrap(),
    )
    .unwrap();
    click(&host, "//table[@data-testid='ranking']/tbody/tr[1]").await;
    wait_for(&host, "//section[contains(@class, 'board-detail')]").await;
    assert_accessible(&host, "board, presenter detail", &[]).await;
    assert_accessible(
        &host,
        "board, presenter detail (AAA contrast)",
        &["color-contrast-enhanced"],
    )
    .await;
    std::fs::write(
        shots.join("board-detail-1920x1080.png"),
        host.screenshot().await.unwrap(),
    )
    .unwrap();

    // Export; the file passes the command-line verifier.
    open_tab(&host, "结束与导出").await;
    assert_accessible(&host, "host close and export", &[]).await;
    // The assessment group overrides one level: asked first, logged, published.
    set_value(&host, "//select[@name='override-presenter']", "0").await;
    set_value(&host, "//select[@name='override-level']", "basic").await;
    set_value(
        &host,
        "//input[@name='override-reason']",
        "考核组决定：群众反映问题属实",
    )
    .await;
    click(
        &host,
        "//section[contains(@class, 'overrides')]//button[contains(., '调整等次')]",
    )
    .await;
    click(&host, "//span[@class='confirm']//button[contains(., '确定调整')]").await;
    let made = text_of(&host, "//table[@data-testid='overrides']/tbody/tr").await;
    assert!(made.contains("王建国") && made.contains("基本称职"), "{made}");
    open_tab(&host, "大屏").await;
    let board_level = text_of(
        &host,
        "//table[@data-testid='ranking']/tbody/tr[td[2]='王建国']/td[@class='level']",
    )
    .await;
    assert_eq!(board_level, "基本称职（调整）");
    open_tab(&host, "结束与导出").await;
    // A new meeting is refused while the record holds anything not yet exported.
    click(&host, &button("开始新会议")).await;
    click(
        &host,
        "//span[@class='confirm']//button[contains(., '开始新会议')]",
    )
    .await;
    let refused = text_of(
        &host,
        "//section[contains(@class, 'host-close')]//p[@role='status']",
    )
    .await;
    assert!(refused.contains("请先导出"), "{refused}");
    click(&host, &button("导出签名结果文件")).await;
    let result = wait_for_download("host", "result-").await;
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_pingyi"))
        .args(["verify", result.to_str().unwrap()])
        .output()
        .expect("run pingyi verify");
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let out = String::from_utf8_lossy(&verify.stdout);
    assert!(
        out.contains("version 2") && out.contains("交票批次 batches: 3"),
        "{out}"
    );
    let text = std::fs::read_to_string(&result).unwrap();
    for field in ["\"marks\"", "\"tracker\"", "\"accepted\"", "\"seed\""] {
        assert!(!text.contains(field), "{field} in the published result");
    }
    // The 汇总表 workbook, read back by openpyxl cell by cell against the signed result file.
    click(&host, &button("导出测评结果汇总表（xlsx）")).await;
    let workbook = wait_for_download("host", "summary-").await;
    let python = concat!(env!("CARGO_MANIFEST_DIR"), "/.tools/pyenv/bin/python");
    let checked = std::process::Command::new(python)
        .args([
            concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/check_xlsx.py"),
            result.to_str().unwrap(),
            workbook.to_str().unwrap(),
        ])
        .output()
        .expect("run scripts/check_xlsx.py");
    assert!(
        checked.status.success(),
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    // The A4 report, printed to PDF by Chromium: every page numbered, the verdict, the rules,
    // the keys to compare and the signature block on paper; each page as PNG to look at.
    let pages = print_report(&host, "meeting").await;
    let all = pages.join("\n");
    for words in [
        "本轮测评有效",
        "计分规则",
        "计分方法",
        "主持人公钥指纹",
        "计票人",
        "监票人",
        "主持人",
        "考核组",
        "王建国",
    ] {
        assert!(all.contains(words), "the printed report lacks {words}:\n{all}");
    }
    for (i, page) in pages.iter().enumerate() {
        let number = format!("{}/{}", i + 1, pages.len());
        let squeezed: String = page.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            squeezed.contains(&number),
            "page {} has no “{number}”:\n{page}",
            i + 1
        );
    }
    let last = pages.last().unwrap();
    assert!(
        last.contains("监票人") && last.contains("日期"),
        "the signature block is not on the last page"
    );

    let published: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&result).unwrap()).unwrap();
    assert_eq!(published["payload"]["level_overrides"][0]["level"], "basic");
    assert!(
        published["payload"]["audit"]
            .to_string()
            .contains("level_overridden")
    );

    // Nothing the pages loaded came from anywhere but the app's own origin.
    for (who, page) in [("host", &host), ("tablet", &tablet)] {
        let urls = page
            .execute(
                "return performance.getEntriesByType('resource').map(e => e.name);",
                vec![],
            )
            .await
            .expect("resource timing");
        for url in urls.as_array().expect("a list") {
            let url = url.as_str().unwrap_or_default();
            assert!(
                url.starts_with(&server.base_url) || url.starts_with("blob:") || url.starts_with("data:"),
                "the {who} page loaded {url} from outside its origin"
            );
        }
    }

    // Now the record may go, and it leaves a trace: the start screen lists it with the export
    // that holds it whole, also after a reload.
    click(&host, &button("开始新会议")).await;
    click(
        &host,
        "//span[@class='confirm']//button[contains(., '开始新会议')]",
    )
    .await;
    wait_for(&host, &heading("开始一场会议")).await;
    // The start screen shows at once; the removal is on disk once the status line says so.
    wait_for(
        &host,
        "//p[contains(@class, 'host-app__status')][contains(., '会议记录已从本机移除')]",
    )
    .await;
    host.refresh().await.expect("reload");
    let stored = stored_record(&host, "pingyi.host-state").await;
    assert!(stored.is_none(), "the record left the laptop");
    let removed = "//section[@data-testid='removed-meetings']//tbody/tr";
    let row = text_of(&host, removed).await;
    assert!(
        row.contains("石桥镇第一书记述职评议会")
            && row.contains("投票已结束")
            && row.contains("已签名结果文件"),
        "{row}"
    );
    assert_eq!(text_of(&host, &format!("{removed}/td[4]")).await, "7");
    let audit_entries = published["payload"]["audit"]
        .as_array()
        .expect("an audit log")
        .len();
    assert_eq!(
        text_of(&host, &format!("{removed}/td[6]")).await,
        audit_entries.to_string(),
        "the exported file holds the whole record"
    );
    tablet.close().await.expect("close the tablet session");
    host.close().await.expect("close the host session");
}

/// Prints the page to an A4 PDF as Chromium does for the print dialog (the print stylesheet's
/// page size and margins, page numbers in the margin boxes), writes it and one PNG per page under
/// the run's folder (`report-NAME.pdf`, `report-NAME-N.png`), and returns each page's text.
async fn print_report(client: &fantoccini::Client, name: &str) -> Vec<String> {
    use base64::Engine as _;
    let printed = super::harness::cdp(
        client,
        "Page.printToPDF",
        serde_json::json!({ "preferCSSPageSize": true, "printBackground": true }),
    )
    .await;
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(printed["data"].as_str().expect("PDF data"))
        .expect("base64 PDF");
    let dir = super::harness::run_dir();
    let path = dir.join(format!("report-{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let png = std::process::Command::new("pdftoppm")
        .args([
            "-png",
            "-r",
            "60",
            path.to_str().unwrap(),
            dir.join(format!("report-{name}")).to_str().unwrap(),
        ])
        .status()
        .expect("run pdftoppm");
    assert!(png.success(), "pdftoppm failed");
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("run pdftotext");
    assert!(text.status.success(), "pdftotext failed");
    // pdftotext ends every page with a form feed.
    String::from_utf8_lossy(&text.stdout)
        .split('\u{c}')
        .filter(|page| !page.trim().is_empty())
        .map(str::to_owned)
        .collect()
}
