//! Embeds every lesson file in `static/lessons/` into the binary: a teacher adds a lesson by
//! dropping a YAML file there and rebuilding. Writes `$OUT_DIR/lesson_files.rs`, a list of
//! (file name, contents) pairs that `src/lessons/catalog.rs` includes.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // Read at run time (not `env!`): a build script binary can be reused from another checkout
    // sharing the target directory, and must still list *this* package's lessons.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let dir = Path::new(&manifest_dir).join("static").join("lessons");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<(String, String)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let path = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            let is_yaml = name.ends_with(".yaml") || name.ends_with(".yml");
            if is_yaml && path.is_file() && !name.starts_with('.') {
                println!("cargo:rerun-if-changed={}", path.display());
                files.push((name, path.display().to_string()));
            }
        }
    }
    files.sort();
    let mut out = String::from("/// Lesson files embedded at build time: (file name, YAML text).\npub static LESSON_FILES: &[(&str, &str)] = &[\n");
    for (name, path) in &files {
        let _ = writeln!(out, "    ({name:?}, include_str!({path:?})),");
    }
    out.push_str("];\n");
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(e) = std::fs::write(Path::new(&out_dir).join("lesson_files.rs"), out) {
        panic!("build.rs: cannot write lesson_files.rs: {e}");
    }
}
