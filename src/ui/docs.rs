//! Loads the documentation `kubectl explain` prints (`explain.json`, ~57 KB brotli) when a line
//! that runs `kubectl explain` is first entered, so it stays out of the first load (the service
//! worker keeps a copy for offline use). The app holds that line until the file has arrived.
//! Lesson files are fetched the same way when a lesson is first opened. Before what was fetched is
//! opened, the second part of a split release module is waited for (`module_complete`,
//! `when_module_complete`: the code that opens it is mostly there).
//!
//! Fetched with `web_sys::Window::fetch_with_str` and `wasm_bindgen_futures::JsFuture` rather
//! than gloo's `net` feature: both crates are already in the bundle (yew uses them), and this needs
//! one GET of a text file, not gloo-net's request builder, JSON helpers and extra web-sys types.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::kubectl::explain;

use std::cell::Cell;

thread_local! {
    static STARTED: Cell<bool> = const { Cell::new(false) };
    /// `window.kubeplayRestReady()` has settled once: the rest is in, or will not come by waiting.
    static REST_SETTLED: Cell<bool> = const { Cell::new(false) };
}

/// Starts fetching `explain.json` (next to `index.html`), once, and installs it into the kubectl
/// layer when it arrives; a failure is recorded so `kubectl explain` can say why it has no docs.
/// `done` is called when it has been installed or has failed.
pub fn load_explain_docs(done: yew::Callback<()>) {
    if STARTED.with(|s| s.replace(true)) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let fetched = fetch_text("explain.json").await;
        rest_of_module().await;
        let result = match fetched {
            Ok(text) => explain::install(&text),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            explain::install_failed(&e);
        }
        done.emit(());
    });
}

/// Whether the whole module is in. A release build's module comes in two parts
/// (scripts/split.sh): what a start runs, and the rest, loaded once the page has started;
/// `window.kubeplayRestReady` (scripts/split-glue.mjs) is there only then, and `<html data-split>`
/// says how far the rest has come. A build with the module whole has neither.
pub fn module_complete() -> bool {
    if REST_SETTLED.with(Cell::get) || rest_ready().is_none() {
        return true;
    }
    let state = gloo::utils::document()
        .document_element()
        .and_then(|e| e.get_attribute("data-split"));
    // "primary": the rest could not be fetched; waiting longer would not bring it (the first call
    // into it tries again, synchronously, and says what went wrong).
    matches!(
        state.as_deref(),
        Some("background" | "on-demand" | "before-start" | "primary")
    )
}

/// Waits until the whole module is in, or its second part has failed to load (then the first
/// call into it says why). Whatever opens a fetched lesson, kubectl explain's documents or a share
/// link's replay waits for this first: that code is mostly in the second part, and calling it
/// before would load that part synchronously, the page frozen meanwhile.
async fn rest_of_module() {
    if module_complete() {
        return;
    }
    let Some(ready) = rest_ready() else {
        return;
    };
    if let Ok(promise) = ready
        .call0(&wasm_bindgen::JsValue::UNDEFINED)
        .and_then(|p| p.dyn_into::<js_sys::Promise>())
    {
        let _ = JsFuture::from(promise).await;
    }
    // Whatever it came to: what waited goes on, and nothing waits for it again.
    REST_SETTLED.with(|s| s.set(true));
}

/// `window.kubeplayRestReady`, which only a split module's page has.
fn rest_ready() -> Option<js_sys::Function> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &"kubeplayRestReady".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()
}

/// Calls `done` once the whole module is in ([`rest_of_module`]).
pub fn when_module_complete(done: yew::Callback<()>) {
    wasm_bindgen_futures::spawn_local(async move {
        rest_of_module().await;
        done.emit(());
    });
}

/// Makes lesson `id`'s file available to `lessons::find_lesson`: at once if it already is, else
/// after fetching `lessons/<file>` (next to `index.html`; Trunk copies `static/lessons/` there).
/// `done` gets the outcome: `Err` says why the file could not be had.
pub fn load_lesson(id: &str, done: yew::Callback<Result<(), String>>) {
    if crate::lessons::lesson_file_ready(id) {
        done.emit(Ok(()));
        return;
    }
    let Some(file) = crate::lessons::lesson_file_name(id) else {
        done.emit(Err(format!("there is no lesson {id:?}")));
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let fetched = fetch_text(&format!("lessons/{file}")).await;
        rest_of_module().await;
        let result = fetched.map(|text| crate::lessons::install_lesson_file(file, &text));
        done.emit(result);
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
