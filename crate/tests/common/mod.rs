//! Helpers shared by the integration tests: fixed-seed scenes, views, styles and fixtures.
#![allow(dead_code)] // Each test file uses a different subset.

use geoheat::frame::{DensityField, FramePlan, FrameStats, StableMax};
use geoheat::geo;
use geoheat::points::{Column, ColumnKind};
use geoheat::{
    CpuRenderer, HeatStyle, IngestOptions, LayerStack, Normalize, PointBuffer, Radius, Scene,
    Surface, View,
};
#[cfg(feature = "gpu")]
use geoheat::{
    GpuRenderer,
    gpu::{ViewTarget, wgpu},
};

/// The scene of `points` with `style`, `layers` and `geoheat.time` `time_s`, and its plan at
/// `view` with a fresh stable cache: what the tests' loose inputs make.
pub fn scene_and_plan(
    points: &PointBuffer,
    style: &HeatStyle,
    layers: &LayerStack,
    view: &View,
    time_s: f32,
) -> geoheat::Result<(Scene, FramePlan)> {
    let mut scene = Scene::new(points.clone());
    scene.set_style(style.clone())?;
    scene.set_layers(layers.clone());
    scene.set_time_s(time_s)?;
    let plan = FramePlan::new(&scene, view, &mut StableMax::new())?;
    Ok((scene, plan))
}

/// Renders from loose inputs through [`scene_and_plan`].
pub trait RenderLoose {
    fn render_loose(
        &mut self,
        points: &PointBuffer,
        style: &HeatStyle,
        layers: &LayerStack,
        view: &View,
        surface: &mut Surface,
    ) -> geoheat::Result<FrameStats>;
}

impl RenderLoose for CpuRenderer {
    fn render_loose(
        &mut self,
        points: &PointBuffer,
        style: &HeatStyle,
        layers: &LayerStack,
        view: &View,
        surface: &mut Surface,
    ) -> geoheat::Result<FrameStats> {
        let (scene, plan) = scene_and_plan(points, style, layers, view, 0.0)?;
        self.render(&scene, &plan, surface)
    }
}

/// A 64-bit linear congruential generator (Knuth's MMIX constants): fixed seeds, no dependency.
#[derive(Debug, Clone)]
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller).
    pub fn gaussian(&mut self) -> f64 {
        let u1 = self.next_f64().max(1e-300);
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// A view of `width`×`height` CSS pixels over central Europe at zoom 10.
pub fn view(width: u32, height: u32) -> View {
    View {
        center: [10.0, 50.0],
        zoom: 10.0,
        width,
        height,
        device_pixel_ratio: 1.0,
    }
}

/// Appends a point at device pixel `(x, y)` of `view`.
pub fn push_pixel(points: &mut PointBuffer, view: &View, x: f64, y: f64, weight: f32) {
    let [lon, lat] = view.pixel_to_lon_lat([x, y]);
    points.push(lon, lat, weight);
}

/// A few hundred scattered points of weight 1, some up to 40 px outside the view.
pub fn sparse(view: &View) -> PointBuffer {
    let (w, h) = (
        f64::from(view.pixel_width()),
        f64::from(view.pixel_height()),
    );
    let mut rng = Lcg::new(1);
    let mut points = PointBuffer::new();
    for _ in 0..300 {
        let (x, y) = (
            rng.next_f64() * (w + 80.0) - 40.0,
            rng.next_f64() * (h + 80.0) - 40.0,
        );
        push_pixel(&mut points, view, x, y, 1.0);
    }
    points
}

/// `n` points of weight 1 in six Gaussian clusters (σ 5 to 45 px) inside the view.
pub fn clusters(view: &View, n: usize) -> PointBuffer {
    let (w, h) = (
        f64::from(view.pixel_width()),
        f64::from(view.pixel_height()),
    );
    let mut rng = Lcg::new(2);
    let centres: Vec<[f64; 3]> = (0..6)
        .map(|_| {
            [
                w * (0.1 + 0.8 * rng.next_f64()),
                h * (0.1 + 0.8 * rng.next_f64()),
                5.0 + 40.0 * rng.next_f64(),
            ]
        })
        .collect();
    let mut points = PointBuffer::with_capacity(n);
    for k in 0..n {
        let [cx, cy, s] = centres[k % centres.len()];
        let x = (cx + s * rng.gaussian()).clamp(0.0, w);
        let y = (cy + s * rng.gaussian()).clamp(0.0, h);
        push_pixel(&mut points, view, x, y, 1.0);
    }
    points
}

/// Epoch milliseconds of the first time in [`quakes`]: 2024-03-01T00:00:00Z.
pub const QUAKES_T0: f64 = 1_709_251_200_000.0;

/// `n` points in four Gaussian clusters inside the view, weight 1, with columns `mag` (0 to 5;
/// every seventh missing) and `t` (a time within a day of [`QUAKES_T0`]; every eleventh
/// missing), as a load with `properties: ["mag"]` and `time_property: "t"` keeps them.
pub fn quakes(view: &View, n: usize) -> PointBuffer {
    let (w, h) = (
        f64::from(view.pixel_width()),
        f64::from(view.pixel_height()),
    );
    let mut rng = Lcg::new(4);
    let columns = [
        Column::new("mag", ColumnKind::Number),
        Column::new("t", ColumnKind::Time),
    ];
    let mut points = PointBuffer::with_columns(columns);
    for k in 0..n {
        let [cx, cy, s] = [
            [0.3, 0.3, 20.0],
            [0.7, 0.4, 35.0],
            [0.5, 0.7, 10.0],
            [0.2, 0.8, 50.0],
        ][k % 4];
        let x = (w * cx + s * rng.gaussian()).clamp(0.0, w);
        let y = (h * cy + s * rng.gaussian()).clamp(0.0, h);
        push_pixel(&mut points, view, x, y, 1.0);
        let mag = if k % 7 == 3 {
            f64::NAN
        } else {
            5.0 * rng.next_f64()
        };
        let t = if k % 11 == 5 {
            f64::NAN
        } else {
            QUAKES_T0 + 86_400_000.0 * rng.next_f64()
        };
        points.push_values(&[mag, t]);
    }
    points
}

/// The points of `points` that `keep` keeps (given a point's index), with the weight it
/// returns, pushed again one by one: the filtered copy the reference draws, made without the
/// code under test.
pub fn kept_copy(points: &PointBuffer, keep: impl Fn(usize) -> Option<f32>) -> PointBuffer {
    let mut copy = PointBuffer::new();
    for (index, ([x, y], _)) in points.iter_world().enumerate() {
        if let Some(weight) = keep(index) {
            copy.push(geo::world_x_to_lon(x), geo::world_y_to_lat(y), weight);
        }
    }
    copy
}

/// The scene of `points` with `style` and a selection, and its plan at `view`.
pub fn selected_scene(
    points: &PointBuffer,
    style: &HeatStyle,
    weight: Option<&geoheat::expr::Json>,
    filter: Option<&geoheat::expr::Json>,
    window: Option<[f64; 2]>,
    view: &View,
) -> (Scene, FramePlan) {
    let mut scene = Scene::new(points.clone());
    scene.set_style(style.clone()).expect("valid style");
    scene.set_weight(weight).expect("valid weight");
    scene.set_filter(filter).expect("valid filter");
    scene.set_time_window(window).expect("valid window");
    let plan = FramePlan::new(&scene, view, &mut StableMax::new()).expect("valid plan");
    (scene, plan)
}

/// Selections of [`quakes`] and the same selection computed here, point by point: a weight
/// expression, a filter, a time window and all three.
#[allow(clippy::type_complexity)]
pub fn quake_selections(
    points: &PointBuffer,
) -> Vec<(
    &'static str,
    Option<geoheat::expr::Json>,
    Option<geoheat::expr::Json>,
    Option<[f64; 2]>,
    PointBuffer,
)> {
    let mag = |i: usize| points.column("mag").expect("mag").value(i);
    let t = |i: usize| points.column("t").expect("t").value(i);
    let window = [QUAKES_T0 + 21_600_000.0, QUAKES_T0 + 43_200_000.0];
    let in_window = |i: usize| t(i) >= window[0] && t(i) < window[1];
    let doubled = |i: usize| Some(mag(i) * 2.0).filter(|w| !w.is_nan()).map(|w| w as f32);
    vec![
        (
            "weight 2·mag",
            Some(serde_json::json!(["*", ["get", "mag"], 2]).into()),
            None,
            None,
            kept_copy(points, doubled),
        ),
        (
            "filter mag >= 2 or missing",
            None,
            Some(
                serde_json::json!(["any", [">=", ["get", "mag"], 2], ["!", ["has", "mag"]]]).into(),
            ),
            None,
            kept_copy(points, |i| {
                (mag(i) >= 2.0 || mag(i).is_nan()).then_some(1.0)
            }),
        ),
        (
            "window 06:00-12:00",
            None,
            None,
            Some(window),
            kept_copy(points, |i| in_window(i).then_some(1.0)),
        ),
        (
            "all three",
            Some(serde_json::json!("mag").into()),
            Some(serde_json::json!(["<", ["get", "mag"], 4]).into()),
            Some(window),
            kept_copy(points, |i| {
                (in_window(i) && mag(i) < 4.0).then_some(mag(i) as f32)
            }),
        ),
    ]
}

/// 2000 scattered points with log-uniform weights from 1e-3 to 1e3.
pub fn heavy(view: &View) -> PointBuffer {
    let (w, h) = (
        f64::from(view.pixel_width()),
        f64::from(view.pixel_height()),
    );
    let mut rng = Lcg::new(3);
    let mut points = PointBuffer::new();
    for _ in 0..2000 {
        let (x, y) = (rng.next_f64() * w, rng.next_f64() * h);
        let weight = 10f64.powf(rng.next_f64() * 6.0 - 3.0) as f32;
        push_pixel(&mut points, view, x, y, weight);
    }
    points
}

/// The scenes of the mean's parity tests: each with the radii it is drawn at. Weights of 1 give
/// a mean of 1 wherever there is coverage, so those scenes test where the mean has a value; the
/// heavy scene's weights span six decades and the quakes' magnitudes vary between neighbours.
pub fn mean_scenes(view: &View) -> [(&'static str, PointBuffer, &'static [f64]); 4] {
    let quakes = quakes(view, 20_000);
    let mag = quakes.column("mag").expect("mag");
    let by_mag = kept_copy(&quakes, |i| {
        Some(mag.value(i) as f32).filter(|w| !w.is_nan())
    });
    [
        ("sparse", sparse(view), &[10.0, 25.0]),
        ("clusters", clusters(view, 50_000), &[25.0]),
        ("heavy", heavy(view), &[10.0, 25.0]),
        ("quakes by mag", by_mag, &[15.0, 25.0]),
    ]
}

/// The default style with a radius of `radius` CSS pixels and `normalize`.
pub fn style(radius: f64, normalize: Normalize) -> HeatStyle {
    HeatStyle {
        radius: Radius::Pixels(radius),
        normalize,
        ..HeatStyle::default()
    }
}

/// `values / max`, clamped to [0, 1].
pub fn normalized(values: &[f32], max: f32) -> Vec<f32> {
    values.iter().map(|v| (v / max).clamp(0.0, 1.0)).collect()
}

/// The bytes of `tests/data/valid/NAME`.
pub fn valid_fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../tests/data/valid/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// Ingest options with the weight in the `mag` property, as in the fixtures.
pub fn mag() -> IngestOptions {
    IngestOptions {
        weight_property: Some("mag".to_owned()),
        ..IngestOptions::default()
    }
}

/// A 200×100 view centred on the antimeridian at zoom 8: both world copies are on screen.
pub fn antimeridian_view() -> View {
    View {
        center: [180.0, 0.0],
        zoom: 8.0,
        width: 200,
        height: 100,
        device_pixel_ratio: 1.0,
    }
}

/// GPU renders from loose inputs through [`scene_and_plan`].
#[cfg(feature = "gpu")]
pub trait GpuLoose {
    fn surface_loose(
        &mut self,
        points: &PointBuffer,
        style: &HeatStyle,
        layers: &LayerStack,
        view: &View,
        time_s: f32,
        surface: &mut Surface,
    ) -> geoheat::Result<FrameStats>;

    fn view_loose(
        &mut self,
        points: &PointBuffer,
        style: &HeatStyle,
        layers: &LayerStack,
        view: &View,
        target: ViewTarget<'_>,
    ) -> geoheat::Result<FrameStats>;

    fn density_loose(
        &mut self,
        points: &PointBuffer,
        style: &HeatStyle,
        view: &View,
    ) -> geoheat::Result<DensityField>;
}

#[cfg(feature = "gpu")]
impl GpuLoose for GpuRenderer {
    fn surface_loose(
        &mut self,
        points: &PointBuffer,
        style: &HeatStyle,
        layers: &LayerStack,
        view: &View,
        time_s: f32,
        surface: &mut Surface,
    ) -> geoheat::Result<FrameStats> {
        let (scene, plan) = scene_and_plan(points, style, layers, view, time_s)?;
        self.render_to_surface_blocking(&scene, &plan, surface)
    }

    fn view_loose(
        &mut self,
        points: &PointBuffer,
        style: &HeatStyle,
        layers: &LayerStack,
        view: &View,
        target: ViewTarget<'_>,
    ) -> geoheat::Result<FrameStats> {
        let (scene, plan) = scene_and_plan(points, style, layers, view, 0.0)?;
        self.render_to_view_blocking(&scene, &plan, target)
    }

    fn density_loose(
        &mut self,
        points: &PointBuffer,
        style: &HeatStyle,
        view: &View,
    ) -> geoheat::Result<DensityField> {
        let (scene, plan) = scene_and_plan(points, style, &LayerStack::default(), view, 0.0)?;
        self.render_density_blocking(&scene, &plan)
    }
}

/// A renderer on the default adapter. Without one the test fails rather than skips: CI has
/// lavapipe (`apt-get install mesa-vulkan-drivers libvulkan1`).
#[cfg(feature = "gpu")]
pub fn renderer() -> GpuRenderer {
    match GpuRenderer::new_blocking() {
        Ok(renderer) => {
            eprintln!("GPU adapter: {}", renderer.describe());
            renderer
        }
        Err(e) => panic!(
            "no usable GPU adapter ({e}); without a GPU install lavapipe: \
             apt-get install mesa-vulkan-drivers libvulkan1"
        ),
    }
}

/// A `width`×`height` texture on the renderer's device, to render into.
#[cfg(feature = "gpu")]
pub fn texture(
    renderer: &GpuRenderer,
    [width, height]: [u32; 2],
    format: wgpu::TextureFormat,
    usage: wgpu::TextureUsages,
) -> wgpu::Texture {
    renderer.device().create_texture(&wgpu::TextureDescriptor {
        label: None,
        size: wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage,
        view_formats: &[],
    })
}

/// Reads an RGBA8 texture back (test-only: the renderer has its own path).
#[cfg(feature = "gpu")]
pub fn read_texture(renderer: &GpuRenderer, texture: &wgpu::Texture) -> Vec<u8> {
    let size = texture.size();
    let padded = (size.width * 4).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
    let device = renderer.device();
    let buffer = device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: u64::from(padded * size.height),
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_texture_to_buffer(
        texture.as_image_copy(),
        wgpu::TexelCopyBufferInfo {
            buffer: &buffer,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(padded),
                rows_per_image: None,
            },
        },
        size,
    );
    renderer.queue().submit([encoder.finish()]);
    buffer.map_async(wgpu::MapMode::Read, .., |r| r.expect("mapped"));
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .expect("poll");
    let bytes = buffer.get_mapped_range(..).expect("mapped range");
    bytes
        .chunks(padded as usize)
        .flat_map(|row| &row[..size.width as usize * 4])
        .copied()
        .collect()
}
