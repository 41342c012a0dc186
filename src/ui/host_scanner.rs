//! Scanning tablets' hand-in QR codes with the laptop's webcam. The decoder runs in a web
//! worker that is loaded only when scanning starts; every scan is confirmed on screen and
//! announced to screen readers with the count so far.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use leptos::html::{Canvas, Video};
use leptos::prelude::*;

use crate::i18n::{t, t_string, use_i18n};
use crate::msg;
use send_wrapper::SendWrapper;

use super::host_app::host_context;
use super::{Message, Said};
use crate::browser::camera::{QrWorker, WorkerReply, camera_unavailable_reason, start_camera, stop_camera};
use crate::browser::platform;
use crate::domain::collect::Source;
use crate::domain::record::transport::{ChunkProgress, QrReassembly};

/// What is running while the host scans.
struct Running {
    stream: web_sys::MediaStream,
    worker: QrWorker,
    timer: IntervalHandle,
}

/// The scanner panel.
#[component]
pub fn HostScanner() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = host_context();
    let video = NodeRef::<Video>::new();
    let canvas = NodeRef::<Canvas>::new();
    let scanning = RwSignal::new(false);
    let last = RwSignal::new(None::<(Message, &'static str)>);
    let problem = RwSignal::new(camera_unavailable_reason().map(Message::core));
    let decode_ms = RwSignal::new(None::<f64>);
    // Browser objects live on the one UI thread; SendWrapper lets the view's closures hold them.
    let running: SendWrapper<Rc<RefCell<Option<Running>>>> = SendWrapper::new(Rc::new(RefCell::new(None)));
    let busy = SendWrapper::new(Rc::new(RefCell::new(false)));
    let seen: SendWrapper<Rc<RefCell<HashSet<String>>>> =
        SendWrapper::new(Rc::new(RefCell::new(HashSet::new())));
    // A tablet's batch comes as several codes, read in any order, each any number of times.
    let reassembly = SendWrapper::new(Rc::new(RefCell::new(QrReassembly::new())));

    let stop = {
        let running = running.clone();
        move || {
            if let Some(r) = running.borrow_mut().take() {
                r.timer.clear();
                stop_camera(&r.stream);
            }
            scanning.set(false);
        }
    };
    let start = {
        let running = running.clone();
        let ctx = ctx.clone();
        move |_| {
            let (Some(video_el), Some(canvas_el)) = (video.get(), canvas.get()) else {
                return;
            };
            let running = running.clone();
            let busy = busy.clone();
            let seen = seen.clone();
            let reassembly = reassembly.clone();
            let ctx = ctx.clone();
            leptos::task::spawn_local(async move {
                let stream = match start_camera(&video_el).await {
                    Ok(stream) => stream,
                    Err(e) => return problem.set(Some(Message::core(e))),
                };
                let busy_reply = busy.clone();
                let frames = std::cell::Cell::new(0u64);
                // No frame until the new worker says it listens.
                *busy.borrow_mut() = true;
                let worker = QrWorker::start(move |reply| {
                    *busy_reply.borrow_mut() = false;
                    let WorkerReply::Decoded { texts, ms } = reply else {
                        return;
                    };
                    decode_ms.set(Some(ms));
                    // One mark per frame for scripts/perf, the last few hundred kept.
                    frames.set(frames.get() + 1);
                    platform::mark_with(
                        "pingyi:qr-frame",
                        &[("ms", ms), ("codes", texts.len() as f64)],
                        frames.get(),
                        500,
                    );
                    for text in texts {
                        // The tablet cycles its codes: each text is taken in once per scan session.
                        if !seen.borrow_mut().insert(text.clone()) {
                            continue;
                        }
                        let outcome = match reassembly.borrow_mut().add(&text) {
                            Err(e) => (Message::core(e), "fail"),
                            Ok(ChunkProgress::Waiting { seen, total }) => {
                                // Progress shows at once: nothing is stored until the batch is whole.
                                last.set(Some((
                                    msg!(host_scanner.codes_read, seen = seen, total = total),
                                    "waiting",
                                )));
                                continue;
                            }
                            Ok(ChunkProgress::Complete(envelope)) => {
                                let now = platform::now();
                                match ctx.act(|h| h.receive_hand_in(&envelope, Source::Qr, &now)) {
                                    Some(Ok(arrival)) => {
                                        let count: u32 = ctx
                                            .with_host(|h| h.counted_per_group().iter().sum())
                                            .unwrap_or(0);
                                        (
                                            msg!(
                                                host_scanner.scan_outcome,
                                                arrival = super::host_collect::arrival_message(&arrival),
                                                count = count
                                            ),
                                            "pass",
                                        )
                                    }
                                    Some(Err(e)) => (Message::core(e), "fail"),
                                    None => continue,
                                }
                            }
                        };
                        ctx.say(outcome.0.clone());
                        ctx.when_saved(move || last.set(Some(outcome)));
                    }
                });
                let worker = match worker {
                    Ok(worker) => worker,
                    Err(e) => {
                        stop_camera(&stream);
                        return problem.set(Some(Message::core(e)));
                    }
                };
                let tick_running = running.clone();
                let timer = set_interval_with_handle(
                    move || {
                        if *busy.borrow() {
                            return;
                        }
                        if let Some(r) = tick_running.borrow().as_ref()
                            && r.worker.send_frame(&video_el, &canvas_el)
                        {
                            *busy.borrow_mut() = true;
                        }
                    },
                    // A frame goes to the worker as soon as it is free: the decoder runs back
                    // to back, so its own varying time decides when frames are taken and no
                    // fixed period can keep falling on the tablet's code changes.
                    std::time::Duration::from_millis(30),
                );
                match timer {
                    Ok(timer) => {
                        *running.borrow_mut() = Some(Running {
                            stream,
                            worker,
                            timer,
                        });
                        problem.set(None);
                        scanning.set(true);
                    }
                    Err(e) => {
                        stop_camera(&stream);
                        problem.set(Some(Message::core(format!("{e:?}"))));
                    }
                }
            });
        }
    };
    let stop_on_cleanup = stop.clone();
    on_cleanup(stop_on_cleanup);
    view! {
        <section class="panel scanner" aria-labelledby="scanner-title">
            <h2 id="scanner-title">{t!(i18n, host_scanner.scan_the_tablets_hand_in)}</h2>
            <div class="scanner__view" hidden=move || !scanning.get()>
                <video node_ref=video class="scanner__video" aria-label=move || t_string!(i18n, host_scanner.camera_view).to_string()></video>
                <canvas node_ref=canvas hidden=true></canvas>
            </div>
            <div class="actions">
                {move || if scanning.get() {
                    let stop = stop.clone();
                    view! { <button class="button" on:click=move |_| stop()>{t!(i18n, host_scanner.stop_scanning)}</button> }.into_any()
                } else {
                    let start = start.clone();
                    view! { <button class="button" data-variant="primary" on:click=start>{t!(i18n, host_scanner.start_scanning)}</button> }.into_any()
                }}
                {move || decode_ms.get().map(|ms| view! { <span class="scanner__speed">{format!("{ms:.0} ms")} " " {t!(i18n, host_scanner.per_frame)}</span> })}
            </div>
            {move || problem.get().map(|p| view! { <p class="banner" data-state="error" role="alert"><Said text=p /></p> })}
            {move || last.get().map(|(text, state)| view! { <p class="scanner__last" data-state=state data-testid="scan-result"><Said text=text /></p> })}
        </section>
    }
}
