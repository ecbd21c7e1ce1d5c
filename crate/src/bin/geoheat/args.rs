//! Command-line arguments of `geoheat render`, parsed into the library's option types.

use crate::input::ReadMode;
use geoheat::expr::Json;
use geoheat::ingest::{InvalidPolicy, LineAndPolygonPolicy};
use geoheat::style::parse_css_color;
use geoheat::surface::PngCompression;
use geoheat::{
    Aggregation, BackendChoice, Blend, ColorRamp, HeatStyle, IngestOptions, LayerKind, LayerSpec,
    LayerStack, Normalize, Radius, UniformValue,
};
use lexopt::prelude::*;
use std::path::PathBuf;

pub const USAGE: &str = "\
Renders a density heatmap of GeoJSON points to a PNG.

Usage: geoheat render INPUT.geojson|- -o OUT.png [options]
       geoheat tiles INPUT.geojson|- -o DIR --min-zoom Z --max-zoom Z [options]
         (an XYZ pyramid of heat tiles; see `geoheat tiles --help`)

View (default: fit the data):
  --width PX, --height PX     image size in CSS pixels [1024 x 768]
  --dpr RATIO                 device pixels per CSS pixel [1]
  --center LON,LAT --zoom Z   show this centre at this zoom (world = 512 * 2^Z px wide)
  --fit                       fit the data's bounds (the default)
  --padding PX                padding around fitted data [20]
Style:
  --radius PX                 kernel radius in CSS pixels [25]
  --radius-meters M           kernel radius in metres on the ground
  --intensity X               multiplies every weight [1]
  --normalize MODE            stable | viewport | fixed:MAX [stable]
  --ramp NAME|STOPS           classic | viridis | magma | greys, or \"0:#0000ff00,0.5:lime,1:red\" [classic]
  --opacity A                 0..1 [1]
  --threshold T               leave normalised values below T transparent [0]
  --aggregate sum|mean        sum the weights under each pixel, or average them (fading
                              to 0 where less than one kernel's worth of points is near) [sum]
Layers (bottom first; the heat layer comes first unless listed):
  --layer KIND[:KEY=V,...]    add a layer, repeatable. KIND and its keys:
                                heat
                                points: radius=PX [2.5], color=CSS [#ffffffe6]
                                contours: interval=0..1 [0.2], width=PX [1.5],
                                  color=CSS [#ffffffd9], fill=0..1 [0]
                              every kind also takes opacity=0..1 [1] and
                              blend=normal|add|multiply [normal]; e.g.
                              --layer contours:interval=0.1,fill=0.3 --layer points:radius=2
  --wgsl FILE                 a custom layer on top of the others: FILE defines
                              `fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32>`
                              (GPU only: needs --backend gpu or auto)
  --uniform NAME=VALUE        a uniform of the --wgsl layer, repeatable, in the order of its
                              `Uniforms` struct: 1 to 4 numbers (f32, vec2..vec4) or a CSS
                              colour (vec4); e.g. --uniform bands=6 --uniform tint=#ff000080
Data:
  --weight-property NAME      feature property holding the weight [every point weighs 1]
  --invalid-weight POLICY     error | skip: non-numeric or negative weights [error]
  --out-of-range POLICY       error | skip: coordinates outside lon/lat range [error]
  --lines-and-polygons P      skip | vertices [skip]
  --max-points N              refuse an input that makes more than N points [50000000]
  --stream                    read the input in pieces as it is parsed, in memory that does
                              not grow with the file (only the points do); files of 256 MiB
                              and more are always streamed
  --properties A,B,...        numeric properties to keep for --weight-expr and --filter
  --weight-expr JSON          weight by an expression of kept properties: \"mag\",
                              '[\"get\",\"mag\"]', '[\"*\",[\"get\",\"mag\"],2]'; points
                              whose weight is missing or negative are left out
  --filter JSON               draw only points that pass a MapLibre-style filter of kept
                              properties: all, any, !, has, in, ==, !=, <, <=, >, >=; e.g.
                              '[\"all\",[\">=\",[\"get\",\"mag\"],4],[\"<\",[\"get\",\"depth\"],70]]'
Time:
  --time-property NAME        property holding each feature's time: epoch milliseconds or
                              ISO 8601 (2024-03-01, 2024-03-01T12:00:00.5Z, ...+02:00)
  --time-window T0,T1         draw only points with T0 <= time < T1 (ms or ISO 8601)
  --frames N                  write N frames, OUT-0001.png ..., whose windows tile the
                              --time-window (or the data's time span); colours mean the same
                              in every frame (with --normalize stable or fixed)
Output:
  -o, --output OUT.png        where to write the PNG
  --compression LEVEL         fast | balanced | best [balanced]
  --backend cpu|gpu|auto      renderer: cpu; gpu (fails if no GPU with float32 blending);
                              auto (gpu when available, else cpu with a note) [cpu]
  -q, --quiet                 no summary or progress on stderr
  -h, --help, -V, --version";

/// Where the view comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewChoice {
    Fit { padding: f64 },
    At { center: [f64; 2], zoom: f64 },
}

/// A parsed `geoheat render` command.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderArgs {
    pub input: PathBuf,
    pub output: PathBuf,
    pub width: u32,
    pub height: u32,
    pub device_pixel_ratio: f64,
    pub view: ViewChoice,
    pub style: HeatStyle,
    /// The default (heat only) unless `--layer` is given.
    pub layers: LayerStack,
    pub ingest: IngestOptions,
    /// `--stream`, or whole and in one pass for files below the threshold.
    pub read_mode: ReadMode,
    pub compression: PngCompression,
    /// The CPU unless asked: its output is the same on every machine.
    pub backend: BackendChoice,
    /// A custom WGSL layer drawn on top of `layers`.
    pub wgsl: Option<PathBuf>,
    /// Uniforms of the `--wgsl` layer, in declaration order.
    pub uniforms: Vec<(String, UniformValue)>,
    /// `--weight-expr`, as JSON (compiled against the kept properties after the load).
    pub weight: Option<Json>,
    /// `--filter`, as JSON.
    pub filter: Option<Json>,
    /// `--time-window`, in epoch milliseconds.
    pub time_window: Option<[f64; 2]>,
    /// `--frames`: an animation of this many windows.
    pub frames: Option<u32>,
    pub quiet: bool,
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    Render(Box<RenderArgs>),
    Tiles(Box<crate::tiles::TilesArgs>),
    /// `geoheat tiles --help`.
    TilesHelp,
    Help,
    Version,
}

pub fn parse(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Command, String> {
    let mut parser = lexopt::Parser::from_args(args);
    let err = |e: lexopt::Error| e.to_string();
    match parser.next().map_err(err)? {
        Some(Value(v)) if v == "render" => {}
        Some(Value(v)) if v == "tiles" => {
            return Ok(crate::tiles::parse(&mut parser)?
                .map_or(Command::TilesHelp, |a| Command::Tiles(Box::new(a))));
        }
        Some(Short('h') | Long("help")) | None => return Ok(Command::Help),
        Some(Short('V') | Long("version")) => return Ok(Command::Version),
        Some(other) => {
            return Err(format!(
                "{}; the commands are `geoheat render` and `geoheat tiles`",
                other.unexpected()
            ));
        }
    }
    let mut input = None;
    let mut output = None;
    let (mut width, mut height, mut device_pixel_ratio) = (1024, 768, 1.0);
    let (mut center, mut zoom, mut fit, mut padding) = (None, None, false, 20.0);
    let mut style = HeatStyle::default();
    let mut layers = Vec::new();
    let mut ingest = IngestOptions::default();
    let mut read_mode = ReadMode::Auto;
    let mut compression = PngCompression::default();
    let mut backend = BackendChoice::Cpu;
    let (mut weight, mut filter, mut time_window, mut frames) = (None, None, None, None);
    let mut wgsl = None;
    let mut uniforms = Vec::new();
    let mut quiet = false;
    while let Some(arg) = parser.next().map_err(err)? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('o') | Long("output") => {
                output = Some(PathBuf::from(parser.value().map_err(err)?))
            }
            Long("width") => width = number(&mut parser, "--width")?,
            Long("height") => height = number(&mut parser, "--height")?,
            Long("dpr") => device_pixel_ratio = number(&mut parser, "--dpr")?,
            Long("center") => center = Some(lon_lat(&text(&mut parser)?)?),
            Long("zoom") => zoom = Some(number(&mut parser, "--zoom")?),
            Long("fit") => fit = true,
            Long("padding") => padding = number(&mut parser, "--padding")?,
            Long("radius") => style.radius = Radius::Pixels(number(&mut parser, "--radius")?),
            Long("radius-meters") => {
                style.radius = Radius::Meters(number(&mut parser, "--radius-meters")?)
            }
            Long("intensity") => style.intensity = number(&mut parser, "--intensity")?,
            Long("normalize") => style.normalize = normalize(&text(&mut parser)?)?,
            Long("ramp") => {
                style.ramp = ColorRamp::parse(&text(&mut parser)?).map_err(|e| e.to_string())?
            }
            Long("opacity") => style.opacity = number(&mut parser, "--opacity")?,
            Long("threshold") => style.threshold = number(&mut parser, "--threshold")?,
            Long("aggregate") => {
                style.aggregation =
                    Aggregation::parse(&text(&mut parser)?).map_err(|e| e.to_string())?
            }
            Long("layer") => layers.push(text(&mut parser)?),
            Long("weight-property") => ingest.weight_property = Some(text(&mut parser)?),
            Long("invalid-weight") => {
                ingest.invalid_weight = policy(&text(&mut parser)?, "--invalid-weight")?
            }
            Long("out-of-range") => {
                ingest.out_of_range = policy(&text(&mut parser)?, "--out-of-range")?
            }
            Long("lines-and-polygons") => {
                ingest.lines_and_polygons = match text(&mut parser)?.as_str() {
                    "skip" => LineAndPolygonPolicy::Skip,
                    "vertices" => LineAndPolygonPolicy::Vertices,
                    other => {
                        return Err(format!(
                            "--lines-and-polygons takes skip or vertices, not {other:?}"
                        ));
                    }
                }
            }
            Long("max-points") => ingest.max_points = number(&mut parser, "--max-points")?,
            Long("stream") => read_mode = ReadMode::Stream,
            Long("compression") => {
                compression = match text(&mut parser)?.as_str() {
                    "fast" => PngCompression::Fast,
                    "balanced" => PngCompression::Balanced,
                    "best" => PngCompression::Best,
                    other => {
                        return Err(format!(
                            "--compression takes fast, balanced or best, not {other:?}"
                        ));
                    }
                }
            }
            Long("backend") => {
                let name = text(&mut parser)?;
                backend = BackendChoice::parse(&name)
                    .ok_or_else(|| format!("--backend takes cpu, gpu or auto, not {name:?}"))?;
            }
            Long("wgsl") => wgsl = Some(PathBuf::from(parser.value().map_err(err)?)),
            Long("uniform") => uniforms.push(uniform(&text(&mut parser)?)?),
            Long("properties") => {
                let list = text(&mut parser)?;
                ingest.properties = list.split(',').map(str::to_owned).collect();
            }
            Long("weight-expr") => weight = Some(json(&text(&mut parser)?, "--weight-expr")?),
            Long("filter") => filter = Some(json(&text(&mut parser)?, "--filter")?),
            Long("time-property") => ingest.time_property = Some(text(&mut parser)?),
            Long("time-window") => time_window = Some(window(&text(&mut parser)?)?),
            Long("frames") => frames = Some(number(&mut parser, "--frames")?),
            Short('q') | Long("quiet") => quiet = true,
            Value(v) if input.is_none() => input = Some(PathBuf::from(v)),
            other => return Err(other.unexpected().to_string()),
        }
    }
    let input = input.ok_or("missing INPUT (a GeoJSON file, or - for standard input)")?;
    let output = output.ok_or("missing -o OUT.png")?;
    let view = match (center, zoom, fit) {
        (Some(_), Some(_), true) => {
            return Err("--fit cannot be combined with --center/--zoom".into());
        }
        (Some(center), Some(zoom), false) => ViewChoice::At { center, zoom },
        (None, None, _) => ViewChoice::Fit { padding },
        _ => return Err("--center and --zoom go together".into()),
    };
    style.validate().map_err(|e| e.to_string())?;
    let layers = layer_stack(&layers)?;
    ingest.validate().map_err(|e| e.to_string())?;
    if (time_window.is_some() || frames.is_some()) && ingest.time_property.is_none() {
        return Err("--time-window and --frames need --time-property NAME".into());
    }
    if frames == Some(0) {
        return Err("--frames: give at least 1".into());
    }
    if wgsl.is_none() && !uniforms.is_empty() {
        return Err("--uniform sets uniforms of a --wgsl layer; give --wgsl FILE".into());
    }
    Ok(Command::Render(Box::new(RenderArgs {
        input,
        output,
        width,
        height,
        device_pixel_ratio,
        view,
        style,
        layers,
        ingest,
        read_mode,
        compression,
        backend,
        wgsl,
        uniforms,
        weight,
        filter,
        time_window,
        frames,
        quiet,
    })))
}

/// A JSON value given to `flag`.
fn json(value: &str, flag: &str) -> Result<Json, String> {
    serde_json::from_str::<serde_json::Value>(value)
        .map(Json::from)
        .map_err(|e| format!("{flag}: {value:?} is not JSON ({e})"))
}

/// `T0,T1`: two times, each epoch milliseconds or ISO 8601, the first before the second.
fn window(value: &str) -> Result<[f64; 2], String> {
    let time = |t: &str| {
        t.trim()
            .parse::<f64>()
            .ok()
            .filter(|ms| ms.is_finite())
            .or_else(|| geoheat::iso8601::parse_ms(t.trim()))
            .ok_or_else(|| {
                format!(
                    "--time-window: {t:?} is neither epoch milliseconds nor ISO 8601 \
                     (2024-03-01 or 2024-03-01T12:00:00Z)"
                )
            })
    };
    match value.split_once(',') {
        Some((t0, t1)) => {
            let window = [time(t0)?, time(t1)?];
            geoheat::select::check_window(window).map_err(|e| format!("--time-window: {e}"))?;
            Ok(window)
        }
        None => Err(format!("--time-window: expected T0,T1, found {value:?}")),
    }
}

pub(crate) fn text(parser: &mut lexopt::Parser) -> Result<String, String> {
    parser
        .value()
        .map_err(|e| e.to_string())?
        .string()
        .map_err(|e| e.to_string())
}

pub(crate) fn number<T: std::str::FromStr>(
    parser: &mut lexopt::Parser,
    flag: &str,
) -> Result<T, String> {
    let value = text(parser)?;
    value
        .trim()
        .parse()
        .map_err(|_| format!("{flag} takes a number, not {value:?}"))
}

fn lon_lat(value: &str) -> Result<[f64; 2], String> {
    let bad = || format!("--center takes LON,LAT (e.g. -122.4,37.8), not {value:?}");
    let (lon, lat) = value.split_once(',').ok_or_else(bad)?;
    Ok([
        lon.trim().parse().map_err(|_| bad())?,
        lat.trim().parse().map_err(|_| bad())?,
    ])
}

fn normalize(value: &str) -> Result<Normalize, String> {
    match value {
        "stable" => Ok(Normalize::Stable),
        "viewport" => Ok(Normalize::Viewport),
        _ => match value.strip_prefix("fixed:").map(str::parse) {
            Some(Ok(max)) => Ok(Normalize::Fixed(max)),
            _ => Err(format!(
                "--normalize takes stable, viewport or fixed:MAX, not {value:?}"
            )),
        },
    }
}

/// The stack of the `--layer` specs in order, the heat layer first unless one of them is heat
/// (the default stack when there are none). Layers are named after their kind: `points`,
/// `points-2`, ...
fn layer_stack(specs: &[String]) -> Result<LayerStack, String> {
    let parsed = specs
        .iter()
        .map(|given| {
            layer_spec(given)
                .map(|spec| (spec, given))
                .map_err(|e| format!("--layer {given:?}: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut stack = if parsed.iter().any(|(spec, _)| spec.kind == LayerKind::Heat) {
        LayerStack::empty()
    } else {
        LayerStack::default()
    };
    for (spec, given) in parsed {
        let kind = spec.kind.name();
        let name = (1..)
            .map(|n| match n {
                1 => kind.to_string(),
                n => format!("{kind}-{n}"),
            })
            .find(|name| stack.get(name).is_none())
            .unwrap_or_default();
        stack
            .add(LayerSpec { name, ..spec }, None)
            .map_err(|e| format!("--layer {given:?}: {e}"))?;
    }
    Ok(stack)
}

/// One `KIND[:KEY=VALUE,...]` spec, unnamed. `color` takes a CSS colour (commas inside `rgb()`
/// belong to the value), `opacity` and `blend` set the layer's, other keys are its uniforms.
fn layer_spec(given: &str) -> Result<LayerSpec, String> {
    let (kind, settings) = given.split_once(':').unwrap_or((given, ""));
    let kind = LayerKind::parse(kind.trim()).ok_or_else(|| {
        format!(
            "the kind is one of {}, not {kind:?}",
            LayerKind::BUILT_IN.join(", ")
        )
    })?;
    let mut spec = LayerSpec::built_in("", kind);
    for (key, value) in key_values(settings)? {
        match key {
            "opacity" => {
                spec.opacity = value
                    .parse()
                    .map_err(|_| format!("opacity takes a number, not {value:?}"))?
            }
            "blend" => {
                spec.blend = Blend::parse(&value)
                    .ok_or_else(|| format!("blend is {}, not {value:?}", Blend::NAMES.join(", ")))?
            }
            "color" => {
                let rgba = parse_css_color(&value).map_err(|e| e.to_string())?;
                let color = UniformValue::Vec4(rgba.map(|c| f32::from(c) / 255.0));
                spec.uniforms.push((key.to_string(), color));
            }
            _ => {
                let number = value
                    .parse()
                    .map_err(|_| format!("{key} takes a number, not {value:?}"))?;
                spec.uniforms
                    .push((key.to_string(), UniformValue::F32(number)));
            }
        }
    }
    Ok(spec)
}

/// One `NAME=VALUE` of `--uniform`: 1 to 4 comma-separated numbers, or a CSS colour as a vec4 in
/// [0, 1].
fn uniform(given: &str) -> Result<(String, UniformValue), String> {
    let (name, value) = given
        .split_once('=')
        .ok_or_else(|| format!("--uniform takes NAME=VALUE, not {given:?}"))?;
    let numbers: Result<Vec<f32>, _> = value.split(',').map(|v| v.trim().parse()).collect();
    let value = match numbers {
        Ok(numbers) => UniformValue::from_slice(&numbers)
            .ok_or_else(|| format!("--uniform {name}: 1 to 4 numbers, not {}", numbers.len()))?,
        Err(_) => {
            let rgba = parse_css_color(value)
                .map_err(|e| format!("--uniform {name}: not numbers or a colour ({e})"))?;
            UniformValue::Vec4(rgba.map(|c| f32::from(c) / 255.0))
        }
    };
    Ok((name.trim().to_string(), value))
}

/// Splits `a=1,b=rgb(1, 2, 3)` into trimmed pairs: a part without `=` continues the value before
/// it, so colours keep their commas.
fn key_values(settings: &str) -> Result<Vec<(&str, String)>, String> {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if settings.trim().is_empty() {
        return Ok(pairs);
    }
    for part in settings.split(',') {
        match (part.split_once('='), pairs.last_mut()) {
            (Some((key, value)), _) => pairs.push((key.trim(), value.trim().to_string())),
            (None, Some((_, value))) => {
                value.push(',');
                value.push_str(part.trim());
            }
            (None, None) => return Err(format!("expected KEY=VALUE, not {part:?}")),
        }
    }
    Ok(pairs)
}

pub(crate) fn policy(value: &str, flag: &str) -> Result<InvalidPolicy, String> {
    match value {
        "error" => Ok(InvalidPolicy::Error),
        "skip" => Ok(InvalidPolicy::Skip),
        _ => Err(format!("{flag} takes error or skip, not {value:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geoheat::layer::Capabilities;

    fn parse_str(line: &str) -> Result<Command, String> {
        parse(line.split_whitespace().map(Into::into))
    }

    #[test]
    fn defaults_fit_the_data() {
        let Ok(Command::Render(args)) = parse_str("render in.geojson -o out.png") else {
            panic!("parses")
        };
        assert_eq!((args.width, args.height), (1024, 768));
        assert_eq!(args.view, ViewChoice::Fit { padding: 20.0 });
        assert_eq!(args.style, HeatStyle::default());
        assert_eq!(args.backend, BackendChoice::Cpu);
    }

    #[test]
    fn every_option_reaches_its_field() {
        let line = "render - -o o.png --width 300 --height 200 --dpr 2 --center -122.5,37.75 --zoom 9.5 \
                    --radius 12 --intensity 2 --normalize fixed:40 --ramp viridis --opacity 0.5 --threshold 0.1 \
                    --weight-property mag --invalid-weight skip --out-of-range skip --lines-and-polygons vertices \
                    --compression fast --backend auto --max-points 1000 --stream -q";
        let Ok(Command::Render(a)) = parse_str(line) else {
            panic!("parses")
        };
        assert_eq!(a.input, PathBuf::from("-"));
        assert_eq!((a.width, a.height, a.device_pixel_ratio), (300, 200, 2.0));
        assert_eq!(
            a.view,
            ViewChoice::At {
                center: [-122.5, 37.75],
                zoom: 9.5
            }
        );
        assert_eq!(a.style.radius, Radius::Pixels(12.0));
        assert_eq!(a.style.normalize, Normalize::Fixed(40.0));
        assert_eq!(
            (a.style.opacity, a.style.threshold, a.style.intensity),
            (0.5, 0.1, 2.0)
        );
        assert_eq!(a.ingest.weight_property.as_deref(), Some("mag"));
        assert_eq!(a.ingest.invalid_weight, InvalidPolicy::Skip);
        assert_eq!(a.ingest.lines_and_polygons, LineAndPolygonPolicy::Vertices);
        assert_eq!(a.compression, PngCompression::Fast);
        assert_eq!(a.backend, BackendChoice::Auto);
        assert_eq!(a.ingest.max_points, 1000);
        assert_eq!(a.read_mode, ReadMode::Stream);
        assert!(a.quiet);
    }

    #[test]
    fn usage_gives_the_defaults_of_max_points_and_streaming() {
        let max_points = format!("[{}]", geoheat::ingest::DEFAULT_MAX_POINTS);
        let threshold = format!("{} MiB", crate::input::STREAM_THRESHOLD_BYTES >> 20);
        assert!(USAGE.contains(&max_points) && USAGE.contains(&threshold));
        let Ok(Command::Render(a)) = parse_str("render a -o b") else {
            panic!("parses")
        };
        assert_eq!(a.read_mode, ReadMode::Auto);
        let message = parse_str("render a -o b --max-points many").expect_err("not a number");
        assert!(message.contains("--max-points takes a number"), "{message}");
    }

    #[test]
    fn selection_and_time_options_reach_their_fields() {
        let line = r#"render a -o b --properties mag,depth --weight-expr ["get","mag"] --filter [">",["get","depth"],10] --time-property t --time-window 2024-03-01,1709337600000 --frames 24"#;
        let Ok(Command::Render(a)) = parse_str(line) else {
            panic!("parses")
        };
        assert_eq!(a.ingest.properties, ["mag", "depth"]);
        assert_eq!(a.ingest.time_property.as_deref(), Some("t"));
        assert_eq!(a.weight, Some(serde_json::json!(["get", "mag"]).into()));
        assert_eq!(
            a.filter,
            Some(serde_json::json!([">", ["get", "depth"], 10]).into())
        );
        assert_eq!(
            a.time_window,
            Some([1_709_251_200_000.0, 1_709_337_600_000.0])
        );
        assert_eq!(a.frames, Some(24));
        for (line, needle) in [
            ("render a -o b --filter [oops", "--filter"),
            ("render a -o b --time-window 1,2", "--time-property"),
            (
                "render a -o b --time-property t --time-window 2,1",
                "start < end",
            ),
            (
                "render a -o b --time-property t --time-window 2024-02-30,2",
                "ISO 8601",
            ),
            ("render a -o b --time-property t --frames 0", "--frames"),
            ("render a -o b --properties m,m", "more than once"),
        ] {
            let err = parse_str(line).expect_err(line);
            assert!(err.contains(needle), "{line}: {err}");
        }
    }

    #[test]
    fn layers_stack_on_the_heat_in_order() {
        let line = "render a -o b --layer contours:interval=0.1,width=1,fill=0.35 \
                    --layer points:radius=2,color=#ffffffcc,opacity=0.5,blend=add --layer points";
        let Ok(Command::Render(a)) = parse_str(line) else {
            panic!("parses")
        };
        let names: Vec<&str> = a.layers.layers().iter().map(|l| l.name()).collect();
        assert_eq!(names, ["heat", "contours", "points", "points-2"]);
        let contours = a.layers.get("contours").expect("added");
        assert_eq!(
            [
                contours.uniform_f32("interval"),
                contours.uniform_f32("fill")
            ],
            [0.1, 0.35]
        );
        let points = a.layers.get("points").expect("added");
        assert_eq!(points.uniform_vec4("color"), [1.0, 1.0, 1.0, 0.8]);
        assert_eq!((points.opacity(), points.blend()), (0.5, Blend::Add));
        // Without --layer, the default stack.
        let Ok(Command::Render(a)) = parse_str("render a -o b") else {
            panic!("parses")
        };
        assert!(a.layers.is_plain_heat(Capabilities::GPU));
    }

    #[test]
    fn a_listed_heat_layer_keeps_its_place_and_colours_keep_their_commas() {
        let line = "render a -o b --layer points:color=rgba(255,0,0,0.5),radius=3 --layer heat:opacity=0.5";
        let Ok(Command::Render(a)) = parse_str(line) else {
            panic!("parses")
        };
        let names: Vec<&str> = a.layers.layers().iter().map(|l| l.name()).collect();
        assert_eq!(names, ["points", "heat"]);
        let points = &a.layers.layers()[0];
        assert_eq!(points.uniform_vec4("color"), [1.0, 0.0, 0.0, 128.0 / 255.0]);
        assert_eq!(points.uniform_f32("radius"), 3.0);
        assert_eq!(a.layers.layers()[1].opacity(), 0.5);
    }

    #[test]
    fn uniforms_are_numbers_or_colours_in_order() {
        let Command::Render(a) = parse_str(
            "render a -o b --wgsl x.wgsl --uniform bands=6 --uniform at=1,2 --uniform tint=#ff000080",
        )
        .expect("valid") else {
            panic!("not a render");
        };
        assert_eq!(
            a.uniforms,
            [
                ("bands".to_string(), UniformValue::F32(6.0)),
                ("at".to_string(), UniformValue::Vec2([1.0, 2.0])),
                (
                    "tint".to_string(),
                    UniformValue::Vec4([1.0, 0.0, 0.0, 128.0 / 255.0])
                ),
            ]
        );
    }

    #[test]
    fn mistakes_are_explained() {
        for (line, needle) in [
            ("render in.geojson", "missing -o"),
            ("render -o x.png", "missing INPUT"),
            ("render a -o b --zoom 3", "go together"),
            ("render a -o b --radius wide", "--radius takes a number"),
            ("render a -o b --normalize max", "--normalize takes"),
            (
                "render a -o b --backend tpu",
                "--backend takes cpu, gpu or auto",
            ),
            ("render a -o b --opacity 2", "opacity"),
            ("draw a", "the commands are"),
            (
                "render a -o b --layer glow",
                "the kind is one of heat, points",
            ),
            ("render a -o b --layer points:size=3", "no uniform `size`"),
            (
                "render a -o b --layer points:radius=big",
                "radius takes a number",
            ),
            ("render a -o b --layer points:radius", "expected KEY=VALUE"),
            (
                "render a -o b --layer points:blend=screen",
                "blend is normal",
            ),
            ("render a -o b --layer points:opacity=2", "outside [0, 1]"),
            ("render a -o b --layer contours:color=ink", "unknown colour"),
            ("render a -o b --layer contours:width=1e99", "not finite"),
            ("render a -o b --uniform k=1", "give --wgsl FILE"),
            ("render a -o b --wgsl x.wgsl --uniform k", "NAME=VALUE"),
            (
                "render a -o b --wgsl x.wgsl --uniform k=1,2,3,4,5",
                "1 to 4 numbers",
            ),
            (
                "render a -o b --wgsl x.wgsl --uniform k=zz",
                "not numbers or a colour",
            ),
        ] {
            let message = parse_str(line).expect_err(line);
            assert!(message.contains(needle), "{line}: {message}");
        }
    }
}
