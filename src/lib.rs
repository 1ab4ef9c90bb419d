//! kubeplay: a Kubernetes control plane simulated deterministically, driven by kubectl, taught by lessons.
//!
//! Layers, one direction only (see ARCHITECTURE.md):
//! `ui` (Yew, browser only) -> `lessons` -> `kubectl` -> `sim`.

pub mod kubectl;
pub mod lessons;
pub mod sim;
pub mod sort;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

#[cfg(target_arch = "wasm32")]
pub mod ui;
