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

/// In the browser: dlmalloc 0.2.14, which uses the initial memory's heap before growing memory
/// (see Cargo.toml and `ui::kubeplay_preboot`).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: alloc_wasm::Alloc = alloc_wasm::Alloc;

#[cfg(target_arch = "wasm32")]
pub(crate) mod alloc_wasm {
    use std::alloc::{GlobalAlloc, Layout};
    use std::sync::atomic::{AtomicBool, Ordering};

    /// While set, freed memory is zeroed first. `ui::kubeplay_preboot` sets it while the build
    /// boots the cluster ahead of time: the memory image written into the module then holds the
    /// live objects and zeros, not the leftovers of everything freed on the way, which would
    /// cost download bytes.
    pub(crate) static ZERO_FREED: AtomicBool = AtomicBool::new(false);

    pub(crate) struct Alloc;

    fn zeroing() -> bool {
        ZERO_FREED.load(Ordering::Relaxed)
    }

    unsafe impl GlobalAlloc for Alloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            dlmalloc::GlobalDlmalloc.alloc(layout)
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            dlmalloc::GlobalDlmalloc.alloc_zeroed(layout)
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            if zeroing() {
                std::ptr::write_bytes(ptr, 0, layout.size());
            }
            dlmalloc::GlobalDlmalloc.dealloc(ptr, layout)
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if !zeroing() {
                return dlmalloc::GlobalDlmalloc.realloc(ptr, layout, new_size);
            }
            let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
                return std::ptr::null_mut();
            };
            let new = self.alloc(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}
