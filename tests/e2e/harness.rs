//! What every end-to-end test needs: the release `dist/` served on 127.0.0.1, a chromedriver
//! in its own process group (ended with the group when the test ends, pass or fail), and a
//! headless Chromium session with a fresh profile under `target/`.
//!
//! Everything a run writes (profiles, Chromium's temporary files, downloads, fake-camera
//! files, chromedriver logs) goes into one folder per run, `target/e2e-run/<pid>`. The next
//! run removes the folders of runs that have ended: a Chromium killed with its process group
//! cannot clean up after itself, and a rehearsal leaves about 200 MB behind.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use serde_json::json;

/// Serves the files of `dist/` over plain HTTP/1.1 on a free loopback port.
pub struct StaticServer {
    pub base_url: String,
    online: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl StaticServer {
    pub fn start() -> StaticServer {
        // PINGYI_DIST serves another build (scripts/perf measures an earlier commit's form).
        let dist = std::env::var_os("PINGYI_DIST")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dist"));
        assert!(
            dist.join("index.html").exists(),
            "dist/index.html is missing: run `trunk build --release` first (scripts/test does)"
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let base_url = format!("http://{}", listener.local_addr().expect("local address"));
        let online = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let serving = online.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let dist = dist.clone();
                let serving = serving.clone();
                std::thread::spawn(move || serve_one(stream, &dist, &serving));
            }
        });
        StaticServer { base_url, online }
    }

    /// From now on every request fails as if the network were gone: connections are closed
    /// without an answer.
    pub fn go_offline(&self) {
        self.online.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") | Some("webmanifest") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

fn serve_one(stream: TcpStream, dist: &Path, online: &std::sync::atomic::AtomicBool) {
    let mut reader = BufReader::new(stream);
    loop {
        if !online.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut header = String::new();
        while reader.read_line(&mut header).unwrap_or(0) > 2 {
            header.clear();
        }
        if !online.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or("/");
        let path = path.split(['?', '#']).next().unwrap_or("/");
        let relative = path.trim_start_matches('/');
        let mut file = if relative.is_empty() {
            dist.join("index.html")
        } else {
            dist.join(relative)
        };
        // A folder is its index.html (the rater build lives in rater/); anything unknown is
        // the host page, as a static host with an SPA fallback would answer.
        if file.is_dir() {
            file = file.join("index.html");
        }
        if relative.contains("..") || !file.is_file() {
            file = dist.join("index.html");
        }
        let mut body = Vec::new();
        if let Ok(mut f) = std::fs::File::open(&file) {
            let _ = f.read_to_end(&mut body);
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\r\n",
            content_type(&file),
            body.len()
        );
        let stream = reader.get_mut();
        if stream.write_all(head.as_bytes()).is_err() || stream.write_all(&body).is_err() {
            return;
        }
    }
}

/// This run's scratch folder, `target/e2e-run/<pid>`. The first call removes the folders of
/// earlier runs whose process has ended.
pub fn run_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-run");
        for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            let running = entry
                .file_name()
                .to_str()
                .and_then(|name| name.parse::<u32>().ok())
                .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
            if !running {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = root.join(std::process::id().to_string());
        std::fs::create_dir_all(dir.join("tmp")).expect("the e2e scratch folder");
        dir
    })
}

/// A chromedriver process group; dropping it ends chromedriver and every Chromium it started.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    /// Starts chromedriver on a free port. Another test may grab the same port between our
    /// probe and chromedriver's bind, so the driver must answer `/status` itself; if it exits,
    /// a new port is tried.
    pub fn start() -> Driver {
        use std::os::unix::process::CommandExt;
        let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
        for _attempt in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("free port")
                .port();
            let log = run_dir().join(format!("chromedriver-{port}.log"));
            let mut child = Command::new(&binary)
                // Chromium's own temporary folders land in the run's folder, not in /tmp.
                .env("TMPDIR", run_dir().join("tmp"))
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot start {binary}: {e} (scripts/test installs chromium-driver)")
                });
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                if child.try_wait().ok().flatten().is_some() {
                    break; // exited, most likely because the port was taken: try another
                }
                if driver_is_ready(port) {
                    return Driver {
                        child,
                        url: format!("http://127.0.0.1:{port}"),
                    };
                }
                assert!(Instant::now() < deadline, "chromedriver did not start listening");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("chromedriver could not start on a free port in 5 attempts");
    }
}

/// Whether chromedriver itself answers on `port` and is ready for a session.
fn driver_is_ready(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(
            format!("GET /status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.contains("\"ready\"") && answer.contains("ChromeDriver")
}

impl Driver {
    /// A new headless Chromium session with its own fresh profile directory.
    pub async fn session(&self, name: &str, width: u32, height: u32) -> Client {
        self.session_with(name, width, height, &[]).await
    }

    /// A session with extra Chromium flags (for example a fake camera).
    pub async fn session_with(&self, name: &str, width: u32, height: u32, extra: &[String]) -> Client {
        let profile = run_dir().join("profiles").join(name);
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).expect("profile directory");
        let args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            format!("--window-size={width},{height}"),
            // The officials' devices are set to Chinese; the app follows the browser language.
            "--lang=zh-CN".to_owned(),
            format!("--user-data-dir={}", profile.display()),
        ];
        let args: Vec<String> = args.into_iter().chain(extra.iter().cloned()).collect();
        let downloads = downloads_dir(name);
        let _ = std::fs::remove_dir_all(&downloads);
        std::fs::create_dir_all(&downloads).expect("downloads directory");
        let prefs = json!({
            "download.default_directory": downloads.display().to_string(),
            "download.prompt_for_download": false,
            "intl.accept_languages": "zh-CN,zh",
        });
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            json!({ "args": args, "prefs": prefs }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a WebDriver session with headless Chromium")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Negative pid: the whole process group, Chromium included.
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

/// Reads one record of the app's durable store (IndexedDB `pingyi`, object store `records`)
/// as the disk holds it; never creates the database.
const READ_RECORD: &str = r#"
const [key, done] = arguments;
const open = indexedDB.open('pingyi');
open.onupgradeneeded = () => open.transaction.abort();
open.onerror = () => done(null);
open.onsuccess = () => {
  const db = open.result;
  const get = db.transaction('records').objectStore('records').get(key);
  get.onsuccess = () => { db.close(); done(get.result === undefined ? null : get.result); };
  get.onerror = () => { db.close(); done(null); };
};"#;

/// The JSON text stored under `key` in the page's durable store, if any.
pub async fn stored_record(page: &Client, key: &str) -> Option<String> {
    let value = page
        .execute_async(READ_RECORD, vec![json!(key)])
        .await
        .expect("read the durable store");
    value.as_str().map(str::to_owned)
}

/// The host laptop's meeting record as the page stored it.
pub async fn host_state(host: &Client) -> pingyi::domain::collect::HostMeeting {
    use pingyi::domain::collect::HostMeeting;
    let text = stored_record(host, "pingyi.host-state").await;
    HostMeeting::from_json(text.as_deref().expect("a stored host record")).expect("a valid host record")
}

/// The join link the host's tablets step shows (after voting opened).
pub async fn join_link(host: &Client) -> String {
    wait_for(host, "//a[@data-testid='join-link']")
        .await
        .attr("href")
        .await
        .expect("href")
        .expect("a join link")
}

/// Opens one of the host's steps by the Chinese name on its tab.
pub async fn open_tab(host: &Client, zh: &str) {
    click(host, &format!("//nav//button[contains(., '{zh}')]")).await;
}

/// Waits until an element matching `xpath` exists, up to 10 s, and returns it.
pub async fn wait_for(client: &Client, xpath: &str) -> Element {
    let found = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(xpath))
        .await;
    match found {
        Ok(element) => element,
        Err(e) => {
            // Keep what the page showed, for the person reading the failure.
            let shot = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-failure.png");
            if let Ok(png) = client.screenshot().await {
                let _ = std::fs::write(&shot, png);
            }
            panic!(
                "no element {xpath} within 10 s: {e} (screenshot: {})",
                shot.display()
            )
        }
    }
}

/// XPath of a button whose visible text contains `text`, as a person would look for it.
pub fn button(text: &str) -> String {
    format!("//button[contains(normalize-space(.), '{text}')]")
}

/// XPath of a level-1 heading whose text contains `text`.
pub fn heading(text: &str) -> String {
    format!("//h1[contains(normalize-space(.), '{text}')]")
}

/// Where the session called `name` saves downloads.
pub fn downloads_dir(name: &str) -> PathBuf {
    run_dir().join("downloads").join(name)
}

/// Waits up to 10 s for a finished download whose name starts with `prefix`.
pub async fn wait_for_download(name: &str, prefix: &str) -> PathBuf {
    let dir = downloads_dir(name);
    for _ in 0..100 {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let file = entry.file_name().to_string_lossy().into_owned();
                if file.starts_with(prefix) && !file.ends_with(".crdownload") {
                    return entry.path();
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no download {prefix}* in {} within 10 s", dir.display());
}

/// Sets a form field's value the way typing or pasting does, firing `input` and `change`
/// (WebDriver typing would turn a pasted tab into a focus move).
pub async fn set_value(client: &Client, xpath: &str, value: &str) {
    let element = wait_for(client, xpath).await;
    let element = serde_json::to_value(&element).expect("element reference");
    client
        .execute(
            "const el = arguments[0]; el.value = arguments[1];\n\
             el.dispatchEvent(new Event('input', { bubbles: true }));\n\
             el.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![element, json!(value)],
        )
        .await
        .expect("set the field's value");
}

/// Clicks the element at `xpath` once it exists.
/// Like a person, it first brings the element to the middle of the screen: WebDriver only
/// scrolls an element that is out of view, and one under the tablet's sticky rating bar counts
/// as in view while the bar would take the click.
pub async fn click(client: &Client, xpath: &str) {
    let element = wait_for(client, xpath).await;
    let as_arg = serde_json::to_value(&element).expect("element reference");
    client
        .execute(
            "arguments[0].scrollIntoView({ block: 'center', inline: 'nearest' });",
            vec![as_arg],
        )
        .await
        .unwrap_or_else(|e| panic!("scroll to {xpath}: {e}"));
    element
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {xpath}: {e}"));
}

/// The visible text of the element at `xpath`.
pub async fn text_of(client: &Client, xpath: &str) -> String {
    wait_for(client, xpath).await.text().await.expect("element text")
}

/// A fake webcam for a host session: the file it plays (blank until a test writes QR frames
/// into it with [`write_fake_camera`]) and the Chromium flags that make it the camera.
pub fn fake_camera(name: &str) -> (PathBuf, Vec<String>) {
    let camera = run_dir().join(format!("camera-{name}.y4m"));
    write_fake_camera(&camera, &[], 1);
    let flags = vec![
        "--use-fake-device-for-media-stream".to_owned(),
        "--use-fake-ui-for-media-stream".to_owned(),
        format!("--use-file-for-fake-video-capture={}", camera.display()),
    ];
    (camera, flags)
}

/// Width and height of the fake camera's frames.
const CAMERA_W: usize = 640;
const CAMERA_H: usize = 480;

/// A PNG screenshot as the fake camera shows it: scaled to fit 440 px (nearest neighbour),
/// centred on a white 640 × 480 frame, as luma.
pub fn camera_luma(png_bytes: &[u8]) -> Vec<u8> {
    let (w, h) = (CAMERA_W, CAMERA_H);
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG screenshot");
    let mut buf = vec![0; reader.output_buffer_size().expect("PNG size")];
    let info = reader.next_frame(&mut buf).expect("PNG pixels");
    let channels = info.color_type.samples();
    let (pw, ph) = (info.width as usize, info.height as usize);
    let side = 440usize;
    let scale = (pw.max(ph) as f64) / side as f64;
    let (sw, sh) = ((pw as f64 / scale) as usize, (ph as f64 / scale) as usize);
    let (ox, oy) = ((w - sw) / 2, (h - sh) / 2);
    let mut luma = vec![255u8; w * h];
    for y in 0..sh {
        for x in 0..sw {
            let (px, py) = (((x as f64) * scale) as usize, ((y as f64) * scale) as usize);
            let i = (py.min(ph - 1) * pw + px.min(pw - 1)) * channels;
            let v = if channels >= 3 {
                ((u32::from(buf[i]) * 299 + u32::from(buf[i + 1]) * 587 + u32::from(buf[i + 2]) * 114) / 1000)
                    as u8
            } else {
                buf[i]
            };
            luma[(oy + y) * w + ox + x] = v;
        }
    }
    luma
}

/// Whether the scanner's decoder reads a QR code in the screenshot once the fake camera has
/// scaled it: a shot taken mid-repaint or scaled unluckily is retaken rather than fed to the
/// scanner, where it would never decode.
pub fn decodes_on_camera(png_bytes: &[u8]) -> bool {
    let rgba: Vec<u8> = camera_luma(png_bytes)
        .into_iter()
        .flat_map(|v| [v, v, v, 255])
        .collect();
    !pingyi::domain::qr_frame::decode_rgba(CAMERA_W, CAMERA_H, &rgba).is_empty()
}

/// Writes a YUV4MPEG2 file Chromium's fake camera plays in a loop: each PNG (a screenshot of a
/// QR code) centred on a white 640 × 480 frame, shown for `frames_each` frames.
pub fn write_fake_camera(path: &Path, pngs: &[Vec<u8>], frames_each: usize) {
    const W: usize = CAMERA_W;
    const H: usize = CAMERA_H;
    let mut out = format!("YUV4MPEG2 W{W} H{H} F10:1 Ip A1:1 C420jpeg\n").into_bytes();
    if pngs.is_empty() {
        out.extend_from_slice(b"FRAME\n");
        out.extend(std::iter::repeat_n(255u8, W * H));
        out.extend(std::iter::repeat_n(128u8, W * H / 2));
    }
    for png_bytes in pngs {
        let luma = camera_luma(png_bytes);
        for _ in 0..frames_each {
            out.extend_from_slice(b"FRAME\n");
            out.extend_from_slice(&luma);
            out.extend(std::iter::repeat_n(128u8, W * H / 2));
        }
    }
    std::fs::write(path, out).expect("write the fake camera file");
}

/// Waits until the page is controlled by the service worker (it works offline from then on).
pub async fn wait_until_offline_ready(client: &Client) {
    for _ in 0..100 {
        let controlled = client
            .execute(
                "return !!(navigator.serviceWorker && navigator.serviceWorker.controller);",
                vec![],
            )
            .await
            .expect("ask for the service worker");
        if controlled.as_bool() == Some(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the service worker did not take control within 10 s");
}

/// Runs axe-core (installed by scripts/test into `.tools/`) on the page as it is now, with the
/// WCAG 2.2 A and AA rules and axe's best practices, and fails
/// with the rule, the elements and axe's summary if any violation is serious or critical.
/// `rules` limits the run to those rule ids (for example the AAA contrast rule on the board).
pub async fn assert_accessible(client: &Client, screen: &str, rules: &[&str]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".tools/node_modules/axe-core/axe.min.js");
    let present = client
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .expect("ask for axe");
    if present.as_bool() != Some(true) {
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (scripts/test installs axe-core)", path.display()));
        client
            .execute(&format!("{source}\nreturn true;"), vec![])
            .await
            .expect("inject axe-core");
    }
    // Every screen is held to WCAG 2.2 AA (its `wcag22aa` tag holds target-size, which axe's
    // default run leaves out) and axe's best practices.
    let options = if rules.is_empty() {
        json!({ "resultTypes": ["violations"], "runOnly": { "type": "tag",
            "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] } })
    } else {
        json!({ "resultTypes": ["violations"], "runOnly": { "type": "rule", "values": rules } })
    };
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];\n\
             axe.run(document, arguments[0])\n\
               .then(r => done({ rules: r.passes.length + r.violations.length, problems: r.violations\n\
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')\n\
                 .map(v => `${v.id} (${v.impact}): ${v.help}\\n` + v.nodes.slice(0, 4)\n\
                   .map(n => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\\n/g, ' ')}`).join('\\n')) }))\n\
               .catch(e => done({ rules: 0, problems: [`axe failed: ${e}`] }));",
            vec![options],
        )
        .await
        .expect("run axe-core");
    assert!(
        found["rules"].as_u64().unwrap_or(0) > 0,
        "axe-core checked no rule on {screen}: {found}"
    );
    let problems: Vec<String> = found["problems"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if !problems.is_empty() {
        let shot = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-failure.png");
        if let Ok(png) = client.screenshot().await {
            let _ = std::fs::write(&shot, png);
        }
        panic!(
            "axe-core: {} serious or critical violation(s) on {screen}:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }
}

/// A DevTools-protocol command sent through chromedriver (`goog/cdp/execute`): CPU throttling,
/// storage quota, heap figures.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Sends one DevTools-protocol command and returns its answer.
pub async fn cdp(client: &Client, cmd: &'static str, params: serde_json::Value) -> serde_json::Value {
    client
        .issue_cmd(Cdp { cmd, params })
        .await
        .unwrap_or_else(|e| panic!("DevTools command {cmd}: {e}"))
}

/// On a tablet's open form: every presenter gets the first quick fill ("全部好"), as a rater in a
/// hurry would tap it. `prefix` is the form's id prefix (`k` on the tablet, `paper` on the host).
pub async fn quick_fill(client: &Client, prefix: &str) {
    client
        .execute(
            "document.querySelectorAll(`[id^=${arguments[0]}-presenter-] .rating__fill:first-child`).forEach(b => b.click());",
            vec![json!(prefix)],
        )
        .await
        .expect("quick-fill the form");
}

/// Opens a join link on a tablet and joins with `pin` as the hand-in PIN.
pub async fn join_as_tablet(client: &Client, link: &str, pin: &str) {
    client.goto(link).await.expect("open the join link");
    wait_for(client, &heading("加入会议")).await;
    set_value(client, "//input[@name='pin']", pin).await;
    set_value(client, "//input[@name='pin-again']", pin).await;
    click(client, &button("加入会议")).await;
}

/// On a tablet's start screen of an open meeting: the rater picks the first group.
pub async fn start_first_group(client: &Client) {
    click(
        client,
        "(//fieldset[contains(@class, 'kiosk-start__groups')]//button)[1]",
    )
    .await;
    wait_for(client, "//article[@id='k-presenter-1']").await;
}

/// A sealed hand-in file for the host's round, made by the rules core as a tablet makes it: a
/// tablet with the key of seed `seed` takes one ballot per `(group, code index, grade per
/// presenter)` and seals them as its closing batch. Returns the file's text and the ballots.
pub fn hand_in_file(
    host: &pingyi::domain::collect::HostMeeting,
    seed: u8,
    ballots: &[(usize, usize, &[u8])],
) -> (String, Vec<pingyi::domain::ballot::Ballot>) {
    use pingyi::domain::ballot::{BallotDraft, Credential};
    use pingyi::domain::kiosk::Tap;
    use pingyi::domain::record::tablet::TabletV2;
    use pingyi::domain::signing::DeviceKey;
    const T: &str = "2026-12-18T10:00:00Z";
    let key = DeviceKey::from_seed([seed; 32]);
    let join = host.join().expect("voting is open").clone();
    let mut tablet = TabletV2::join(join, &key, "0000", "salt", T).expect("the host's join checks");
    let mut made = Vec::new();
    for &(group, index, grades) in ballots {
        let code = host.codes()[group][index];
        tablet.start_with_code(&code.to_string()).expect("an unused code");
        let mut draft = BallotDraft::new(host.meeting(), Credential::Code(code));
        for (p, &g) in grades.iter().enumerate() {
            tablet.tap(Tap::Fill {
                presenter: p,
                grade: g,
            });
            draft.fill_presenter(p, g);
        }
        tablet.submit().expect("a complete ballot");
        made.push(draft.finish().expect("a complete ballot"));
    }
    let shown = tablet
        .make_batch(&key, [seed; 32], [seed ^ 0x5a; 32], true, T)
        .expect("a closing batch");
    (
        pingyi::domain::record::transport::hand_in_file(&shown.envelope),
        made,
    )
}

/// The ranking rows the rules core computes for `ballots` from their count tables.
pub fn expected_rows(
    meeting: &pingyi::domain::meeting::Meeting,
    ballots: &[pingyi::domain::ballot::Ballot],
) -> Vec<pingyi::domain::report::RankingRowV1> {
    use pingyi::domain::record::counts::plain_count_tables;
    use pingyi::domain::record::score::tally_cells;
    let refs: Vec<&pingyi::domain::ballot::Ballot> = ballots.iter().collect();
    let tally = tally_cells(meeting, &plain_count_tables(meeting, &refs)).expect("tables fit");
    pingyi::domain::report::cell_ranking_rows(meeting, &tally)
}

/// The ranking names the rules core computes for `ballots`, as the board shows them.
pub fn expected_ranking(
    meeting: &pingyi::domain::meeting::Meeting,
    ballots: &[pingyi::domain::ballot::Ballot],
) -> Vec<String> {
    expected_rows(meeting, ballots)
        .into_iter()
        .map(|r| r.name)
        .collect()
}

/// On a tablet's unlocked hand-in screen: seals the closing batch (asked first).
pub async fn seal_closing_batch(tablet: &Client) {
    click(tablet, &button("交最后一批（本平板结束收票）")).await;
    click(
        tablet,
        "//span[@class='confirm']//button[contains(., '交最后一批')]",
    )
    .await;
    wait_for(tablet, "//figure[@data-testid='hand-in-qr']").await;
}

/// On a tablet's hand-in screen: types the batch code the host shows and waits for the
/// tablet to confirm and erase that batch.
pub async fn confirm_batch(tablet: &Client, code: &str) {
    set_value(tablet, "//input[@name='batch-code']", code).await;
    click(tablet, &button("确认这批已收到")).await;
    wait_for(
        tablet,
        "//*[@data-testid='hand-in-message' and contains(., '已确认收到')]",
    )
    .await;
}

/// The batch codes the host's collect step lists, newest first.
pub async fn batch_codes(host: &Client) -> Vec<String> {
    let mut codes = Vec::new();
    for cell in host
        .find_all(Locator::XPath("//*[@data-testid='batch-digest']"))
        .await
        .expect("batch codes")
    {
        codes.push(cell.text().await.unwrap_or_default());
    }
    codes
}

/// Sealed hand-in files of `ballots` for the host's round, made by the rules core as one
/// tablet (key of seed `seed`) makes them: one batch per chunk of `per_batch`, the last one
/// closing. Returns the files' texts.
pub fn hand_in_batches(
    host: &pingyi::domain::collect::HostMeeting,
    seed: u8,
    ballots: &[pingyi::domain::ballot::Ballot],
    per_batch: usize,
) -> Vec<String> {
    use pingyi::domain::ballot::{BallotDraft, Mark};
    use pingyi::domain::record::tablet::TabletV2;
    use pingyi::domain::signing::DeviceKey;
    const T: &str = "2026-12-18T10:00:00Z";
    let key = DeviceKey::from_seed([seed; 32]);
    let join = host.join().expect("voting is open").clone();
    let mut tablet = TabletV2::join(join, &key, "0000", "salt", T).expect("the host's join checks");
    let mut files = Vec::new();
    let chunks: Vec<&[pingyi::domain::ballot::Ballot]> = ballots.chunks(per_batch).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        for ballot in *chunk {
            let mut draft = BallotDraft::new(host.meeting(), ballot.credential());
            for (p, mark) in ballot.marks().iter().enumerate() {
                match mark {
                    Mark::Graded(grades) => {
                        for (a, &g) in grades.iter().enumerate() {
                            draft.set_grade(p, a, g);
                        }
                    }
                    Mark::Recused => draft.set_recused(p),
                    Mark::Abstained => draft.set_abstained(p),
                }
            }
            tablet.restore_draft(draft);
            tablet.submit().expect("a complete ballot");
        }
        let closing = i + 1 == chunks.len();
        let shown = tablet
            .make_batch(&key, [seed + i as u8; 32], [seed ^ 0x5a; 32], closing, T)
            .expect("a batch");
        files.push(pingyi::domain::record::transport::hand_in_file(&shown.envelope));
    }
    files
}
