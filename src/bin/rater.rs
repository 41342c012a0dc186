//! The rater build's entry point (rater/index.html): the tablet only — join, the kiosk loop,
//! signing and committing, the sealed hand-in. The linker keeps what this `main` reaches, so
//! none of the host's code is in it (docs/builds.md).

fn main() {
    console_error_panic_hook::set_once();
    pingyi::browser::platform::mark("pingyi:start");
    wasm_bindgen_futures::spawn_local(async {
        pingyi::ui::start_rater().await;
        pingyi::browser::platform::mark("pingyi:mounted");
    });
}
