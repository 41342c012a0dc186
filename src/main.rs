//! Browser entry point: install the panic hook, mount the app. Nothing else.
//!
//! Two User Timing marks (`pingyi:start`, `pingyi:mounted`) let scripts/perf split the load
//! time into fetching and compiling the wasm, and building the first screen.

fn main() {
    console_error_panic_hook::set_once();
    pingyi::browser::platform::mark("pingyi:start");
    leptos::mount::mount_to_body(pingyi::ui::App);
    pingyi::browser::platform::mark("pingyi:mounted");
}
