//! The portable engine, natively: sliced frames under a fake clock, dirty tracking, the fit
//! rules, the fall back after a lost GPU, fault de-duplication and `value_at`.

mod common;

use common::{QUAKES_T0, clusters, quakes, sparse, style, view};
use geoheat::engine::{
    Backend, EngineOptions, FailCause, FitOptions, GpuOutcome, Step, world_view,
};
use geoheat::frame::FrameStats;
use geoheat::{
    BackendChoice, CpuRenderer, Engine, Error, FramePlan, LayerKind, LayerSpec, Normalize,
    PointBuffer, StableMax, Surface, View,
};
use serde_json::json;

/// A clock that advances by `step_ms` every time it is read.
fn ticking(step_ms: f64) -> impl FnMut() -> f64 {
    let mut now = 0.0;
    move || {
        now += step_ms;
        now
    }
}

/// A CPU engine at `view` (explicit when `explicit`) on a clock that ticks 1 ms per reading.
fn cpu_engine(view: View, explicit: bool) -> Engine {
    let options = EngineOptions {
        view_explicit: explicit,
        backend: BackendChoice::Cpu,
        ..EngineOptions::new(view)
    };
    Engine::new(options, ticking(1.0)).expect("valid options")
}

/// Steps until a frame is presented; returns it and how many steps said `Working` first.
fn present(engine: &mut Engine) -> (geoheat::engine::FrameReport, usize) {
    let mut working = 0;
    loop {
        match engine.step() {
            Step::Presented(report) => return (report, working),
            Step::Working => working += 1,
            other => panic!("expected a CPU frame, got {other:?}"),
        }
    }
}

/// The same scene rendered in one call, with a fresh stable cache.
fn one_call(engine: &Engine) -> Vec<u8> {
    let scene = engine.scene().clone();
    let plan = FramePlan::new(&scene, engine.view(), &mut StableMax::new()).expect("valid plan");
    let mut surface = Surface::new(1, 1).expect("valid size");
    CpuRenderer::new()
        .render(&scene, &plan, &mut surface)
        .expect("renders");
    surface.front().to_vec()
}

#[test]
fn a_million_points_are_sliced_under_the_budget_and_give_the_one_call_bytes() {
    let v = view(320, 240);
    let options = EngineOptions {
        view_explicit: true,
        backend: BackendChoice::Cpu,
        frame_budget_ms: 3.0,
        slice_points: 50_000,
        ..EngineOptions::new(v)
    };
    let mut engine = Engine::new(options, ticking(1.0)).expect("valid options");
    engine
        .load(clusters(&v, 1_000_000), &FitOptions::default())
        .expect("loads");
    let (report, working) = present(&mut engine);
    // 20 slices, at most 3 between looks at the clock that pass the budget: several steps.
    assert!(working >= 3, "{working} working steps");
    assert_eq!(report.slices as usize, working + 1);
    assert_eq!(report.points, 1_000_000);
    assert!(report.render_ms <= report.latency_ms);
    assert_eq!(engine.surface().front(), one_call(&engine).as_slice());
    assert_eq!(engine.frames_rendered(), 1);
}

#[test]
fn no_frame_without_a_change() {
    let v = view(64, 48);
    let mut engine = cpu_engine(v, true);
    engine
        .load(sparse(&v), &FitOptions::default())
        .expect("loads");
    present(&mut engine);
    assert!(!engine.busy());
    assert!(matches!(engine.step(), Step::Idle));
    // Setting what is already there changes nothing.
    assert!(!engine.set_view(v).expect("valid view"));
    assert!(
        !engine
            .set_style(engine.scene().style().clone())
            .expect("valid style")
    );
    assert!(matches!(engine.step(), Step::Idle));
    // A bad style is an error and changes nothing either.
    let bad = style(-1.0, Normalize::Viewport);
    assert!(engine.set_style(bad).is_err());
    assert!(matches!(engine.step(), Step::Idle));
    // A real change gets exactly one frame.
    assert!(engine.pan(10.0, 0.0).expect("valid view"));
    assert!(engine.busy());
    present(&mut engine);
    assert!(matches!(engine.step(), Step::Idle));
    assert_eq!(engine.frames_rendered(), 2);
}

#[test]
fn the_first_load_fits_and_a_chosen_view_is_kept_unless_a_load_asks() {
    let world = world_view(400, 300, 1.0);
    let target = view(400, 300);
    let mut engine = cpu_engine(world, false);
    engine
        .load(sparse(&target), &FitOptions::default())
        .expect("loads");
    let fitted = *engine.view();
    assert_ne!(fitted, world, "the first load fits");
    assert!(fitted.zoom > 5.0, "zoomed in on the data: {}", fitted.zoom);

    // Not asked to fit and never chosen: fits again.
    let mut elsewhere = PointBuffer::new();
    elsewhere.push(100.0, -30.0, 1.0);
    elsewhere.push(101.0, -31.0, 1.0);
    engine
        .load(elsewhere.clone(), &FitOptions::default())
        .expect("loads");
    assert_ne!(*engine.view(), fitted);

    // A chosen view stays...
    engine.set_view(world).expect("valid view");
    engine
        .load(sparse(&target), &FitOptions::default())
        .expect("loads");
    assert_eq!(*engine.view(), world);
    // ...unless the load asks to fit.
    let fit = FitOptions {
        fit_bounds: Some(true),
        ..FitOptions::default()
    };
    engine.load(sparse(&target), &fit).expect("loads");
    assert_eq!(*engine.view(), fitted);

    // fit_bounds: false keeps even a view that was never chosen.
    let mut fresh = cpu_engine(world, false);
    let keep = FitOptions {
        fit_bounds: Some(false),
        ..FitOptions::default()
    };
    fresh.load(elsewhere, &keep).expect("loads");
    assert_eq!(*fresh.view(), world);
}

#[test]
fn a_lost_gpu_falls_back_keeping_data_view_style_and_layers() {
    let v = view(96, 64);
    let options = EngineOptions {
        view_explicit: true,
        style: style(10.0, Normalize::Viewport),
        ..EngineOptions::new(v)
    };
    let mut engine = Engine::new(options, ticking(1.0)).expect("valid options");
    assert_eq!(engine.backend(), Backend::Starting);
    assert!(
        matches!(engine.step(), Step::Idle),
        "no frames while starting"
    );
    engine.gpu_ready("fake adapter".into());
    engine
        .load(clusters(&v, 500), &FitOptions::default())
        .expect("loads");
    engine
        .edit_layers(|stack, _| {
            stack.add(LayerSpec::built_in("dots", LayerKind::Points), None)?;
            Ok(())
        })
        .expect("valid layer");

    // One GPU frame goes well.
    let Step::DrawGpu(frame) = engine.step() else {
        panic!("a GPU frame");
    };
    assert_eq!(frame.plan.view(), &v);
    assert!(matches!(engine.step(), Step::Idle), "one frame in flight");
    let stats = FrameStats {
        width: frame.plan.width(),
        height: frame.plan.height(),
        ..FrameStats::default()
    };
    assert!(matches!(
        engine.gpu_frame_done(Ok(stats)),
        GpuOutcome::Presented(_)
    ));
    assert!(!engine.busy());

    // The next one finds the device lost.
    engine.zoom_by(0.5, None).expect("valid view");
    let (points, view, style, layers) = (
        engine.scene().points().revision(),
        *engine.view(),
        engine.scene().style().clone(),
        engine.scene().layers().clone(),
    );
    let Step::DrawGpu(_) = engine.step() else {
        panic!("a GPU frame");
    };
    let lost = Error::GpuLost {
        reason: "destroyed".into(),
    };
    let GpuOutcome::FellBack { reason } = engine.gpu_frame_done(Err(lost)) else {
        panic!("a fall back");
    };
    assert!(reason.contains("destroyed"), "{reason}");
    assert_eq!(engine.backend(), Backend::Cpu);
    assert!(engine.busy(), "the CPU draws the current state next");
    assert_eq!(engine.scene().points().revision(), points);
    assert_eq!(*engine.view(), view);
    assert_eq!(engine.scene().style(), &style);
    assert_eq!(engine.scene().layers(), &layers);
    let (report, _) = present(&mut engine);
    assert_eq!(report.backend, Backend::Cpu);
    assert_eq!(engine.surface().front(), one_call(&engine).as_slice());
    // A GPU frame that ends after the fall back changes nothing.
    assert!(matches!(
        engine.gpu_frame_done(Ok(stats)),
        GpuOutcome::Stale
    ));
}

#[test]
fn a_gpu_only_choice_reports_a_gpu_that_cannot_start() {
    let options = EngineOptions {
        backend: BackendChoice::Gpu,
        ..EngineOptions::new(view(32, 32))
    };
    let mut engine = Engine::new(options, ticking(1.0)).expect("valid options");
    let unavailable = Error::GpuUnavailable {
        reason: "no adapter".into(),
    };
    assert!(matches!(
        engine.gpu_failed(unavailable.clone()),
        GpuOutcome::Failed {
            cause: FailCause::GpuRequired,
            ..
        }
    ));
    assert!(matches!(engine.step(), Step::Idle));
    // Auto takes the CPU instead.
    let mut auto = Engine::new(EngineOptions::new(view(32, 32)), ticking(1.0)).expect("valid");
    assert!(matches!(
        auto.gpu_failed(unavailable),
        GpuOutcome::FellBack { .. }
    ));
    assert_eq!(auto.backend(), Backend::Cpu);
}

#[test]
fn each_faulting_shader_is_reported_once() {
    let mut engine = cpu_engine(view(32, 32), true);
    let fault = || Error::LayerNonFinite {
        layer: "heat".into(),
    };
    let gone = Error::LayerNonFinite {
        layer: "removed".into(),
    };
    assert_eq!(engine.new_faults(vec![fault(), fault(), gone]), [fault()]);
    assert!(engine.new_faults(vec![fault()]).is_empty());
}

#[test]
fn value_at_reads_the_frame_on_screen_and_refreshes_after_gpu_frames() {
    let v = view(64, 48);
    let options = EngineOptions {
        view_explicit: true,
        style: style(8.0, Normalize::Viewport),
        ..EngineOptions::new(v)
    };
    let mut engine = Engine::new(options, ticking(1.0)).expect("valid options");
    engine.gpu_ready("fake adapter".into());
    let points = clusters(&v, 300);
    engine.load(points, &FitOptions::default()).expect("loads");
    assert_eq!(
        engine.value_at(10.0, 10.0).expect("no error"),
        None,
        "no frame yet"
    );
    let Step::DrawGpu(frame) = engine.step() else {
        panic!("a GPU frame");
    };
    engine.gpu_frame_done(Ok(FrameStats::default()));
    // The density of the frame's scene, rendered on the CPU on demand.
    let mut cpu = CpuRenderer::new();
    let mut surface = Surface::new(1, 1).expect("valid size");
    cpu.render(&frame.scene, &frame.plan, &mut surface)
        .expect("renders");
    let (x, y) = (20.5, 30.5);
    let expected = cpu.value_at(x, y);
    assert!(expected.is_some_and(|d| d > 0.0));
    assert_eq!(engine.value_at(x, y).expect("no error"), expected);
    assert_eq!(engine.value_at(-1.0, 0.0).expect("no error"), None);
}

#[test]
fn weight_filter_and_window_redraw_and_a_bad_one_keeps_the_last() {
    let v = view(160, 120);
    let mut engine = cpu_engine(v, true);
    let points = quakes(&v, 5_000);
    let loaded = std::sync::Arc::new(points);
    engine
        .load(std::sync::Arc::clone(&loaded), &FitOptions::default())
        .expect("loads");
    engine
        .set_style(style(10.0, Normalize::Stable))
        .expect("valid style");
    present(&mut engine);
    let plain = engine.surface().front().to_vec();

    engine
        .set_weight(Some(&json!(["get", "mag"]).into()))
        .expect("valid weight");
    let (report, _) = present(&mut engine);
    let weighted = engine.surface().front().to_vec();
    assert_ne!(weighted, plain);
    assert_eq!(weighted, one_call(&engine));
    assert!(
        report.points < loaded.len(),
        "missing magnitudes are left out"
    );

    // A bad weight or filter is an error naming the place; the last one stays, no frame is due.
    let err = engine
        .set_weight(Some(&json!(["*", ["get", "mag"], ["get", "depht"]]).into()))
        .expect_err("not kept");
    assert_eq!(err.code(), "INVALID_EXPRESSION");
    assert!(err.to_string().contains("weight[2][1]"), "{err}");
    let err = engine
        .set_filter(Some(&json!(["all", ["<", ["get", "mag"]]]).into()))
        .expect_err("short");
    assert!(err.to_string().contains("filter[1]"), "{err}");
    assert!(matches!(engine.step(), Step::Idle));
    assert_eq!(engine.scene().points().total_weight(), {
        let mag = loaded.column("mag").expect("kept");
        (0..loaded.len())
            .map(|i| mag.value(i) as f32)
            .filter(|w| !w.is_nan())
            .map(f64::from)
            .sum::<f64>()
    });

    // The source is never copied or parsed again: the scene still holds the loaded points.
    engine
        .set_filter(Some(&json!([">", ["get", "mag"], 3]).into()))
        .expect("valid filter");
    assert!(std::ptr::eq(engine.scene().source(), &*loaded));
    present(&mut engine);

    // The stable normalisation is that of every window: the same in each.
    let day = [QUAKES_T0, QUAKES_T0 + 86_400_000.0];
    let mut maxima = Vec::new();
    for hour in [0.0, 8.0, 16.0] {
        let start = day[0] + hour * 3_600_000.0;
        engine
            .set_time_window(Some([start, start + 8.0 * 3_600_000.0]))
            .expect("valid window");
        let (report, _) = present(&mut engine);
        maxima.push(report.stats.normalize_max);
    }
    assert!(
        maxima.iter().all(|m| *m == maxima[0] && *m > 0.0),
        "{maxima:?}"
    );
    assert!(engine.set_time_window(Some([day[1], day[0]])).is_err());
    engine.set_time_window(None).expect("no window");
    let (report, _) = present(&mut engine);
    assert_eq!(report.stats.normalize_max, maxima[0]);
}
