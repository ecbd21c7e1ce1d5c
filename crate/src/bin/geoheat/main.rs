//! `geoheat`: renders a heatmap of GeoJSON points to a PNG from the command line.

mod args;
mod input;
mod tiles;

use args::{Command, RenderArgs, ViewChoice};
use geoheat::engine::{EngineOptions, FailCause, FitOptions, GpuOutcome, Step, world_view};
use geoheat::frame::FrameStats;
use geoheat::points::ColumnKind;
use geoheat::{
    BackendChoice, Engine, Error, GpuRenderer, LayerSpec, LayerStack, Surface, UniformValue, View,
};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    // A bug must still end in one readable line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "geoheat: internal error ({info}); please report it with the input that caused it"
        );
    }));
    match args::parse(std::env::args_os().skip(1)) {
        Ok(Command::Help) => {
            println!("{}", args::USAGE);
            ExitCode::SUCCESS
        }
        Ok(Command::TilesHelp) => {
            println!("{}", tiles::USAGE);
            ExitCode::SUCCESS
        }
        Ok(Command::Tiles(args)) => match tiles::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("geoheat: {message}");
                ExitCode::from(1)
            }
        },
        Ok(Command::Version) => {
            println!("geoheat {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Render(args)) if args.wgsl.is_some() && args.backend == BackendChoice::Cpu => {
            eprintln!("geoheat: --wgsl layers run on the GPU only; add --backend gpu or auto");
            ExitCode::from(2)
        }
        Ok(Command::Render(args)) => match render(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("geoheat: {message}");
                ExitCode::from(1)
            }
        },
        Err(message) => {
            eprintln!("geoheat: {message}\nTry `geoheat --help`.");
            ExitCode::from(2)
        }
    }
}

fn render(args: &RenderArgs) -> Result<(), String> {
    let started = Instant::now();
    let layers = with_wgsl_layer(&args.layers, args.wgsl.as_deref(), &args.uniforms)?;
    let name = args.input.display().to_string();
    let (points, report) = input::load(&args.input, &args.ingest, args.read_mode, args.quiet)
        .map_err(|e| e.message(&name))?;

    // The engine keeps a chosen view and fits the data otherwise: the same rule as a web page.
    let (view, view_explicit, padding) = match args.view {
        ViewChoice::At { center, zoom } => {
            let view = View {
                center,
                zoom,
                width: args.width,
                height: args.height,
                device_pixel_ratio: args.device_pixel_ratio,
            };
            (view, true, FitOptions::default().padding)
        }
        ViewChoice::Fit { padding } => {
            if points.is_empty() {
                return Err(format!(
                    "{name}: no points to fit (use --center and --zoom)"
                ));
            }
            let world = world_view(args.width, args.height, args.device_pixel_ratio);
            (world, false, padding)
        }
    };
    let options = EngineOptions {
        view_explicit,
        style: args.style.clone(),
        backend: args.backend,
        // One frame, drawn at once.
        frame_budget_ms: f64::INFINITY,
        ..EngineOptions::new(view)
    };
    // A clock that stands still: the frame is drawn at `geoheat.time` 0, so animated layers
    // give the same PNG on every run.
    let mut engine = Engine::new(options, || 0.0).map_err(|e| e.to_string())?;
    engine
        .edit_layers(|stack, _| {
            *stack = layers;
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    let fit = FitOptions {
        fit_bounds: None,
        padding,
    };
    engine.load(points, &fit).map_err(|e| e.to_string())?;
    engine
        .set_weight(args.weight.as_ref())
        .and_then(|()| engine.set_filter(args.filter.as_ref()))
        .map_err(|e| e.to_string())?;
    let view = *engine.view();
    let mut surface =
        Surface::new(view.pixel_width(), view.pixel_height()).map_err(|e| e.to_string())?;
    let mut gpu = gpu_renderer(&mut engine, args.quiet)?;
    let (stats, renderer) = match args.frames {
        None => {
            engine
                .set_time_window(args.time_window)
                .map_err(|e| e.to_string())?;
            let drawn = draw(&mut engine, &mut gpu, &mut surface, args.quiet)?;
            write_png(&surface, args, &args.output)?;
            drawn
        }
        Some(frames) => animate(&mut engine, &mut gpu, &mut surface, args, frames)?,
    };

    if !args.quiet {
        let skipped = report.skipped_by_type + report.skipped_by_policy + report.null_geometry;
        eprintln!(
            "geoheat: {} points from {} features ({} skipped) in {:.0} ms; rendered {}x{} at zoom {:.2}, r = {:.1} px on {renderer} in {:.1} ms; wrote {} ({:.0} ms in all)",
            report.points,
            report.features,
            skipped,
            report.elapsed.as_secs_f64() * 1e3,
            stats.width,
            stats.height,
            view.zoom,
            stats.radius_px,
            stats.elapsed.as_secs_f64() * 1e3,
            args.output.display(),
            started.elapsed().as_secs_f64() * 1e3,
        );
    }
    Ok(())
}

fn write_png(surface: &Surface, args: &RenderArgs, path: &Path) -> Result<(), String> {
    let png = surface
        .encode_png(args.compression)
        .map_err(|e| e.to_string())?;
    std::fs::write(path, png).map_err(|e| format!("{}: {e}", path.display()))
}

/// `--frames N`: N windows tiling the `--time-window` (or the data's time span), each written
/// to OUT-0001.png and on. Returns the last frame's statistics and renderer.
fn animate(
    engine: &mut Engine,
    gpu: &mut Option<GpuRenderer>,
    surface: &mut Surface,
    args: &RenderArgs,
    frames: u32,
) -> Result<(FrameStats, String), String> {
    let [start, end] = match args.time_window {
        Some(window) => window,
        None => time_span(engine)?,
    };
    let step = (end - start) / f64::from(frames);
    let stem = args.output.with_extension("");
    let mut last = None;
    for frame in 0..frames {
        let t0 = start + step * f64::from(frame);
        let t1 = if frame + 1 == frames { end } else { t0 + step };
        engine
            .set_time_window(Some([t0, t1]))
            .map_err(|e| e.to_string())?;
        last = Some(draw(engine, gpu, surface, args.quiet)?);
        let path = format!("{}-{:04}.png", stem.display(), frame + 1);
        write_png(surface, args, Path::new(&path))?;
    }
    last.ok_or_else(|| "--frames: no frame drawn".to_string())
}

/// The data's times, from the first to just after the last (a window ends before its end): the
/// next f32 after the last stored time, as windows are compared in the column's f32 offsets.
fn time_span(engine: &Engine) -> Result<[f64; 2], String> {
    let source = engine.scene().source();
    let time = source
        .columns()
        .iter()
        .find(|c| c.kind() == ColumnKind::Time)
        .ok_or("--frames: the data has no time column")?;
    let (lo, hi) = time
        .values()
        .iter()
        .filter(|t| !t.is_nan())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &t| {
            (lo.min(t), hi.max(t))
        });
    if lo > hi {
        return Err(format!(
            "--frames: no feature has a time in \"{}\"",
            time.name()
        ));
    }
    let origin = time.origin();
    Ok([origin + f64::from(lo), origin + f64::from(hi.next_up())])
}

/// The GPU renderer when the backend choice wants one; on failure, the engine's policy says
/// whether to go on on the CPU.
fn gpu_renderer(engine: &mut Engine, quiet: bool) -> Result<Option<GpuRenderer>, String> {
    if !engine.backend_choice().wants_gpu() {
        return Ok(None);
    }
    match GpuRenderer::new_blocking() {
        Ok(renderer) => {
            engine.gpu_ready(renderer.describe());
            Ok(Some(renderer))
        }
        Err(e) => gpu_trouble(engine.gpu_failed(e), quiet).map(|()| None),
    }
}

/// Draws the engine's frame on the backend its policy settles on, into `surface`; returns the
/// stats and what rendered, for the summary line.
fn draw(
    engine: &mut Engine,
    gpu: &mut Option<GpuRenderer>,
    surface: &mut Surface,
    quiet: bool,
) -> Result<(FrameStats, String), String> {
    loop {
        match engine.step() {
            Step::Presented(report) => {
                surface.clone_from(engine.surface());
                return Ok((report.stats, "the CPU".to_string()));
            }
            Step::DrawGpu(frame) => {
                let renderer = gpu
                    .as_mut()
                    .ok_or("internal error: a GPU frame without a GPU renderer")?;
                let result =
                    renderer.render_to_surface_blocking(&frame.scene, &frame.plan, surface);
                let faults = engine.new_faults(renderer.take_faults());
                if !quiet {
                    for fault in faults {
                        eprintln!("geoheat: warning: {fault}");
                    }
                }
                match engine.gpu_frame_done(result) {
                    GpuOutcome::Presented(report) => {
                        return Ok((report.stats, format!("GPU {}", renderer.describe())));
                    }
                    outcome => gpu_trouble(outcome, quiet)?,
                }
            }
            Step::Working => {}
            Step::Failed(e) => return Err(e.to_string()),
            Step::Idle => return Err("internal error: the engine had nothing to draw".into()),
        }
    }
}

/// Reports what the engine made of GPU trouble: a note when it falls back to the CPU, the error
/// (naming what needed the GPU) otherwise.
fn gpu_trouble(outcome: GpuOutcome, quiet: bool) -> Result<(), String> {
    match outcome {
        GpuOutcome::FellBack { reason } => {
            if !quiet {
                eprintln!("geoheat: note: {reason}; rendering on the CPU");
            }
            Ok(())
        }
        GpuOutcome::Failed {
            error,
            cause: FailCause::GpuRequired,
        } => Err(format!("--backend gpu: {error}")),
        GpuOutcome::Failed {
            error,
            cause: FailCause::LayersNeedGpu,
        } => Err(format!("--wgsl layers need the GPU: {error}")),
        GpuOutcome::Failed { error, .. } => Err(error.to_string()),
        GpuOutcome::Presented(_) | GpuOutcome::Stale => Ok(()),
    }
}

/// `layers`, with the custom layer of `wgsl` and its `uniforms` on top (named after the file's
/// stem).
fn with_wgsl_layer(
    layers: &LayerStack,
    wgsl: Option<&Path>,
    uniforms: &[(String, UniformValue)],
) -> Result<LayerStack, String> {
    let mut layers = layers.clone();
    let Some(path) = wgsl else {
        return Ok(layers);
    };
    let file = path.display().to_string();
    let source = std::fs::read_to_string(path).map_err(|e| format!("{file}: {e}"))?;
    let name = path
        .file_stem()
        .map_or("wgsl".into(), |stem| stem.to_string_lossy());
    let spec = LayerSpec {
        uniforms: uniforms.to_vec(),
        ..LayerSpec::custom(&name, &source)
    };
    match layers.add(spec, None) {
        Ok(_) => Ok(layers),
        Err(Error::Wgsl {
            problem,
            message,
            line: Some(line),
            column: Some(column),
            ..
        }) => Err(format!("{file}:{line}:{column}: {problem}: {message}")),
        Err(e) => Err(format!("{file}: {e}")),
    }
}

/// One line that names the file, line:column, byte and feature of a GeoJSON error.
fn located(name: &str, error: &Error) -> String {
    match error {
        Error::GeoJson { problem, at } => {
            let feature = at
                .feature_index
                .map(|i| format!(", feature {i}"))
                .unwrap_or_default();
            format!(
                "{name}:{}:{}: {problem} (byte {}{feature})",
                at.line, at.column, at.byte_offset
            )
        }
        other => format!("{name}: {other}"),
    }
}
