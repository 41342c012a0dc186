//! Reading a file the user picked, as text.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The text of the first file chosen in an `<input type="file">`, if any; an error message
/// when the browser cannot read it.
pub async fn read_chosen_file(input: &web_sys::HtmlInputElement) -> Option<Result<(String, String), String>> {
    let file = input.files()?.get(0)?;
    let name = file.name();
    let text = JsFuture::from(file.text())
        .await
        .map_err(|e| format!("{e:?}"))
        .and_then(|value| {
            value
                .dyn_into::<js_sys::JsString>()
                .map_err(|_| "not text".to_owned())
        })
        .map(String::from);
    Some(text.map(|t| (name, t)))
}
