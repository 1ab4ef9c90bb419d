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

/// Mounts the app on `<body>`.
pub fn start() {
    yew::Renderer::<App>::new().render();
}
