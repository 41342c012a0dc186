//! A size probe for scripts/perf, never deployed: the rater build's work without its screens.
//! It mounts the floor app's one-button page (perf/floor) and, on a click, runs every step a
//! tablet runs through the same library calls — open the durable store and the device key,
//! read the stored state and draft, read and check a signed join link, join, take a code, tap,
//! submit, seal a batch, draw its first QR code, write the hand-in file, confirm the batch,
//! write the state back — and shows what came out. Where the origin already holds a tablet's
//! record it reads it and stops: it never writes over a real tablet. Built like the rater build
//! (perf/rater-core/index.html), its size is what the tablet's core costs above the floor;
//! the rater build's size above it is what the tablet's screens and texts cost
//! (docs/performance.md, "What a tablet's bytes buy").

use leptos::prelude::*;
use pingyi::browser::{device_key, offline, platform, store};
use pingyi::domain::kiosk::{Tap, decode_signed_join};
use pingyi::domain::record::tablet::{TabletStateV2, TabletV2};
use pingyi::domain::record::transport::hand_in_file;
use pingyi::domain::signing::fingerprint;

fn main() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let opened = store::open().await.err().map(|e| e.to_string());
        let key = device_key::ensure_device_key().await.err().map(|e| e.to_string());
        offline::enable_offline(|| ());
        let said = RwSignal::new(format!("{opened:?} {key:?}"));
        leptos::mount::mount_to_body(move || {
            view! { <button on:click=move |_| said.set(run())>{move || said.get()}</button> }
        });
    });
}

/// One tablet's whole loop, every step through the library; what each step said, as text.
fn run() -> String {
    let mut said = Vec::new();
    let key = match device_key::device_key() {
        Ok(key) => key,
        Err(e) => return e.to_string(),
    };
    said.push(fingerprint(&key.public_key()).unwrap_or_default());
    let stored = store::load::<TabletStateV2>(store::TABLET_STATE_KEY)
        .map_err(|e| e.to_string())
        .and_then(|state| {
            let draft = store::load(store::TABLET_DRAFT_KEY).ok().flatten();
            state
                .map(|s| TabletV2::from_stored_with_draft(s, draft).map_err(|e| e.to_string()))
                .transpose()
        });
    // The probe reads a stored tablet as the tablet does, but never writes over one: it
    // joins afresh only where this origin holds no tablet's record.
    match stored {
        Ok(Some(tablet)) => {
            return format!(
                "this origin holds the tablet record of {}: left alone",
                tablet.meeting().id()
            );
        }
        Ok(None) => {}
        Err(e) => return e,
    }
    let fragment = platform::fragment();
    let now = platform::now();
    let joined = match fragment.strip_prefix("join=") {
        Some(link) => decode_signed_join(link)
            .map_err(|e| e.to_string())
            .and_then(|join| TabletV2::join(join, &key, "2468", "salt", &now).map_err(|e| e.to_string())),
        None => Err("no join link".to_owned()),
    };
    let mut tablet = match joined {
        Ok(tablet) => tablet,
        Err(e) => return e,
    };
    said.push(tablet.host_fingerprint());
    // The code path is linked with a runtime input (the fragment is no code, so the group
    // path follows); a constant would let the compiler fold it away.
    if let Err(e) = tablet
        .start_with_code(&fragment)
        .or_else(|_| tablet.start_with_group(0))
    {
        said.push(e.to_string());
    }
    let (presenters, aspects) = (
        tablet.meeting().presenters().len(),
        tablet.meeting().aspects().len(),
    );
    for presenter in 0..presenters {
        for aspect in 0..aspects {
            tablet.tap(Tap::Grade {
                presenter,
                aspect,
                grade: (presenter + aspect) as u8 % 4,
            });
        }
    }
    if let Some(draft) = tablet.stored_draft() {
        said.push(
            store::Change::put(store::TABLET_DRAFT_KEY, &draft)
                .map_or_else(|e| e.to_string(), |_| "draft".into()),
        );
    }
    if let Err(e) = tablet.submit() {
        said.push(e.to_string());
    }
    if let Err(e) = tablet.open_hand_in("2468", &now) {
        said.push(e.to_string());
    }
    let seeds = platform::random_bytes::<32>().and_then(|s| Ok((s, platform::random_bytes::<32>()?)));
    if let Ok((seed, ephemeral)) = seeds {
        match tablet.make_batch(&key, seed, ephemeral, false, &now) {
            Ok(display) => {
                let svg = display
                    .qr
                    .first()
                    .and_then(|chunk| pingyi::ui::qr_svg(chunk, qrcode::EcLevel::M))
                    .unwrap_or_default();
                said.push(format!("{} {}", svg.len(), hand_in_file(&display.envelope).len()));
            }
            Err(e) => said.push(e.to_string()),
        }
    }
    let digest = tablet
        .state()
        .sealed
        .first()
        .map(|b| b.digest.clone())
        .unwrap_or_default();
    match tablet.confirm_batch("2468", &digest, &now) {
        Ok(number) => said.push(number.to_string()),
        Err(e) => said.push(e.to_string()),
    }
    said.push(format!(
        "{} {:?}",
        tablet.log_entries().len(),
        tablet.pin_locked_for(&now)
    ));
    match store::Change::put(store::TABLET_STATE_KEY, tablet.state()) {
        Ok(change) => store::write(vec![change], |_| ()),
        Err(e) => said.push(e.to_string()),
    }
    said.join(" · ")
}
