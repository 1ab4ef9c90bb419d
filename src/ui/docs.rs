//! Loads the documentation `kubectl explain` prints (`explain.json`, ~75 KB compressed) after the
//! page has started, so it stays out of the first-load bundle.
//!
//! Fetched with `web_sys::Window::fetch_with_str` and `wasm_bindgen_futures::JsFuture` rather
//! than gloo's `net` feature: both crates are already in the bundle (yew uses them), and this needs
//! one GET of a text file, not gloo-net's request builder, JSON helpers and extra web-sys types.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::kubectl::explain;

/// Starts fetching `explain.json` (next to `index.html`) and installs it into the kubectl layer
/// when it arrives; a failure is recorded so `kubectl explain` can say why it has no docs.
pub fn load_explain_docs() {
    wasm_bindgen_futures::spawn_local(async {
        let result = match fetch_text("explain.json").await {
            Ok(text) => explain::install(&text),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            explain::install_failed(&e);
        }
    });
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| format!("could not fetch {url}"))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| format!("no response for {url}"))?;
    if !response.ok() {
        return Err(format!("HTTP {} for {url}", response.status()));
    }
    let text = response
        .text()
        .map_err(|_| format!("could not read {url}"))?;
    let text = JsFuture::from(text)
        .await
        .map_err(|_| format!("could not read {url}"))?;
    text.as_string().ok_or_else(|| format!("{url} is not text"))
}
