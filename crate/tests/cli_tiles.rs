//! `geoheat tiles`: a small pyramid from the bundled earthquakes.
#![cfg(feature = "cli")]

use geoheat::surface::decode_png;
use std::path::{Path, PathBuf};
use std::process::Command;

const EXE: &str = env!("CARGO_BIN_EXE_geoheat");

fn earthquakes() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/data/earthquakes.geojson")
}

#[test]
fn tiles_writes_a_pyramid_of_pngs_that_show_heat() {
    let dir = std::env::temp_dir().join(format!("geoheat-cli-tiles-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(EXE)
        .arg("tiles")
        .arg(earthquakes())
        .args(["-o", dir.to_str().expect("UTF-8 temp path")])
        .args(["--min-zoom", "0", "--max-zoom", "2", "--radius", "10"])
        .args(["--weight-property", "mag", "--invalid-weight", "skip"])
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("zoom 2:"), "a line per zoom: {stderr}");
    // Zoom 0 is the world in one tile; at zoom 1 and 2 the quakes (all round the Pacific, and
    // beyond) heat every tile of zoom 1 and most of zoom 2.
    let mut counts = [0; 3];
    for z in 0..3u32 {
        for x in 0..1u32 << z {
            for y in 0..1u32 << z {
                let path = dir.join(format!("{z}/{x}/{y}.png"));
                if !path.exists() {
                    continue;
                }
                let bytes = std::fs::read(&path).expect("a tile is readable");
                let (w, h, rgba) = decode_png(&bytes).expect("a tile is a PNG");
                assert_eq!((w, h), (256, 256), "{}", path.display());
                assert!(
                    rgba.chunks_exact(4).any(|p| p[3] > 0),
                    "{} shows heat",
                    path.display()
                );
                counts[z as usize] += 1;
            }
        }
    }
    assert_eq!(counts[..2], [1, 4]);
    assert!(counts[2] > 8, "{counts:?}");
    // Each zoom has a tile at the top of the ramp (its maximum) and no more than 4^z tiles.
    let files = std::fs::read_dir(&dir).expect("the pyramid exists").count();
    assert_eq!(files, 3, "one folder per zoom");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tiles_explains_its_mistakes() {
    let out = Command::new(EXE)
        .args([
            "tiles",
            "in.geojson",
            "-o",
            "x",
            "--min-zoom",
            "1",
            "--max-zoom",
            "2",
        ])
        .args(["--tile-size", "300"])
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("256 or 512"), "{stderr}");
    let help = Command::new(EXE)
        .args(["tiles", "--help"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&help.stdout).contains("--min-zoom"));
}
