//! The full-meeting rehearsal: one host laptop and three tablets, 30 raters in three groups on
//! the demo meeting (40 presenters). Ballots reach the host by QR through the fake webcam for
//! two tablets and by file for the third; one file is imported twice, one code is used twice
//! on different tablets (the later ballot is excluded), one paper ballot is keyed in, and the
//! host page is reloaded at points picked by a seeded generator. The board, the result file
//! and the ballots the test meant to cast must all agree, and `pingyi verify` must pass.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use fantoccini::Client;
use pingyi::domain::ballot::{BallotDraft, Credential};
use pingyi::domain::code::BallotCode;
use pingyi::domain::meeting::Meeting;
use pingyi::domain::report::RankingRowV1;
use serde_json::json;

use super::harness::{
    Driver, StaticServer, button, camera_luma, click, confirm_batch, decodes_on_camera, downloads_dir,
    expected_rows, fake_camera, heading, host_state, join_link, open_tab, seal_closing_batch, set_value,
    text_of, wait_for, wait_for_download, write_fake_camera,
};

/// What one rater does with one presenter.
#[derive(Clone, Copy, Debug)]
enum Mark {
    /// "全部 <grade>" quick fill.
    Fill(u8),
    Recuse,
    Abstain,
    /// Left untouched (only on the blank ballot).
    Skip,
}

/// One rater's ballot as the test means to cast it.
#[derive(Clone, Debug)]
struct Plan {
    code: BallotCode,
    marks: Vec<Mark>,
    /// After the quick fills, one real tap changes aspect 3 of presenter 1 to grade 2 (较好).
    tap_first: bool,
}

impl Plan {
    /// The ballot these taps make, built by the rules core.
    fn draft(&self, meeting: &Meeting) -> BallotDraft {
        let mut draft = BallotDraft::new(meeting, Credential::Code(self.code));
        for (p, mark) in self.marks.iter().enumerate() {
            match *mark {
                Mark::Fill(g) => draft.fill_presenter(p, g),
                Mark::Recuse => draft.set_recused(p),
                Mark::Abstain => draft.set_abstained(p),
                Mark::Skip => {}
            }
        }
        if self.tap_first {
            draft.set_grade(0, 2, 1);
        }
        draft
    }
}

/// A small deterministic generator (64-bit LCG), so a failing rehearsal can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Rater `r`'s ballot: mostly 好 and 较好, some 一般 and 差, a recusal for every fourth rater,
/// an abstention on one presenter for every fifth, and rater 17 abstains entirely (blank).
fn plan_for(r: usize, code: BallotCode, presenters: usize) -> Plan {
    let mut rng = Lcg(0x5EED_0000 + r as u64);
    let marks = (0..presenters)
        .map(|p| {
            if r == 17 {
                Mark::Skip
            } else if r.is_multiple_of(4) && p == r % presenters {
                Mark::Recuse
            } else if r % 5 == 1 && p == (r * 3) % presenters {
                Mark::Abstain
            } else {
                Mark::Fill(match rng.below(10) {
                    0..=4 => 0,
                    5..=7 => 1,
                    8 => 2,
                    _ => 3,
                })
            }
        })
        .collect();
    Plan {
        code,
        tap_first: r != 17 && matches!(r % 4, 1 | 2),
        marks,
    }
}

/// Ballots the host counts so far.
async fn counted(host: &Client) -> u32 {
    host_state(host).await.counted_per_group().iter().sum()
}

/// Reloads the host page and checks that nothing was lost: same batches, same count.
async fn reload_host(host: &Client, at: &str) {
    let before = host_state(host).await;
    host.refresh().await.expect("reload the host page");
    wait_for(host, "//nav").await;
    let after = host_state(host).await;
    assert_eq!(
        (before.batches().len(), before.counted_per_group()),
        (after.batches().len(), after.counted_per_group()),
        "the host lost arrivals on a reload {at}"
    );
    eprintln!(
        "rehearsal: host reloaded {at} ({} batches kept)",
        after.batches().len()
    );
}

/// A tablet joins by the host's link and sets its hand-in PIN.
async fn join(tablet: &Client, link: &str, pin: &str) {
    tablet.goto(link).await.expect("open the join link");
    wait_for(tablet, &heading("加入会议")).await;
    set_value(tablet, "//input[@name='pin']", pin).await;
    set_value(tablet, "//input[@name='pin-again']", pin).await;
    click(tablet, &button("加入会议")).await;
    wait_for(tablet, "//input[@name='code']").await;
}

/// One rater at a tablet: code (optionally with a typo first), taps, review, submit, pass on.
/// The tablet shows no receipt of any kind.
async fn cast(tablet: &Client, plan: &Plan, typo_first: bool) {
    let code = plan.code.to_string();
    if typo_first {
        let mut chars: Vec<char> = code.chars().collect();
        chars[1] = if chars[1] == '7' { '8' } else { '7' };
        set_value(
            tablet,
            "//input[@name='code']",
            &chars.into_iter().collect::<String>(),
        )
        .await;
        click(tablet, &button("开始评议")).await;
        wait_for(tablet, "//*[@role='alert']").await;
    }
    set_value(tablet, "//input[@name='code']", &code).await;
    click(tablet, &button("开始评议")).await;
    // Cards after the first few are built over the next frames.
    wait_for(
        tablet,
        &format!("//article[@id='k-presenter-{}']", plan.marks.len()),
    )
    .await;
    // The quick fills, recusals and abstentions are dispatched in one script (40 presenters);
    // the grade change below is a real WebDriver tap.
    let marks: Vec<serde_json::Value> = plan
        .marks
        .iter()
        .map(|m| match m {
            Mark::Fill(g) => json!(g),
            Mark::Recuse => json!("recuse"),
            Mark::Abstain => json!("abstain"),
            Mark::Skip => json!(null),
        })
        .collect();
    tablet
        .execute(
            "arguments[0].forEach((m, p) => {\n\
               const card = document.getElementById('k-presenter-' + (p + 1));\n\
               if (m === null) return;\n\
               if (typeof m === 'string') card.querySelector(`input[value='${m}']`).click();\n\
               else card.querySelectorAll('.rating__fill')[m].click();\n\
             });",
            vec![json!(marks)],
        )
        .await
        .expect("fill the ballot");
    if plan.tap_first {
        click(
            tablet,
            "//article[@id='k-presenter-1']//div[@class='rating__aspects']/fieldset[3]//label[2]",
        )
        .await;
    }
    click(tablet, "(//button[contains(., '检查并提交')])[1]").await;
    if plan.marks.iter().all(|m| matches!(m, Mark::Skip)) {
        let review = text_of(tablet, "//section").await;
        assert!(review.contains("弃权票"), "a blank ballot is explained: {review}");
    }
    click(tablet, &button("提交选票")).await;
    wait_for(
        tablet,
        "//section[contains(@class, 'kiosk-done') and not(@aria-busy='true')]",
    )
    .await;
    click(tablet, &button("交给下一位评议人")).await;
    wait_for(tablet, "//input[@name='code']").await;
}

/// Every rater of one tablet in turn; returns how many.
async fn tablet_session(tablet: &Client, plans: Vec<(usize, Plan)>) -> usize {
    let n = plans.len();
    for (r, plan) in plans {
        cast(tablet, &plan, r == 5).await;
    }
    n
}

/// Unlocks the hand-in screen.
async fn unlock(tablet: &Client, pin: &str) {
    click(tablet, &button("交票")).await;
    set_value(tablet, "//input[@name='unlock-pin']", pin).await;
    click(tablet, &button("解锁")).await;
    wait_for(tablet, "//*[@data-testid='pending']").await;
}

/// Screenshots of every QR code the hand-in screen cycles through (a sealed batch cut into
/// several codes), in order.
async fn capture_qr_codes(tablet: &Client) -> Vec<Vec<u8>> {
    let figure = "//figure[@data-testid='hand-in-qr']";
    let qr = wait_for(tablet, &format!("{figure}//div[@class='qr']")).await;
    tablet
        .execute(
            "arguments[0].scrollIntoView({ block: 'center' });",
            vec![serde_json::to_value(&qr).unwrap()],
        )
        .await
        .expect("scroll the QR code into view");
    let mut shots: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
    let mut expected = usize::MAX;
    let deadline = Instant::now() + Duration::from_secs(60);
    while shots.len() < expected {
        assert!(
            Instant::now() < deadline,
            "the hand-in screen did not show every QR code"
        );
        let caption = text_of(tablet, &format!("{figure}/figcaption")).await;
        let shot = wait_for(tablet, &format!("{figure}//div[@class='qr']"))
            .await
            .screenshot()
            .await
            .expect("a screenshot of the QR code");
        // Keep the shot only if the code did not change while it was taken.
        if text_of(tablet, &format!("{figure}/figcaption")).await == caption {
            // "第 k / n 个二维码"
            let numbers: Vec<usize> = caption
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse().ok())
                .collect();
            let [index, total] = numbers[..] else {
                panic!("caption {caption}")
            };
            expected = total;
            if !shots.contains_key(&index) && decodes_on_camera(&shot) {
                shots.insert(index, shot);
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    shots.into_values().collect()
}

/// The ranking the board shows: presenter names in order, on every page (rows of the pages
/// not on screen are in the document but hidden, so they are read as text content).
async fn board_names(host: &Client) -> Vec<String> {
    let names = host
        .execute(
            "return [...document.querySelectorAll(\"[data-testid='ranking'] tbody tr td:nth-child(2)\")]\n\
               .map(td => td.textContent.trim());",
            vec![],
        )
        .await
        .expect("ranking rows");
    serde_json::from_value(names).expect("names")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_meeting_with_three_tablets_and_thirty_raters() {
    let started = Instant::now();
    let server = StaticServer::start();
    let driver = Driver::start();
    let (camera, camera_flags) = fake_camera("rehearsal");
    let host = driver.session_with("r-host", 1920, 1080, &camera_flags).await;
    let mut reloads = Lcg(20_261_218);

    // The demo meeting, a draw of 15 from the witnesses' numbers.
    host.goto(&server.base_url).await.expect("open the app");
    click(&host, &button("主持人")).await;
    click(&host, &button("使用演示会议")).await;
    // Ten assessors rate (the demo meeting expects nine): 应到 is raised before voting opens,
    // or the round would fail its validity check (more ballots returned than people due).
    set_value(&host, "//input[@name='expected-0']", "12").await;
    click(&host, &button("保存会议")).await;
    wait_for(&host, "//*[@role='status' and contains(., '会议已保存')]").await;
    open_tab(&host, "抽签").await;
    set_value(&host, "//textarea[@name='sources']", "12 25 33\n7 19 40 41\n2026").await;
    set_value(&host, "//input[@name='count']", "15").await;
    click(&host, "//form//button[@type='submit' and contains(., '抽签')]").await;
    wait_for(&host, "//*[@data-testid='key-string']").await;
    let record = host_state(&host).await;
    let draw = record.meeting().draw().expect("the draw is recorded").clone();
    assert_eq!(draw.selected.len(), 15);
    let cli_draw = {
        let pool = downloads_dir("r-host").join("pool.txt");
        let names: Vec<String> = record
            .meeting()
            .presenters()
            .iter()
            .map(|p| p.name.clone())
            .collect();
        std::fs::write(&pool, names.join("\n")).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_pingyi"))
            .args([
                "draw",
                "--pool",
                pool.to_str().unwrap(),
                "--count",
                "15",
                "--json",
            ])
            .args([
                "--source",
                "12 25 33",
                "--source",
                "7 19 40 41",
                "--source",
                "2026",
            ])
            .output()
            .expect("run pingyi draw")
    };
    let cli_draw = String::from_utf8_lossy(&cli_draw.stdout);
    for &p in &draw.selected {
        let name = &record.meeting().presenters()[p].name;
        assert!(
            cli_draw.contains(name.as_str()),
            "the command line draws {name} too"
        );
    }

    // Open voting, 11 codes for each of the three groups (10 raters and a spare), code slips.
    open_tab(&host, "平板与选票码").await;
    click(&host, &button("开放投票")).await;
    click(&host, "//span[@class='confirm']//button[contains(., '确定开放')]").await;
    for g in 0..3 {
        set_value(&host, &format!("//input[@name='codes-{g}']"), "11").await;
        click(&host, &format!("//form[.//input[@name='codes-{g}']]//button")).await;
    }
    wait_for(&host, "(//*[@data-testid='code'])[33]").await;
    let join_link = join_link(&host).await;
    let record = host_state(&host).await;
    let meeting = record.meeting().clone();
    let codes = record.codes();
    assert!(codes.iter().all(|c| c.len() == 11));

    // Three tablets join; 30 raters, group r / 10, at tablet r % 3.
    let tablets = [
        driver.session("r-tablet-0", 768, 1024).await,
        driver.session("r-tablet-1", 1024, 768).await,
        driver.session("r-tablet-2", 768, 1024).await,
    ];
    let pins = ["2468", "1357", "8642"];
    for (tablet, pin) in tablets.iter().zip(pins) {
        join(tablet, &join_link, pin).await;
    }
    let plans: Vec<Plan> = (0..30)
        .map(|r| plan_for(r, codes[r / 10][r % 10], meeting.presenters().len()))
        .collect();
    let per_tablet = |t: usize| -> Vec<(usize, Plan)> {
        (0..30)
            .filter(|r| r % 3 == t)
            .map(|r| (r, plans[r].clone()))
            .collect()
    };
    let (t0, t1, t2) = tokio::join!(
        tablet_session(&tablets[0], per_tablet(0)),
        tablet_session(&tablets[1], per_tablet(1)),
        tablet_session(&tablets[2], per_tablet(2)),
    );
    assert_eq!((t0, t1, t2), (10, 10, 10));
    eprintln!("rehearsal: 30 ballots cast after {:?}", started.elapsed());

    // Someone reuses rater 0's code (cast at tablet 0) at tablet 2 with other grades.
    let mut rival = plans[0].clone();
    rival.marks = vec![Mark::Fill(3); meeting.presenters().len()];
    rival.tap_first = false;
    cast(&tablets[2], &rival, false).await;

    // Hand-in: each tablet seals its closing batch; tablets 0 and 1 by QR, tablet 2 by file.
    let (_, _, _) = tokio::join!(
        unlock(&tablets[0], pins[0]),
        unlock(&tablets[1], pins[1]),
        unlock(&tablets[2], pins[2]),
    );
    for tablet in &tablets {
        seal_closing_batch(tablet).await;
    }
    let (qr0, qr1) = tokio::join!(capture_qr_codes(&tablets[0]), capture_qr_codes(&tablets[1]));
    // A phone photographing a hand-in code reads ciphertext: no code, no grade, no name.
    {
        let luma = camera_luma(&qr0[0]);
        let rgba: Vec<u8> = luma.into_iter().flat_map(|v| [v, v, v, 255]).collect();
        let texts = pingyi::domain::qr_frame::decode_rgba(640, 480, &rgba);
        assert_eq!(texts.len(), 1);
        assert!(texts[0].starts_with("PQ1:"), "{}", texts[0]);
        for plan in &plans {
            assert!(
                !texts[0].contains(&plan.code.to_string()),
                "a code in the photographed QR"
            );
        }
    }
    let frames: Vec<Vec<u8>> = qr0.into_iter().chain(qr1).collect();
    // Each code in front of the webcam for 1.5 s, as the tablet shows it.
    write_fake_camera(&camera, &frames, 15);
    click(&tablets[2], &button("导出选票文件")).await;
    let tablet_file = wait_for_download("r-tablet-2", "hand-in-").await;

    open_tab(&host, "收票").await;
    if reloads.below(2) == 0 {
        reload_host(&host, "before scanning").await;
        open_tab(&host, "收票").await;
    }
    click(&host, &button("开始扫码")).await;
    // Waits on the record; the deadline is only a safety net for a machine that is far too
    // slow (alone it takes about a minute; scripts/perf measures it at 4× CPU).
    let deadline = Instant::now() + Duration::from_secs(300);
    while counted(&host).await < 20 {
        assert!(
            Instant::now() < deadline,
            "the webcam did not deliver 20 ballots within 5 minutes (counted {})",
            counted(&host).await
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    click(&host, &button("停止扫码")).await;
    eprintln!("rehearsal: 20 ballots scanned after {:?}", started.elapsed());
    if reloads.below(2) == 0 {
        reload_host(&host, "after scanning").await;
        open_tab(&host, "收票").await;
    }

    // Staff confirm each scanned batch on its tablet by the code the host shows; the tablet
    // erases it.
    let record = host_state(&host).await;
    for tablet in &tablets[..2] {
        let fp = text_of(tablet, "//*[@data-testid='tablet-fingerprint']").await;
        let batch = record
            .batches()
            .into_iter()
            .find(|b| b.tablet == fp)
            .expect("the tablet's batch arrived");
        confirm_batch(tablet, &batch.digest).await;
        assert_eq!(text_of(tablet, "//*[@data-testid='sealed']").await, "0");
        let state = super::harness::stored_record(tablet, "pingyi.tablet-state")
            .await
            .unwrap();
        assert!(!state.contains("\"marks\""), "no ballot left on the tablet");
    }

    // Tablet 2's file, twice: the second import changes nothing.
    let picker = wait_for(&host, "//input[@name='ballot-files']").await;
    picker
        .send_keys(&tablet_file.display().to_string())
        .await
        .expect("import tablet 2's file");
    wait_for(&host, "//*[@data-testid='import-report']/li").await;
    let after_first = host_state(&host).await;
    assert_eq!(after_first.batches().len(), 3, "two scanned, one from the file");
    assert_eq!(
        after_first.counted_per_group().iter().sum::<u32>(),
        30,
        "the reused code counts once: the ballot that came first"
    );
    reload_host(&host, "between the two imports").await;
    open_tab(&host, "收票").await;
    let picker = wait_for(&host, "//input[@name='ballot-files']").await;
    picker
        .send_keys(&tablet_file.display().to_string())
        .await
        .expect("import the same file again");
    let report = text_of(&host, "//*[@data-testid='import-report']").await;
    assert!(report.contains("已收过"), "{report}");
    assert_eq!(host_state(&host).await.batches().len(), 3);

    if reloads.below(2) == 0 {
        reload_host(&host, "after the imports").await;
        open_tab(&host, "收票").await;
    }

    // A paper ballot with group 3's spare code: all 好 except presenter 2 recused.
    let paper_code = codes[2][10];
    click(&host, &button("录入纸质选票")).await;
    set_value(&host, "//input[@name='paper-code']", &paper_code.to_string()).await;
    click(&host, &button("开始录入")).await;
    wait_for(
        &host,
        &format!("//article[@id='paper-presenter-{}']", meeting.presenters().len()),
    )
    .await;
    host.execute(
        "document.querySelectorAll('[id^=paper-presenter-] .rating__fill:first-child').forEach(b => b.click());\n\
         document.querySelector(\"#paper-presenter-2 input[value='recuse']\").click();",
        vec![],
    )
    .await
    .expect("key in the paper ballot");
    click(&host, &button("保存纸质选票")).await;
    wait_for(
        &host,
        "//section[contains(@class, 'paper')]//*[@role='status' and contains(., '已录入纸质选票')]",
    )
    .await;
    let mut paper = Plan {
        code: paper_code,
        marks: vec![Mark::Fill(0); meeting.presenters().len()],
        tap_first: false,
    };
    paper.marks[1] = Mark::Recuse;
    assert_eq!(counted(&host).await, 31);
    reload_host(&host, "after the paper ballot").await;

    // What the test meant to cast, counted by the rules core.
    let meant: Vec<_> = plans
        .iter()
        .chain(std::iter::once(&paper))
        .map(|p| p.draft(&meeting).finish().expect("a complete ballot"))
        .collect();
    let expected = expected_rows(&meeting, &meant);

    // Close, look at the board, export, verify.
    open_tab(&host, "结束与导出").await;
    click(&host, &button("结束投票")).await;
    click(&host, "//span[@class='confirm']//button[contains(., '结束投票')]").await;
    open_tab(&host, "大屏").await;
    wait_for(&host, "//table[@data-testid='ranking']/tbody/tr[40]").await;
    // Forty rows do not fit one 1920×1080 screen: the board turns pages of at least 15 rows,
    // every shown row above the fingerprint line and that line inside the window.
    let paging = text_of(&host, "//p[@data-testid='board-pages']").await;
    assert!(
        paging.contains(" / 3 页") || paging.contains(" / 2 页"),
        "{paging}"
    );
    let fit = host
        .execute(
            "const rows = [...document.querySelectorAll(\"[data-testid='ranking'] tbody tr:not([hidden])\")];\n\
             const last = rows[rows.length - 1].getBoundingClientRect();\n\
             const foot = document.querySelector('.board__fingerprint').getBoundingClientRect();\n\
             return { shown: rows.length, per_page: Number(document.querySelector(\"[data-testid='board-pages']\").dataset.perPage),\n\
                      last: last.bottom, foot: foot.top, foot_end: foot.bottom, view: innerHeight };",
            vec![],
        )
        .await
        .expect("measure the board");
    let per_page = fit["per_page"].as_u64().unwrap_or(0);
    assert!(per_page >= 15, "at least 15 rows a page at 1920×1080: {fit}");
    assert!(
        fit["shown"].as_u64() == Some(per_page) || fit["shown"].as_u64() == Some(40 % per_page),
        "a page shows its rows: {fit}"
    );
    assert!(
        fit["last"].as_f64() <= fit["foot"].as_f64() && fit["foot_end"].as_f64() <= fit["view"].as_f64(),
        "the page fits above the fingerprint line, in the window: {fit}"
    );
    let shown = board_names(&host).await;
    let expected_names: Vec<String> = expected.iter().map(|r| r.name.clone()).collect();
    assert_eq!(
        shown, expected_names,
        "the board shows the ranking of the ballots cast"
    );
    open_tab(&host, "结束与导出").await;
    click(&host, &button("导出签名结果文件")).await;
    let result = wait_for_download("r-host", "result-").await;
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_pingyi"))
        .args(["verify", result.to_str().unwrap(), "--json"])
        .output()
        .expect("run pingyi verify");
    assert!(
        verify.status.success(),
        "{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    let verdict: serde_json::Value = serde_json::from_slice(&verify.stdout).expect("verify --json");
    assert_eq!(verdict["holds"], json!(true));
    assert_eq!(
        verdict["batches"],
        json!(4),
        "three tablets' batches and the paper batch"
    );
    let recomputed: Vec<RankingRowV1> =
        serde_json::from_value(verdict["ranking"].clone()).expect("the recomputed ranking");
    assert_eq!(
        recomputed, expected,
        "verify recomputes exactly the tally of the ballots cast"
    );
    let recomputed_names: Vec<String> = recomputed.iter().map(|r| r.name.clone()).collect();
    assert_eq!(recomputed_names, shown, "verify's ranking equals the board's");
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&result).unwrap()).unwrap();
    let audit = file["payload"]["audit"].to_string();
    assert!(
        audit.contains("ballot_excluded") && audit.contains("duplicate_code"),
        "the reused code's later ballot is excluded, and logged: {audit}"
    );
    // Nothing per ballot in the published file.
    let text = std::fs::read_to_string(&result).unwrap();
    for field in ["\"marks\"", "\"tracker\"", "\"accepted\"", "\"rows\"", "\"seed\""] {
        assert!(!text.contains(field), "{field} in the published result");
    }

    eprintln!("rehearsal: done in {:?}", started.elapsed());
    for tablet in tablets {
        tablet.close().await.expect("close a tablet session");
    }
    host.close().await.expect("close the host session");
}
