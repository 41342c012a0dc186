//! Browser entry point: install the panic hook, start the app. Nothing else.
//!
//! Two User Timing marks (`pingyi:start`, `pingyi:mounted`) let scripts/perf split the load
//! time into fetching and compiling the wasm, and reading the records and building the first
//! screen.

fn main() {
    console_error_panic_hook::set_once();
    pingyi::browser::platform::mark("pingyi:start");
    wasm_bindgen_futures::spawn_local(async {
        pingyi::ui::start().await;
        pingyi::browser::platform::mark("pingyi:mounted");
    });
}
