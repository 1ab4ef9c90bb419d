//! Embeds every lesson file in `static/lessons/` into the binary: a teacher adds a lesson by
//! dropping a YAML file there and rebuilding. Writes `$OUT_DIR/lesson_files.rs`, a list of
//! (file name, contents) pairs that `src/lessons/mod.rs` includes, and the lesson map's index
//! (`LESSON_INDEX`: id, title, track, summary, order and number of steps of each file), so the
//! page draws the map at start-up without parsing every lesson (a lesson is parsed when opened).
//! `lessons::tests::index_matches_catalog` checks the index against the full parser.

use std::fmt::Write as _;
use std::path::Path;

/// The fields of a lesson file the map shows; the rest of the file is skipped here.
#[derive(serde::Deserialize)]
struct Card {
    id: String,
    title: String,
    track: String,
    summary: String,
    #[serde(default)]
    order: Option<u32>,
    #[serde(default)]
    steps: Vec<serde::de::IgnoredAny>,
}

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
    let mut cards: Vec<(Card, &str)> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for (name, path) in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        match serde_yaml::from_str::<Card>(&text) {
            Ok(c) => cards.push((c, name)),
            Err(e) => errors.push(format!("{name}: {e}")),
        }
    }
    out.push_str(
        "/// The lesson map's index: (file, id, title, track, summary, order, steps), in file order.\npub static LESSON_INDEX: &[(&str, &str, &str, &str, &str, Option<u32>, usize)] = &[\n",
    );
    for (c, name) in &cards {
        let _ = writeln!(
            out,
            "    ({name:?}, {:?}, {:?}, {:?}, {:?}, {:?}, {}),",
            c.id,
            c.title,
            c.track,
            c.summary,
            c.order,
            c.steps.len()
        );
    }
    out.push_str("];\n/// Lesson files whose map fields could not be read.\npub static INDEX_ERRORS: &[&str] = &[\n");
    for e in &errors {
        let _ = writeln!(out, "    {e:?},");
    }
    out.push_str("];\n");
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(e) = std::fs::write(Path::new(&out_dir).join("lesson_files.rs"), out) {
        panic!("build.rs: cannot write lesson_files.rs: {e}");
    }
}
