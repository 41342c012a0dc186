//! The host's QR scanner worker: says `{ ready: true }` once it listens, then receives camera
//! frames `{ width, height, pixels }` (RGBA) and answers each with `{ texts: [...], ms }` — the
//! QR texts found and the decode time. One [`QrScanner`] and one pixel buffer serve every
//! frame: nothing of frame size is allocated after the first.
//!
//! A frame's whole work is [`scan_frame`], which the module also exports as `scanFrame`:
//! DevTools can throttle a page's CPU but refuses a worker's ("only supported for pages"), so
//! `scripts/perf` loads this same module into a throttled page and times `scanFrame` there.
//! Loaded outside a worker, the module only exports it.

#[cfg(target_arch = "wasm32")]
mod worker {
    use std::cell::RefCell;

    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;

    use pingyi::domain::qr_frame::QrScanner;

    thread_local! {
        /// The scanner and the frame's copy in wasm memory, kept from one frame to the next.
        static SCANNER: RefCell<(QrScanner, Vec<u8>)> = RefCell::new((QrScanner::new(), Vec::new()));
    }

    /// The QR texts in one RGBA frame of `width` × `height` pixels, as a JS array of strings.
    /// The copy out of the JS array is part of the work.
    #[wasm_bindgen(js_name = scanFrame)]
    pub fn scan_frame(width: u32, height: u32, pixels: &js_sys::Uint8ClampedArray) -> js_sys::Array {
        let texts = SCANNER.with_borrow_mut(|(scanner, buffer)| {
            buffer.resize(pixels.length() as usize, 0);
            pixels.copy_to(buffer);
            scanner.scan_rgba(width as usize, height as usize, buffer)
        });
        texts.into_iter().map(JsValue::from).collect()
    }

    pub fn run() {
        // A page that loads the module to time `scanFrame` is not a worker: nothing to listen to.
        let Ok(scope) = js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>() else {
            return;
        };
        let reply = scope.clone();
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let data = event.data();
                let field = |name: &str| js_sys::Reflect::get(&data, &name.into()).unwrap_or_default();
                let width = field("width").as_f64().unwrap_or(0.0) as u32;
                let height = field("height").as_f64().unwrap_or(0.0) as u32;
                let clock = reply.performance();
                let start = clock.as_ref().map_or(0.0, web_sys::Performance::now);
                let found = scan_frame(width, height, &js_sys::Uint8ClampedArray::new(&field("pixels")));
                let ms = clock.as_ref().map_or(0.0, web_sys::Performance::now) - start;
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
}

#[cfg(target_arch = "wasm32")]
fn main() {
    worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("qr_worker runs in the browser, as the host's scanner web worker");
}
