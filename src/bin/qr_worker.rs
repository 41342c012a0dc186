//! The host's QR scanner worker: says `{ ready: true }` once it listens, then receives camera
//! frames `{ width, height, pixels }` (RGBA) and answers each with `{ texts: [...], ms }` — the
//! QR texts found and the decode time.

#[cfg(target_arch = "wasm32")]
fn main() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;

    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        let data = event.data();
        let field = |name: &str| js_sys::Reflect::get(&data, &name.into()).unwrap_or_default();
        let width = field("width").as_f64().unwrap_or(0.0) as usize;
        let height = field("height").as_f64().unwrap_or(0.0) as usize;
        let pixels = js_sys::Uint8ClampedArray::new(&field("pixels")).to_vec();
        let clock = reply.performance();
        let start = clock.as_ref().map_or(0.0, web_sys::Performance::now);
        let texts = pingyi::domain::qr_frame::decode_rgba(width, height, &pixels);
        let ms = clock.as_ref().map_or(0.0, web_sys::Performance::now) - start;
        let found = js_sys::Array::new();
        for text in texts {
            found.push(&text.into());
        }
        let answer = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&answer, &"texts".into(), &found);
        let _ = js_sys::Reflect::set(&answer, &"ms".into(), &ms.into());
        let _ = reply.post_message(&answer);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // A frame posted before the handler above existed was lost: the page waits for this.
    let ready = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&ready, &"ready".into(), &true.into());
    let _ = scope.post_message(&ready);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("qr_worker runs in the browser, as the host's scanner web worker");
}
