//! The smallest useful Leptos CSR page: a button that counts its clicks.

use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| {
        let count = RwSignal::new(0);
        view! { <button on:click=move |_| count.update(|n| *n += 1)>{move || count.get()}</button> }
    });
}
