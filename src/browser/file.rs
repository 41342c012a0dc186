//! Reading files the user picked or dropped, as text.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Largest file read; bigger ones are refused before reading (a hostile or mistaken pick).
pub const MAX_FILE_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// The name and text of one file, or a message saying why it cannot be read.
pub async fn read_file(file: web_sys::File) -> (String, Result<String, String>) {
    let name = file.name();
    if file.size() > MAX_FILE_BYTES {
        return (
            name,
            Err("文件超过 64 MiB — the file is larger than 64 MiB".to_owned()),
        );
    }
    let text = JsFuture::from(file.text())
        .await
        .map_err(|e| format!("无法读取文件 — cannot read the file: {e:?}"))
        .and_then(|value| {
            value
                .dyn_into::<js_sys::JsString>()
                .map_err(|_| "文件不是文本 — the file is not text".to_owned())
        })
        .map(String::from);
    (name, text)
}

/// Every file in a file list (from a picker or a drop).
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Reads the file chosen in the `<input type="file">` that fired `event` and hands its name and
/// text — or why it cannot be read — to `then`. Nothing happens when no file was chosen.
pub fn with_chosen_file(
    event: &web_sys::Event,
    then: impl FnOnce(Result<(String, String), String>) + 'static,
) {
    let Some(input) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(result) = read_chosen_file(&input).await {
            then(result);
        }
    });
}

/// The text of the first file chosen in an `<input type="file">`, if any; an error message
/// when the browser cannot read it.
async fn read_chosen_file(input: &web_sys::HtmlInputElement) -> Option<Result<(String, String), String>> {
    let file = input.files()?.get(0)?;
    let (name, text) = read_file(file).await;
    Some(text.map(|t| (name, t)))
}
