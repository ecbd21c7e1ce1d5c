//! Copies geoheat's WGSL (`shaders/`, reached through the `crate/shaders` link) into `OUT_DIR`
//! without comments, indentation and blank lines: `src/shaders.rs` embeds these copies, and the
//! comments, which are for readers of `shaders/`, would otherwise be a tenth of the page's wasm.
//! Layer errors keep their line numbers: a layer's own source comes first in its module and is
//! never minified (the examples in `shaders/examples` are not embedded at all).

use std::fs;
use std::io;
use std::path::Path;

fn main() -> io::Result<()> {
    let out = std::env::var_os("OUT_DIR").ok_or_else(|| io::Error::other("OUT_DIR is not set"))?;
    println!("cargo::rerun-if-changed=shaders");
    copy(Path::new("shaders"), &Path::new(&out).join("shaders"))
}

fn copy(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let path = entry?.path();
        let Some(name) = path.file_name() else {
            continue;
        };
        if path.is_dir() {
            if name != "examples" {
                copy(&path, &to.join(name))?;
            }
        } else if path.extension().is_some_and(|e| e == "wgsl") {
            fs::write(to.join(name), minify(&fs::read_to_string(&path)?))?;
        }
    }
    Ok(())
}

/// WGSL has no string literals, so `//` always starts a line comment; geoheat's shaders use no
/// block comments.
fn minify(wgsl: &str) -> String {
    let mut out = String::with_capacity(wgsl.len() / 2);
    for line in wgsl.lines() {
        let code = line.split_once("//").map_or(line, |(code, _)| code).trim();
        if !code.is_empty() {
            out.push_str(code);
            out.push('\n');
        }
    }
    out
}
