//! The host's QR scanner worker: says `{ ready: true }` once it listens, then receives camera
//! frames `{ width, height, pixels }` (RGBA) and answers each with `{ texts: [...], ms }` — the
//! QR texts found and the decode time. One [`QrScanner`] and one pixel buffer serve every
//! frame: nothing of frame size is allocated after the first.

#[cfg(target_arch = "wasm32")]
fn main() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;

    use pingyi::domain::qr_frame::QrScanner;

    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let mut scanner = QrScanner::new();
    let mut pixels = Vec::new();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        let data = event.data();
        let field = |name: &str| js_sys::Reflect::get(&data, &name.into()).unwrap_or_default();
        let width = field("width").as_f64().unwrap_or(0.0) as usize;
        let height = field("height").as_f64().unwrap_or(0.0) as usize;
        let clock = reply.performance();
        // The decode time counts the copy out of the message too: it is the worker's work.
        let start = clock.as_ref().map_or(0.0, web_sys::Performance::now);
        let frame = js_sys::Uint8ClampedArray::new(&field("pixels"));
        pixels.resize(frame.length() as usize, 0);
        frame.copy_to(&mut pixels);
        let texts = scanner.scan_rgba(width, height, &pixels);
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
