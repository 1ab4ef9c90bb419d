//! The `kubeplay` binary: the web page when compiled to WebAssembly, the command-line runner natively.

#[cfg(target_arch = "wasm32")]
fn main() {
    kubeplay::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(kubeplay::cli::main());
}
