//! The `geoheat` command line: golden PNGs, error lines, standard input, progress.
#![cfg(feature = "cli")]

use geoheat::surface::decode_png;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const EXE: &str = env!("CARGO_BIN_EXE_geoheat");

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("geoheat-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir is writable");
    dir.join(name)
}

fn geoheat(args: &[&str]) -> Output {
    Command::new(EXE)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// The scene of tests/golden/earthquakes-california.png, after the input path; the browser tests
/// render the same scene and expect the same bytes.
const CALIFORNIA: &[&str] = &[
    "--weight-property",
    "mag",
    "--invalid-weight",
    "skip",
    "--center",
    "-120,37",
    "--zoom",
    "4",
    "--width",
    "400",
    "--height",
    "300",
    "--radius",
    "25",
    "--normalize",
    "viewport",
];

/// Renders a scene and compares its pixels with a golden PNG in tests/golden/. With
/// `GEOHEAT_UPDATE_GOLDEN=1` the golden is rewritten instead (review the image before committing).
fn assert_golden(golden: &str, args: &[&str]) {
    let out = temp(golden);
    let out_str = out.to_str().expect("temp paths are UTF-8");
    let mut all = vec!["render"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", out_str, "-q"]);
    let result = geoheat(&all);
    assert!(
        result.status.success(),
        "geoheat failed: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    let golden_path = repo(&format!("tests/golden/{golden}"));
    if std::env::var_os("GEOHEAT_UPDATE_GOLDEN").is_some() {
        std::fs::copy(&out, &golden_path).expect("golden is writable");
    }
    let actual =
        decode_png(&std::fs::read(&out).expect("output written")).expect("output is a PNG");
    let expected =
        decode_png(&std::fs::read(&golden_path).expect("golden exists")).expect("golden is a PNG");
    assert_eq!(
        (actual.0, actual.1),
        (expected.0, expected.1),
        "{golden}: size"
    );
    let differing = actual
        .2
        .iter()
        .zip(&expected.2)
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(
        differing, 0,
        "{golden}: {differing} bytes differ from the golden"
    );
}

#[test]
fn earthquakes_over_california_match_the_golden() {
    // The browser test renders this same scene on Canvas 2D and expects the same bytes.
    let input = repo("www/data/earthquakes.geojson");
    assert_golden(
        "earthquakes-california.png",
        &[&[input.to_str().expect("UTF-8")], CALIFORNIA].concat(),
    );
}

#[test]
fn fitted_world_view_with_another_ramp_matches_the_golden() {
    let input = repo("www/data/earthquakes.geojson");
    assert_golden(
        "earthquakes-world-viridis.png",
        &[
            input.to_str().expect("UTF-8"),
            "--weight-property",
            "mag",
            "--invalid-weight",
            "skip",
            "--width",
            "512",
            "--height",
            "256",
            "--dpr",
            "2",
            "--radius",
            "8",
            "--ramp",
            "viridis",
            "--opacity",
            "0.8",
            "--normalize",
            "stable",
        ],
    );
}

#[test]
fn contours_and_points_layers_match_the_golden() {
    let input = repo("www/data/earthquakes.geojson");
    assert_golden(
        "earthquakes-california-layers.png",
        &[
            &[input.to_str().expect("UTF-8")],
            CALIFORNIA,
            &[
                "--layer",
                "contours:interval=0.2,width=1,fill=0.35",
                "--layer",
                "points:radius=1.5,color=#ffffffcc",
            ],
        ]
        .concat(),
    );
}

#[test]
fn bad_layers_are_usage_errors_and_the_gpu_draws_stacks() {
    let result = geoheat(&[
        "render",
        "x.geojson",
        "-o",
        "x.png",
        "--layer",
        "points:radius=big",
    ]);
    assert_eq!(result.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr
            .lines()
            .next()
            .is_some_and(|l| l.contains("--layer \"points:radius=big\": radius takes a number")),
        "{stderr}"
    );
    let input = repo("www/data/earthquakes.geojson");
    let result = geoheat(&[
        "render",
        input.to_str().expect("UTF-8"),
        "-o",
        "/dev/null",
        "--backend",
        "gpu",
        "--layer",
        "points",
    ]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert!(
        stderr.contains("on GPU "),
        "the GPU draws the stack: {stderr}"
    );
}

#[test]
fn gpu_backend_renders_the_golden_scene_within_the_cpu_tolerance() {
    // Needs a GPU adapter with float32 blending (lavapipe without a GPU): fails, never skips.
    let input = repo("www/data/earthquakes.geojson");
    let out = temp("gpu-california.png");
    let result = geoheat(
        &[
            &["render", input.to_str().expect("UTF-8")][..],
            CALIFORNIA,
            &["--backend", "gpu", "-o", out.to_str().expect("UTF-8")],
        ]
        .concat(),
    );
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert!(
        stderr.contains("on GPU "),
        "summary names the adapter: {stderr}"
    );
    let actual = decode_png(&std::fs::read(&out).expect("output written")).expect("a PNG");
    let golden = repo("tests/golden/earthquakes-california.png");
    let expected = decode_png(&std::fs::read(golden).expect("golden exists")).expect("a PNG");
    assert_eq!((actual.0, actual.1), (expected.0, expected.1));
    // The golden comes from the fast CPU path, the GPU computes the exact kernel: they differ by
    // the fast path's error (at most 32 per channel, see raster_parity.rs).
    let worst = actual
        .2
        .iter()
        .zip(&expected.2)
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap_or(0);
    assert!(worst <= 32, "max channel difference {worst}");
}

/// Renders the golden scene with `--wgsl` and the given backend; returns the output and the PNG.
fn render_with_wgsl(wgsl: &str, file: &str, backend: &str) -> (Output, PathBuf) {
    let layer = temp(file);
    std::fs::write(&layer, wgsl).expect("writable");
    let input = repo("www/data/earthquakes.geojson");
    let out = temp(&format!("{file}.png"));
    let result = geoheat(
        &[
            &["render", input.to_str().expect("UTF-8")][..],
            CALIFORNIA,
            &[
                "--backend",
                backend,
                "--wgsl",
                layer.to_str().expect("UTF-8"),
                "-o",
                out.to_str().expect("UTF-8"),
            ],
        ]
        .concat(),
    );
    (result, out)
}

#[test]
fn wgsl_layer_draws_over_the_heat_on_the_gpu() {
    let (result, out) = render_with_wgsl(
        "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n    \
         return vec4(0.0, 0.0, 1.0, 0.5);\n}\n",
        "veil.wgsl",
        "gpu",
    );
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let (_, _, rgba) = decode_png(&std::fs::read(&out).expect("output written")).expect("a PNG");
    // The half-transparent veil is everywhere, over transparent pixels and heat alike.
    assert!(rgba.chunks_exact(4).all(|p| p[3] >= 127), "veil missing");
    assert!(rgba.chunks_exact(4).any(|p| p[3] > 200), "heat missing");
}

#[test]
fn an_example_layer_takes_its_uniforms_on_the_command_line() {
    let input = repo("www/data/earthquakes.geojson");
    let bands = repo("shaders/examples/bands.wgsl");
    let out = temp("bands.png");
    let render = |bands_uniform: &str| {
        geoheat(
            &[
                &["render", input.to_str().expect("UTF-8")][..],
                CALIFORNIA,
                &[
                    "--backend",
                    "gpu",
                    // Only the bands: the heat layer is there, fully transparent.
                    "--layer",
                    "heat:opacity=0",
                    "--wgsl",
                    bands.to_str().expect("UTF-8"),
                    "--uniform",
                    bands_uniform,
                    "-o",
                    out.to_str().expect("UTF-8"),
                ],
            ]
            .concat(),
        )
    };
    let result = render("bands=3");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let (_, _, rgba) = decode_png(&std::fs::read(&out).expect("written")).expect("a PNG");
    // Three bands: every drawn pixel is one of at most three opaque colours of the ramp.
    assert!(rgba.chunks_exact(4).all(|p| p[3] == 0 || p[3] == 255));
    let mut colours: Vec<[u8; 4]> = rgba
        .chunks_exact(4)
        .filter(|p| p[3] == 255)
        .map(|p| [p[0], p[1], p[2], p[3]])
        .collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        (1..=3).contains(&colours.len()),
        "{} opaque colours",
        colours.len()
    );
    // Without the uniform the shader's `u` does not exist: a WGSL error at the example's line.
    let result = geoheat(&[
        "render",
        input.to_str().expect("UTF-8"),
        "--backend",
        "gpu",
        "--wgsl",
        bands.to_str().expect("UTF-8"),
        "-o",
        out.to_str().expect("UTF-8"),
    ]);
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("bands.wgsl:5:"));
}

#[test]
fn wgsl_errors_name_file_line_and_column_and_the_cpu_backend_refuses_wgsl() {
    let (result, _) = render_with_wgsl(
        "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n  return vec4(nope);\n}\n",
        "broken.wgsl",
        "gpu",
    );
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    let file = temp("broken.wgsl");
    assert!(
        stderr.starts_with(&format!("geoheat: {}:2:15: ", file.display())),
        "{stderr}"
    );
    assert!(stderr.contains("nope"), "{stderr}");
    let (result, _) = render_with_wgsl("", "cpu.wgsl", "cpu");
    assert_eq!(result.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("GPU only"), "{stderr}");
}

#[test]
fn unknown_backend_is_a_usage_error() {
    let result = geoheat(&["render", "x.geojson", "-o", "x.png", "--backend", "tpu"]);
    assert_eq!(result.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&result.stderr).contains("cpu, gpu or auto"));
}

#[test]
fn bad_input_is_one_line_naming_file_line_column_and_feature() {
    let path = temp("bad.geojson");
    std::fs::write(
        &path,
        "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"properties\":{\"w\":1},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}},\n{\"type\":\"Feature\",\"properties\":{\"w\":\"heavy\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}]}",
    )
    .expect("writable");
    let p = path.to_str().expect("UTF-8");
    let result = geoheat(&["render", p, "--weight-property", "w", "-o", "/dev/null"]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with(&format!("geoheat: {p}:3:")), "{stderr}");
    assert!(
        stderr.contains("feature 1") && stderr.contains("heavy"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn usage_errors_exit_2_and_missing_files_exit_1() {
    let result = geoheat(&["render", "--zoom", "3"]);
    assert_eq!(result.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&result.stderr).contains("--help"));
    let result = geoheat(&["render", "/no/such/file.geojson", "-o", "/dev/null"]);
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("/no/such/file.geojson"));
    let result = geoheat(&["--help"]);
    assert!(
        result.status.success()
            && String::from_utf8_lossy(&result.stdout).contains("Usage: geoheat render")
    );
}

#[test]
fn reads_standard_input() {
    let out = temp("stdin.png");
    let mut child = Command::new(EXE)
        .args([
            "render",
            "-",
            "-o",
            out.to_str().expect("UTF-8"),
            "--width",
            "64",
            "--height",
            "64",
            "-q",
        ])
        .stdin(Stdio::piped())
        .spawn()
        .expect("spawns");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(br#"{"type":"MultiPoint","coordinates":[[10,10],[10.5,10.2]]}"#)
        .expect("writes");
    assert!(child.wait().expect("exits").success());
    let (w, h, pixels) = decode_png(&std::fs::read(&out).expect("written")).expect("PNG");
    assert_eq!((w, h), (64, 64));
    assert!(pixels.chunks(4).any(|p| p[3] > 0), "something was drawn");
}

#[test]
fn large_inputs_report_progress() {
    let path = temp("large.geojson");
    let mut text = String::from("{\"type\":\"FeatureCollection\",\"features\":[");
    let feature = "{\"type\":\"Feature\",\"properties\":{\"note\":\"padding padding padding padding\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[12.5,41.9]}}";
    let count = (11 << 20) / feature.len() + 1;
    for i in 0..count {
        if i > 0 {
            text.push(',');
        }
        text.push_str(feature);
    }
    text.push_str("]}");
    std::fs::write(&path, text).expect("writable");
    let result = geoheat(&[
        "render",
        path.to_str().expect("UTF-8"),
        "-o",
        "/dev/null",
        "--width",
        "64",
        "--height",
        "64",
    ]);
    assert!(result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("parsing 100%"), "{stderr}");
    assert!(stderr.contains(&format!("{count} points")), "{stderr}");
}

#[test]
fn a_filter_draws_what_a_filtered_file_draws_and_frames_tile_the_time_window() {
    let input = repo("www/data/earthquakes.geojson");
    let text = std::fs::read_to_string(&input).expect("the earthquakes");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let features = doc["features"].as_array_mut().expect("features");
    features.retain(|f| f["properties"]["mag"].as_f64().is_some_and(|m| m >= 2.5));
    let kept = temp("quakes-2.5.geojson");
    std::fs::write(&kept, doc.to_string()).expect("writable");
    let view = [
        "--center", "-120,37", "--zoom", "4", "--width", "200", "--height", "150",
    ];
    let render = |input: &Path, extra: &[&str], out: &str| {
        let out = temp(out);
        let mut args = vec!["render", input.to_str().expect("UTF-8")];
        args.extend_from_slice(&view);
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-o", out.to_str().expect("UTF-8"), "-q"]);
        let result = geoheat(&args);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(result.status.success(), "{stderr}");
        out
    };
    let filter = [
        "--properties",
        "mag",
        "--filter",
        r#"[">=", ["get", "mag"], 2.5]"#,
    ];
    let filtered = render(&input, &filter, "filtered.png");
    let copy = render(&kept, &[], "copy.png");
    let pixels = |path: &Path| decode_png(&std::fs::read(path).expect("written")).expect("PNG");
    let (a, b) = (pixels(&filtered), pixels(&copy));
    let worst = a.2.iter().zip(&b.2).map(|(x, y)| x.abs_diff(*y)).max();
    assert!(worst.is_some_and(|w| w <= 8), "max channel diff {worst:?}");

    let frames = [
        "--time-property",
        "time",
        "--time-window",
        "2018-01-31T00:00Z,2018-02-07T00:00Z",
        "--frames",
        "3",
        "--normalize",
        "fixed:3",
    ];
    let out = render(&input, &frames, "week.png");
    let stem = out.with_extension("");
    let frame = |k: u32| pixels(Path::new(&format!("{}-{k:04}.png", stem.display())));
    let shown: Vec<_> = (1..=3).map(frame).collect();
    assert!(
        shown[0].2 != shown[1].2 && shown[1].2 != shown[2].2,
        "each window differs"
    );
    let bad = ["render", input.to_str().expect("UTF-8"), "-o", "y.png"];
    let err = geoheat(
        &[
            &bad[..],
            &["--properties", "mag", "--filter", r#"["<", 1]"#],
        ]
        .concat(),
    );
    let stderr = String::from_utf8_lossy(&err.stderr);
    assert_eq!(err.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("invalid expression at filter:"), "{stderr}");
}

#[test]
fn aggregate_mean_draws_the_reference_mean_and_bad_names_are_usage_errors() {
    use geoheat::raster::metrics::{max_abs_diff_u8, psnr_u8};
    use geoheat::raster::reference;
    use geoheat::{Aggregation, HeatStyle, IngestOptions, Normalize, Radius, Surface, View};
    let input = repo("www/data/earthquakes.geojson");
    let out = |name: &str| temp(name);
    let render = |extra: &[&str], png: &Path| {
        let mut args = vec!["render", input.to_str().expect("UTF-8")];
        args.extend_from_slice(CALIFORNIA);
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-o", png.to_str().expect("UTF-8"), "-q"]);
        let result = geoheat(&args);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(result.status.success(), "{stderr}");
        decode_png(&std::fs::read(png).expect("written")).expect("PNG")
    };
    let mean = render(&["--aggregate", "mean"], &out("mean.png"));
    let sum = render(&["--aggregate", "sum"], &out("sum.png"));
    assert!(mean.2 != sum.2, "the mean is not the sum");

    // The same scene through the library's exact reference.
    let options = IngestOptions {
        weight_property: Some("mag".to_owned()),
        invalid_weight: geoheat::ingest::InvalidPolicy::Skip,
        ..IngestOptions::default()
    };
    let bytes = std::fs::read(&input).expect("the earthquakes");
    let (points, _) = geoheat::ingest_geojson(&bytes, &options).expect("valid GeoJSON");
    let view = View {
        center: [-120.0, 37.0],
        zoom: 4.0,
        width: 400,
        height: 300,
        device_pixel_ratio: 1.0,
    };
    let style = HeatStyle {
        radius: Radius::Pixels(25.0),
        normalize: Normalize::Viewport,
        aggregation: Aggregation::Mean,
        ..HeatStyle::default()
    };
    let mut surface = Surface::new(1, 1).expect("valid size");
    reference::render(&points, &style, &view, &mut surface).expect("reference render");
    let (psnr, worst) = (
        psnr_u8(&mean.2, surface.front()),
        max_abs_diff_u8(&mean.2, surface.front()),
    );
    eprintln!("--aggregate mean against the reference: RGBA PSNR {psnr:.2} dB, max diff {worst}");
    // Measured 35.5 dB: the fast path's density error (see raster_parity) through the classic
    // ramp, whose alpha climbs 10 units per palette index over its first tenth.
    assert!(psnr >= 34.0, "RGBA PSNR {psnr:.2} dB");

    let bad = geoheat(&[
        "render",
        input.to_str().expect("UTF-8"),
        "-o",
        "x.png",
        "--aggregate",
        "median",
    ]);
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("aggregation") && stderr.contains("median"),
        "{stderr}"
    );
}

/// A FeatureCollection of `count` points with a `w` weight, one feature a line, spread over a
/// few clusters; about 110 bytes a feature.
fn point_collection(count: usize) -> String {
    let mut text = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for i in 0..count {
        if i > 0 {
            text.push_str(",\n");
        }
        let (lon, lat) = (
            (i % 7) as f64 * 3.1 + (i % 101) as f64 * 0.013,
            (i % 5) as f64 * 2.7 - (i % 89) as f64 * 0.011,
        );
        text.push_str(&format!(
            "{{\"type\":\"Feature\",\"properties\":{{\"w\":{}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{lon:.5},{lat:.5}]}}}}",
            i % 13
        ));
    }
    text.push_str("\n]}\n");
    text
}

/// The summary line without its timings: the points, features and skipped features, the size
/// and zoom of the frame.
fn summary_counts(stderr: &str) -> String {
    let line = stderr
        .lines()
        .find(|l| l.contains(" points from "))
        .unwrap_or_else(|| panic!("a summary line: {stderr}"));
    let counts = line.split(" in ").next().unwrap_or_default();
    let frame = line.split("; rendered ").nth(1).unwrap_or_default();
    format!(
        "{counts} / {}",
        frame.split(", r =").next().unwrap_or_default()
    )
}

#[test]
fn streamed_input_gives_the_one_shot_points_png_and_errors() {
    // Over 10 MiB, so both paths report progress (which names the path), and the streamed one
    // pushes three 4 MiB reads that cut features apart.
    let text = point_collection(110_000);
    assert!(text.len() > 10 << 20, "{} bytes", text.len());
    let path = temp("stream.geojson");
    std::fs::write(&path, &text).expect("writable");
    let p = path.to_str().expect("UTF-8");
    let render = |extra: &[&str], out: &str| {
        let out = temp(out);
        let mut args = vec!["render", p, "--weight-property", "w", "--width", "200"];
        args.extend_from_slice(&["--height", "150", "-o", out.to_str().expect("UTF-8")]);
        args.extend_from_slice(extra);
        let result = geoheat(&args);
        let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
        assert!(result.status.success(), "{stderr}");
        (std::fs::read(&out).expect("written"), stderr)
    };
    let (whole, whole_stderr) = render(&[], "whole.png");
    let (streamed, streamed_stderr) = render(&["--stream"], "streamed.png");
    assert!(
        whole_stderr.contains("parsing 100%") && !whole_stderr.contains("streaming"),
        "{whole_stderr}"
    );
    assert!(
        streamed_stderr.contains("streaming 100%"),
        "{streamed_stderr}"
    );
    let (whole_summary, streamed_summary) = (
        summary_counts(&whole_stderr),
        summary_counts(&streamed_stderr),
    );
    assert!(
        whole_summary.starts_with("geoheat: 110000 points from 110000 features (0 skipped)"),
        "{whole_summary}"
    );
    assert_eq!(streamed_summary, whole_summary);
    assert!(
        streamed == whole,
        "the streamed PNG differs from the one-shot PNG"
    );

    // A bad weight in the last feature, in the last read: the same line, column, byte and
    // feature.
    let last = "\"w\":10}";
    let at = text.rfind(last).expect("a feature weighs 10");
    let feature = (0..110_000)
        .rev()
        .find(|i| i % 13 == 10)
        .unwrap_or_default();
    let bad = format!(
        "{}\"w\":\"late\"}}{}",
        &text[..at],
        &text[at + last.len()..]
    );
    std::fs::write(&path, bad).expect("writable");
    let fail = |extra: &[&str]| {
        let mut args = vec![
            "render",
            p,
            "--weight-property",
            "w",
            "-o",
            "/dev/null",
            "-q",
        ];
        args.extend_from_slice(extra);
        let result = geoheat(&args);
        assert_eq!(result.status.code(), Some(1));
        String::from_utf8_lossy(&result.stderr).into_owned()
    };
    let whole = fail(&[]);
    assert!(
        whole.contains(&format!("feature {feature})")) && whole.contains("late"),
        "{whole}"
    );
    assert_eq!(fail(&["--stream"]), whole);
}

#[test]
fn max_points_refuses_a_larger_input_naming_the_limit() {
    let path = temp("max-points.geojson");
    std::fs::write(&path, point_collection(50)).expect("writable");
    let p = path.to_str().expect("UTF-8");
    for extra in [&[][..], &["--stream"][..]] {
        let mut args = vec!["render", p, "--max-points", "49", "-o", "/dev/null"];
        args.extend_from_slice(extra);
        let result = geoheat(&args);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(
            stderr.starts_with(&format!("geoheat: {p}:"))
                && stderr.contains("more than 49 points")
                && stderr.contains("feature 49"),
            "{stderr}"
        );
    }
    let mut args = vec!["render", p, "--max-points", "50", "-o", "/dev/null", "-q"];
    assert!(geoheat(&args).status.success());
    args.push("--stream");
    assert!(geoheat(&args).status.success());
}
