//! Nothing acknowledged is lost when the browser dies. This test starts Chromium itself, in its
//! own process group (chromedriver only attaches to it), waits for an acknowledgement on
//! screen, kills the whole group with SIGKILL after a chosen delay — a dead battery, an OS
//! kill — relaunches Chromium on the same profile and reads the durable store back.
//!
//! Each case runs twice on one profile: "first", the first record-changing action since the
//! profile was made, and "in use", a second one after a relaunch, on a busy page (4× CPU
//! throttling). It prints the case × delay
//! table and fails if any cell is not kept. A cell is kept when every acknowledged item is
//! stored exactly once and nothing unacknowledged shows as submitted.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use pingyi::domain::code::MeetingSecret;
use pingyi::domain::collect::HostMeeting;
use pingyi::domain::kiosk::encode_signed_join;
use pingyi::domain::sample::{random_ballots, sized_meeting};
use pingyi::domain::signing::DeviceKey;
use serde_json::{Value, json};

use super::harness::{
    Driver, StaticServer, button, cdp, click, hand_in_batches, heading, join_as_tablet, quick_fill, run_dir,
    stored_record, wait_for,
};

/// A Chromium this test launched and can kill.
struct OwnChromium {
    child: Child,
    port: u16,
}

impl OwnChromium {
    fn launch(profile: &Path, width: u32, height: u32) -> OwnChromium {
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(&binary)
            .env("TMPDIR", run_dir().join("tmp"))
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--lang=zh-CN",
                "--accept-lang=zh-CN,zh",
            ])
            .arg(format!("--window-size={width},{height}"))
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--remote-debugging-port={port}"))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "Chromium did not open its debugging port"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        OwnChromium { child, port }
    }

    async fn attach(&self, driver: &Driver) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            json!({ "debuggerAddress": format!("127.0.0.1:{}", self.port) }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .expect("attach chromedriver to the launched Chromium")
    }

    /// SIGKILL to the whole group: the browser and every renderer die at once.
    fn kill(mut self) {
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for OwnChromium {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

#[derive(Clone, Copy, Debug)]
enum Case {
    TabletSubmit,
    /// Killed right after "submit" is tapped, without waiting for the acknowledgement.
    TabletSubmitUnacknowledged,
    TabletTap,
    HostImport,
    HostPaper,
}

impl Case {
    fn label(self) -> &'static str {
        match self {
            Case::TabletSubmit => "tablet: 选票已提交",
            Case::TabletSubmitUnacknowledged => "tablet: killed as 提交 is tapped (draft xor submitted)",
            Case::TabletTap => "tablet: one grade tap saved",
            Case::HostImport => "host: ballot file imported",
            Case::HostPaper => "host: paper ballot keyed in",
        }
    }

    fn is_tablet(self) -> bool {
        matches!(
            self,
            Case::TabletSubmit | Case::TabletSubmitUnacknowledged | Case::TabletTap
        )
    }
}

/// What the cases share: the join link, the host record to seed, two ballot files.
struct Hall {
    join_link: String,
    host_record: String,
    files: [PathBuf; 2],
}

impl Hall {
    fn new(server: &StaticServer) -> Hall {
        let meeting = sized_meeting(6);
        let host_key = DeviceKey::from_seed([3; 32]);
        let mut host = HostMeeting::new(
            meeting.clone(),
            MeetingSecret::from_bytes([5; 32]),
            "2026-12-18T09:00:00Z",
        );
        host.open_voting(&host_key, [1; 16], [2; 32], "2026-12-18T09:30:00Z")
            .expect("open voting");
        let join_link = format!(
            "{}/rater/#join={}",
            server.base_url,
            encode_signed_join(host.join().expect("open"))
        );
        let host_record = serde_json::to_string(host.state()).expect("host record");
        // One tablet's six ballots, handed in as two batches of three.
        let texts = hand_in_batches(&host, 11, &random_ballots(&meeting, 6, 11), 3);
        let dir = run_dir().join("durability");
        std::fs::create_dir_all(&dir).expect("a folder for the hand-in files");
        let files = [0, 1].map(|half| {
            let path = dir.join(format!("hand-in-{half}.json"));
            std::fs::write(&path, &texts[half]).expect("write a hand-in file");
            path
        });
        Hall {
            join_link,
            host_record,
            files,
        }
    }
}

fn parsed(text: Option<String>) -> Value {
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null)
}

/// Brings a fresh browser to the screen where the case's action is taken.
async fn prepare(case: Case, page: &Client, hall: &Hall, server: &StaticServer) {
    if case.is_tablet() {
        join_as_tablet(page, &hall.join_link, "2468").await;
        wait_for(
            page,
            "//fieldset[contains(@class, 'kiosk-start__groups')]//button",
        )
        .await;
    } else {
        page.goto(&server.base_url).await.expect("open the app");
        click(page, &button("主持人")).await;
        // The meeting record as an earlier build left it: the app moves it into its store.
        page.execute(
            "localStorage.setItem('pingyi.host-state', arguments[0]);",
            vec![json!(hall.host_record)],
        )
        .await
        .expect("seed the host record");
        page.refresh().await.expect("reload with the record");
        wait_for(page, "//input[@name='ballot-files']").await;
    }
}

/// After a relaunch: the app, once it has read its store and shows a screen.
async fn reopen(page: &Client, server: &StaticServer) {
    page.goto(&server.base_url).await.expect("open the app");
    wait_for(page, "//main[contains(@class, 'app-main')]//section[contains(@class, 'screen') or contains(@class, 'host-app')]").await;
}

/// Takes the case's action for the `round`-th time (0 or 1) and waits for its acknowledgement.
async fn act(case: Case, page: &Client, hall: &Hall, round: usize) {
    match case {
        Case::TabletSubmit | Case::TabletSubmitUnacknowledged => {
            // A ballot left open by the kill before is finished first.
            let start = "(//fieldset[contains(@class, 'kiosk-start__groups')]//button)[1]";
            if round == 0 || page.find(fantoccini::Locator::XPath(start)).await.is_ok() {
                click(page, start).await;
            }
            wait_for(page, "//article[@id='k-presenter-1']").await;
            quick_fill(page, "k").await;
            click(page, "(//button[contains(., '检查并提交')])[1]").await;
            click(page, &button("提交选票")).await;
            if matches!(case, Case::TabletSubmit) {
                wait_for(page, &heading("选票已提交")).await;
            }
        }
        Case::TabletTap => {
            if round == 0 {
                click(
                    page,
                    "(//fieldset[contains(@class, 'kiosk-start__groups')]//button)[1]",
                )
                .await;
            }
            click(
                page,
                &format!(
                    "(//article[@id='k-presenter-{}']//fieldset[contains(@class, 'rating__aspect')])[1]//label[1]",
                    round + 1
                ),
            )
            .await;
            wait_for(page, "//*[@data-testid='save-state'][@data-state='saved']").await;
        }
        Case::HostImport => {
            let picker = wait_for(page, "//input[@name='ballot-files']").await;
            picker
                .send_keys(&hall.files[round].display().to_string())
                .await
                .expect("import a ballot file");
            wait_for(
                page,
                &format!(
                    "//*[@data-testid='import-report']/li[contains(., '{}')]",
                    file_name(&hall.files[round])
                ),
            )
            .await;
        }
        Case::HostPaper => {
            click(page, &button("录入纸质选票")).await;
            click(page, "(//section[contains(@class, 'paper')]/div//button)[1]").await;
            wait_for(page, "//article[@id='paper-presenter-1']").await;
            quick_fill(page, "paper").await;
            click(page, &button("保存纸质选票")).await;
            wait_for(
                page,
                "//section[contains(@class, 'paper')]//p[contains(., '已录入纸质选票')]",
            )
            .await;
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned()
}

/// Whether the store holds exactly the `acknowledged` items of the case, each once, and no
/// unacknowledged one as submitted.
async fn kept(case: Case, page: &Client, acknowledged: usize, held_before: usize) -> bool {
    match case {
        Case::TabletSubmit => {
            let state = parsed(stored_record(page, "pingyi.tablet-state").await);
            let draft = stored_record(page, "pingyi.tablet-draft").await;
            let held = state["pending"].as_array().map_or(0, Vec::len);
            let open_form = page
                .find(fantoccini::Locator::XPath("//article[@id='k-presenter-1']"))
                .await
                .is_ok();
            held == acknowledged && draft.is_none() && !open_form
        }
        // Either still open (not acknowledged) or submitted — never both, never neither; and a
        // ballot left open is the same rater's, on the form, never counted.
        Case::TabletSubmitUnacknowledged => {
            let state = parsed(stored_record(page, "pingyi.tablet-state").await);
            let held = state["pending"].as_array().map_or(0, Vec::len);
            let draft = stored_record(page, "pingyi.tablet-draft").await;
            matches!(
                (held.checked_sub(held_before), draft.is_some()),
                (Some(1), false) | (Some(0), true)
            )
        }
        Case::TabletTap => {
            let draft = parsed(stored_record(page, "pingyi.tablet-draft").await);
            let marks = draft["draft"]["marks"].as_array().cloned().unwrap_or_default();
            let set: Vec<bool> = marks
                .iter()
                // The first grade of the first aspect is written "1" (docs/ballot-format.md).
                .map(|m| m.as_str().is_some_and(|m| m.starts_with('1')))
                .collect();
            set.len() >= acknowledged
                && set.iter().take(acknowledged).all(|&s| s)
                && set.iter().skip(acknowledged).all(|&s| !s)
        }
        Case::HostImport | Case::HostPaper => {
            let record = parsed(stored_record(page, "pingyi.host-state").await);
            let items = if matches!(case, Case::HostImport) {
                record["round"]["batches"].as_array().map_or(0, Vec::len)
            } else {
                record["paper"].as_array().map_or(0, Vec::len)
            };
            items == acknowledged
        }
    }
}

/// One case at one delay: (first, in use).
async fn run_case(
    driver: &Driver,
    server: &StaticServer,
    hall: &Hall,
    case: Case,
    delay: Duration,
) -> [bool; 2] {
    let profile = run_dir()
        .join("profiles")
        .join(format!("durability-{case:?}-{}", delay.as_millis()));
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).expect("profile directory");
    let (width, height) = if case.is_tablet() {
        (768, 1024)
    } else {
        (1920, 1080)
    };
    let mut cells = [false; 2];
    let mut browser = OwnChromium::launch(&profile, width, height);
    let mut page = browser.attach(driver).await;
    prepare(case, &page, hall, server).await;
    for (round, cell) in cells.iter_mut().enumerate() {
        // The device in use is also a busy one: its CPU runs 4× slower.
        if round == 1 {
            cdp(&page, "Emulation.setCPUThrottlingRate", json!({ "rate": 4 })).await;
        }
        let held_before = parsed(stored_record(&page, "pingyi.tablet-state").await)["pending"]
            .as_array()
            .map_or(0, Vec::len);
        act(case, &page, hall, round).await;
        tokio::time::sleep(delay).await;
        browser.kill();
        browser = OwnChromium::launch(&profile, width, height);
        page = browser.attach(driver).await;
        reopen(&page, server).await;
        *cell = kept(case, &page, round + 1, held_before).await;
        if !*cell {
            break; // the next round would start from a lost state
        }
    }
    browser.kill();
    cells
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_acknowledged_is_lost_when_the_browser_is_killed() {
    let server = StaticServer::start();
    let driver = Driver::start();
    let hall = Hall::new(&server);
    let delays = [0u64, 200, 1000].map(Duration::from_millis);
    let cases = [
        Case::TabletSubmit,
        Case::TabletSubmitUnacknowledged,
        Case::TabletTap,
        Case::HostImport,
        Case::HostPaper,
    ];
    let mut table = Vec::new();
    for case in cases {
        let mut row = Vec::new();
        for delay in delays {
            row.push(run_case(&driver, &server, &hall, case, delay).await);
        }
        table.push((case, row));
    }
    let mut lost = 0;
    println!("\nkill -9 after the acknowledgement (first save / in use, at 4× CPU):");
    println!(
        "| what the screen acknowledged | {} |",
        delays.map(|d| format!("{} ms", d.as_millis())).join(" | ")
    );
    println!("|---|{}", "---|".repeat(delays.len()));
    for (case, row) in &table {
        let cells: Vec<String> = row
            .iter()
            .map(|[first, in_use]| {
                lost += usize::from(!first) + usize::from(!in_use);
                let word = |k: &bool| if *k { "kept" } else { "LOST" };
                format!("{} / {}", word(first), word(in_use))
            })
            .collect();
        println!("| {} | {} |", case.label(), cells.join(" | "));
    }
    assert_eq!(lost, 0, "an acknowledged item was lost (table above)");
}
