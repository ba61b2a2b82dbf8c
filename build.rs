//! Embeds every `processes/*.yaml` in the binary, so `init` and `demo` deploy them all and
//! adding a process is adding a file; likewise every file under `templates/`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=processes");
    println!("cargo:rerun-if-changed=templates");
    // Read at run time: a build script compiled in one checkout may run for another.
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&root).join("processes");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("processes/ is readable")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    names.sort();
    let mut code = String::from("&[\n");
    for name in names {
        let path = dir.join(&name);
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("writing to a String");
    }
    code.push(']');
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("bundled_processes.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
    embed_templates(Path::new(&root));
}

/// `templates/**` as `(path relative to templates/, contents)`, sorted by path.
fn embed_templates(root: &Path) {
    let dir = root.join("templates");
    let mut files = Vec::new();
    collect(&dir, "", &mut files);
    files.sort();
    let mut code = String::from("&[\n");
    for (name, path) in files {
        writeln!(code, "    ({name:?}, include_str!({path:?})),").expect("writing to a String");
    }
    code.push(']');
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("bundled_templates.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

fn collect(dir: &Path, prefix: &str, files: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let path = entry.path();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, &format!("{name}/"), files);
        } else {
            files.push((name, path.display().to_string()));
        }
    }
}
