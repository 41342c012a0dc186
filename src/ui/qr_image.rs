//! A QR code drawn as inline SVG (black on white, quiet zone included), scaled by CSS.

use leptos::prelude::*;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The SVG text of `text` as a QR code, or None when it does not fit any QR version.
pub fn qr_svg(text: &str, level: EcLevel) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), level).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .quiet_zone(true)
            .min_dimensions(200, 200)
            .build(),
    )
}

/// The QR code of `text`; `label` names it for screen readers. Shows `too_long` instead when
/// the text does not fit.
#[component]
pub fn QrImage(
    /// What the code carries.
    #[prop(into)]
    text: Signal<String>,
    /// What the image is, for assistive technology.
    label: super::Message,
    /// Error correction level (M for ballots drawn large, L for the long join link).
    level: EcLevel,
    /// Shown when the text does not fit a QR code.
    too_long: super::Message,
) -> impl IntoView {
    let svg = Memo::new(move |_| text.with(|t| qr_svg(t, level)));
    move || match svg.get() {
        Some(svg) => view! { <div class="qr" role="img" aria-label={
            let label = label.clone();
            move || label.text(super::current_locale())
        } inner_html=svg></div> }
        .into_any(),
        None => view! { <p class="notice" data-state="waiting"><super::Said text=too_long.clone() /></p> }
            .into_any(),
    }
}
