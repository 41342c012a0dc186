//! The host's webcam and the QR scanner worker: start the camera into a `<video>`, grab
//! 640 × 480 frames, hand them to the worker (a second wasm, loaded only here), stop.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Where trunk puts the worker's loader (see index.html, `data-type="worker"`).
const WORKER_URL: &str = "./qr_worker_loader.js";

/// Why scanning cannot start, in words for the host.
pub fn camera_unavailable_reason() -> Option<&'static str> {
    if !super::platform::is_secure_context() {
        return Some(
            "摄像头只能在 https 或 localhost 页面中使用：请用 https 地址打开评议，或在本机用 localhost 打开。 The camera works only on https or localhost pages: open Pingyi over https, or via localhost on this laptop.",
        );
    }
    let has_devices = web_sys::window()
        .map(|w| js_sys::Reflect::get(&w.navigator(), &"mediaDevices".into()).unwrap_or_default())
        .is_some_and(|d| !d.is_undefined() && !d.is_null());
    (!has_devices).then_some("此浏览器不支持摄像头 — this browser offers no camera")
}

/// Starts the camera and shows it in `video`.
pub async fn start_camera(video: &web_sys::HtmlVideoElement) -> Result<web_sys::MediaStream, String> {
    if let Some(reason) = camera_unavailable_reason() {
        return Err(reason.to_owned());
    }
    let devices = web_sys::window()
        .ok_or("no window")?
        .navigator()
        .media_devices()
        .map_err(|e| format!("{e:?}"))?;
    let constraints = web_sys::MediaStreamConstraints::new();
    let video_wanted = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&video_wanted, &"width".into(), &640.into());
    let _ = js_sys::Reflect::set(&video_wanted, &"height".into(), &480.into());
    let _ = js_sys::Reflect::set(&video_wanted, &"facingMode".into(), &"environment".into());
    constraints.set_video(&video_wanted);
    constraints.set_audio(&false.into());
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|e| format!("{e:?}"))?;
    let stream: web_sys::MediaStream = JsFuture::from(promise)
        .await
        .map_err(|e| {
            format!("无法打开摄像头（请允许使用摄像头）— cannot open the camera (allow camera access): {e:?}")
        })?
        .unchecked_into();
    video.set_muted(true);
    let _ = video.set_attribute("playsinline", "");
    video.set_src_object(Some(&stream));
    if let Ok(play) = video.play() {
        let _ = JsFuture::from(play).await;
    }
    Ok(stream)
}

/// Stops every track of the camera stream.
pub fn stop_camera(stream: &web_sys::MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// The scanner worker and its message handler (kept alive together).
pub struct QrWorker {
    worker: web_sys::Worker,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

/// What the scanner worker says.
pub enum WorkerReply {
    /// It listens: frames may be sent.
    Ready,
    /// The QR texts found in one frame, and the decode time in ms.
    Decoded { texts: Vec<String>, ms: f64 },
}

impl QrWorker {
    /// Starts the worker; `on_result` hears [`WorkerReply::Ready`] once the worker listens (a
    /// frame sent before that would be lost), then the texts found in each frame.
    pub fn start(mut on_result: impl FnMut(WorkerReply) + 'static) -> Result<QrWorker, String> {
        let worker = web_sys::Worker::new(WORKER_URL).map_err(|e| format!("scanner worker: {e:?}"))?;
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let data = event.data();
                if js_sys::Reflect::get(&data, &"ready".into())
                    .ok()
                    .and_then(|v| v.as_bool())
                    == Some(true)
                {
                    return on_result(WorkerReply::Ready);
                }
                let texts = js_sys::Reflect::get(&data, &"texts".into())
                    .ok()
                    .map(|t| {
                        js_sys::Array::from(&t)
                            .iter()
                            .filter_map(|v| v.as_string())
                            .collect()
                    })
                    .unwrap_or_default();
                let ms = js_sys::Reflect::get(&data, &"ms".into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .unwrap_or(0.0);
                on_result(WorkerReply::Decoded { texts, ms });
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Ok(QrWorker {
            worker,
            _on_message: on_message,
        })
    }

    /// Sends the current video frame to the worker; false when the video has no frame yet.
    pub fn send_frame(&self, video: &web_sys::HtmlVideoElement, canvas: &web_sys::HtmlCanvasElement) -> bool {
        let (w, h) = (video.video_width(), video.video_height());
        if w == 0 || h == 0 {
            return false;
        }
        // Setting a canvas's size clears and reallocates it: only when the camera's size changes.
        if canvas.width() != w || canvas.height() != h {
            canvas.set_width(w);
            canvas.set_height(h);
        }
        let options = web_sys::ContextAttributes2d::new();
        options.set_will_read_frequently(true);
        let Some(ctx) = canvas
            .get_context_with_context_options("2d", &options)
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        else {
            return false;
        };
        if ctx.draw_image_with_html_video_element(video, 0.0, 0.0).is_err() {
            return false;
        }
        let Ok(image) = ctx.get_image_data(0.0, 0.0, f64::from(w), f64::from(h)) else {
            return false;
        };
        // The frame's own pixel array goes to the worker as it is (transferred, not copied):
        // `ImageData::data()` would copy it into wasm memory and back out again.
        let Ok(pixels) = js_sys::Reflect::get(&image, &"data".into())
            .and_then(|data| data.dyn_into::<js_sys::Uint8ClampedArray>())
        else {
            return false;
        };
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"width".into(), &w.into());
        let _ = js_sys::Reflect::set(&message, &"height".into(), &h.into());
        let _ = js_sys::Reflect::set(&message, &"pixels".into(), &pixels);
        let transfer = js_sys::Array::of1(&pixels.buffer());
        self.worker
            .post_message_with_transfer(&message, &transfer)
            .is_ok()
    }
}

impl Drop for QrWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
