//! The browser front end (Yew, client-side rendering).
//!
//! The page is a pure function of the simulation: every tick of a wall-clock interval lets some
//! virtual time pass (unless paused), then the cluster view, the narration and the terminal are
//! redrawn from `Playground::view()` and the decision log. All text that comes from the learner or
//! the simulation is rendered as text nodes (Yew escapes them); nothing is injected as HTML.

mod app;
mod chip;
mod cluster;
mod docs;
mod format;
mod goal;
mod icons;
mod inspector;
mod lesson;
mod modes;
mod terminal;
mod timeline;

pub use app::App;

thread_local! {
    /// The default cluster, booted ahead of the page (see [`kubeplay_preboot`]).
    static PREBOOTED: std::cell::RefCell<Option<crate::kubectl::Shell>> =
        const { std::cell::RefCell::new(None) };
}

/// Boots the default kind cluster (`Shell::new(SimConfig::default())`, what
/// `Playground::new(SimConfig::default())` starts from) and keeps it for the page's first
/// session. The release build runs this at build time: `scripts/preboot.sh` (a Trunk post-build
/// hook) has binaryen's `wasm-ctor-eval` evaluate it and write the resulting
/// memory into the module, so the page starts with the cluster already booted — the same bytes
/// `Playground::new` would build, since the simulation is deterministic and calls nothing outside
/// the module. A module not prepared so (a debug build) boots when the page starts, as before.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn kubeplay_preboot() {
    use std::sync::atomic::Ordering;
    crate::alloc_wasm::ZERO_FREED.store(true, Ordering::Relaxed);
    PREBOOTED.with(|p| {
        let mut p = p.borrow_mut();
        if p.is_none() {
            *p = Some(crate::kubectl::Shell::new(crate::sim::SimConfig::default()));
        }
    });
    crate::alloc_wasm::ZERO_FREED.store(false, Ordering::Relaxed);
}

/// The default cluster for the page's first session, and whether it was booted ahead of time
/// (the page says so in `.app[data-boot=prebooted|at-start]`): the prebooted one, once, else a
/// new boot.
pub(crate) fn first_playground() -> (crate::lessons::Playground, bool) {
    match PREBOOTED.with(|p| p.borrow_mut().take()) {
        Some(shell) => (crate::lessons::Playground::from_shell(shell), true),
        None => (
            crate::lessons::Playground::new(crate::sim::SimConfig::default()),
            false,
        ),
    }
}

/// Mounts the app on `<body>`, taking over index.html's boot prompt and what was typed there.
pub fn start() {
    app::adopt_boot_prompt();
    yew::Renderer::<App>::new().render();
}
