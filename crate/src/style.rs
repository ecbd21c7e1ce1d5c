//! [`HeatStyle`]: how density becomes colour (radius, intensity, normalisation, colour ramp).

use crate::error::{Error, Result};
use crate::geo::{self, View};

/// Kernel radius. The kernel is a Gaussian with σ = r/3 over the square |dx|, |dy| ≤ r.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Radius {
    /// CSS pixels; multiplied by the device pixel ratio when rendering.
    Pixels(f64),
    /// Metres on the ground, converted at the view's zoom and centre latitude.
    Meters(f64),
}

impl Radius {
    /// The radius in device pixels for `view`.
    pub fn device_pixels(&self, view: &View) -> f64 {
        match *self {
            Radius::Pixels(px) => px * view.device_pixel_ratio,
            Radius::Meters(m) => {
                m / geo::meters_per_css_pixel(view.center[1], view.zoom) * view.device_pixel_ratio
            }
        }
    }
}

/// How density is scaled to [0, 1] before colouring: `value = clamp(density / max, 0, 1)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Normalize {
    /// A given maximum density.
    Fixed(f32),
    /// The maximum of the current frame: every frame uses the full ramp, colours shift as the map moves.
    Viewport,
    /// The maximum over all the data at the current zoom: it does not change when only the centre
    /// moves, so colours stay put while panning.
    Stable,
}

/// How the kernels of the points under a pixel combine into the value that is coloured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Aggregation {
    /// `Σ wᵢ·K`: the weighted density.
    #[default]
    Sum,
    /// `Σ wᵢ·K / max(Σ K, MEAN_MIN_COVERAGE)`: deck.gl's `MEAN`, the kernel-weighted average of
    /// the weights (in their unit, times the intensity), wherever the coverage `Σ K` reaches
    /// [`MEAN_MIN_COVERAGE`]; below it the value fades to 0 with the coverage (see there).
    Mean,
}

/// The coverage `Σ K` (in units of one kernel's peak, 1) below which a [`Aggregation::Mean`]
/// divides by this instead, so that the value fades to 0 (transparent on the built-in ramps)
/// towards the kernel's edge. Dividing by the coverage itself there would show the ratio of two
/// tails: noise wherever the fast paths' small absolute errors meet a tiny divisor, and a hard
/// edge where the truncated kernel stops (one point's K is exp(−4.5) ≈ 0.011 at its support's
/// sides). At 1, one kernel's peak, a lone point looks as its sum kernel does (its weight at its
/// centre, fading outwards), and wherever a kernel's worth of points overlap the value is the
/// average itself.
pub const MEAN_MIN_COVERAGE: f32 = 1.0;

impl Aggregation {
    /// `"sum"` or `"mean"`.
    pub fn parse(name: &str) -> Result<Self> {
        match name.trim() {
            "sum" => Ok(Self::Sum),
            "mean" => Ok(Self::Mean),
            other => Err(Error::option(
                "aggregation",
                format!("unknown aggregation {other:?}; use \"sum\" or \"mean\""),
            )),
        }
    }

    /// The name [`Aggregation::parse`] reads.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sum => "sum",
            Self::Mean => "mean",
        }
    }
}

/// Straight (not premultiplied) RGBA8.
pub type Rgba = [u8; 4];

/// One stop of a colour ramp.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColorStop {
    /// Position in [0, 1] on the normalised density.
    pub offset: f32,
    pub color: Rgba,
}

/// Colour stops over the normalised density, interpolated linearly in straight RGBA.
#[derive(Debug, Clone, PartialEq)]
pub struct ColorRamp {
    stops: Vec<ColorStop>,
}

/// Names accepted by [`ColorRamp::named`].
pub const RAMP_NAMES: [&str; 4] = ["classic", "viridis", "magma", "greys"];

impl Default for ColorRamp {
    fn default() -> Self {
        Self::named("classic").unwrap_or_else(|| unreachable!("\"classic\" is in RAMP_NAMES"))
    }
}

impl ColorRamp {
    /// A ramp from stops; offsets must be in [0, 1] and not decreasing, and there must be at least one.
    pub fn new(stops: Vec<ColorStop>) -> Result<Self> {
        if stops.is_empty() {
            return Err(Error::option("colorRamp", "needs at least one stop"));
        }
        for (i, stop) in stops.iter().enumerate() {
            if !(0.0..=1.0).contains(&stop.offset) {
                return Err(Error::option(
                    "colorRamp",
                    format!("stop {i} offset {} is outside [0, 1]", stop.offset),
                ));
            }
            if i > 0 && stop.offset < stops[i - 1].offset {
                return Err(Error::option(
                    "colorRamp",
                    format!("stop {i} offset {} is below the one before", stop.offset),
                ));
            }
        }
        Ok(Self { stops })
    }

    /// A built-in ramp by name (see [`RAMP_NAMES`]); each starts transparent so that empty areas
    /// show what is under the heatmap.
    pub fn named(name: &str) -> Option<Self> {
        let hex: &[(f32, u32)] = match name {
            // The blue-cyan-lime-yellow-red ramp of heatmap.js, simpleheat and MapLibre.
            "classic" => &[
                (0.0, 0x0000ff00),
                (0.1, 0x4169e1ff),
                (0.3, 0x00ffffff),
                (0.5, 0x00ff00ff),
                (0.7, 0xffff00ff),
                (1.0, 0xff0000ff),
            ],
            "viridis" => &[
                (0.0, 0x44015400),
                (0.1, 0x482878ff),
                (0.25, 0x3e4989ff),
                (0.4, 0x31688eff),
                (0.55, 0x26828eff),
                (0.7, 0x1f9e89ff),
                (0.8, 0x35b779ff),
                (0.9, 0x6ece58ff),
                (1.0, 0xfde725ff),
            ],
            "magma" => &[
                (0.0, 0x00000400),
                (0.1, 0x1c1044ff),
                (0.3, 0x4f127bff),
                (0.5, 0x812581ff),
                (0.65, 0xb5367aff),
                (0.8, 0xe55964ff),
                (0.9, 0xfb8761ff),
                (1.0, 0xfcfdbfff),
            ],
            "greys" => &[(0.0, 0xffffff00), (1.0, 0x000000ff)],
            _ => return None,
        };
        let stops = hex
            .iter()
            .map(|&(offset, rgba)| ColorStop {
                offset,
                color: rgba.to_be_bytes(),
            })
            .collect();
        Some(Self { stops })
    }

    /// Parses a ramp name or a stop list such as `"0:#0000ff00,0.5:lime,1:rgb(255,0,0)"`.
    pub fn parse(spec: &str) -> Result<Self> {
        let spec = spec.trim();
        if let Some(ramp) = Self::named(spec) {
            return Ok(ramp);
        }
        if !spec.contains(':') {
            return Err(Error::option(
                "colorRamp",
                format!("unknown ramp {spec:?}; names are {}", RAMP_NAMES.join(", ")),
            ));
        }
        let mut stops = Vec::new();
        for part in split_outside_parens(spec) {
            let (offset, color) = part.split_once(':').ok_or_else(|| {
                Error::option("colorRamp", format!("stop {part:?} is not OFFSET:COLOUR"))
            })?;
            let offset = parse_number(offset.trim()).ok_or_else(|| {
                Error::option("colorRamp", format!("offset {offset:?} is not a number"))
            })?;
            stops.push(ColorStop {
                offset,
                color: parse_css_color(color)?,
            });
        }
        Self::new(stops)
    }

    /// The stops.
    pub fn stops(&self) -> &[ColorStop] {
        &self.stops
    }

    /// The ramp sampled at 256 evenly spaced values: entry i is the colour of value i/255.
    pub fn lut(&self) -> [Rgba; 256] {
        let mut lut = [[0; 4]; 256];
        for (i, entry) in lut.iter_mut().enumerate() {
            *entry = self.color_at(i as f32 / 255.0);
        }
        lut
    }

    fn color_at(&self, t: f32) -> Rgba {
        let first = self.stops[0];
        if t <= first.offset {
            return first.color;
        }
        for pair in self.stops.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if t <= b.offset {
                let f = if b.offset > a.offset {
                    (t - a.offset) / (b.offset - a.offset)
                } else {
                    1.0
                };
                return std::array::from_fn(|c| {
                    let (ca, cb) = (f32::from(a.color[c]), f32::from(b.color[c]));
                    (ca + (cb - ca) * f).round() as u8
                });
            }
        }
        self.stops[self.stops.len() - 1].color
    }
}

fn split_outside_parens(s: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// A number as `str::parse::<f32>` reads one (sign, digits, fraction, exponent, `inf`,
/// `infinity`, `nan`), without core's float parser: its tables would be a twentieth of the
/// page's wasm, for colour channels and ramp offsets. Decimals of up to 19 significant digits
/// whose scale is at most 10²² are computed exactly before the one rounding to f32 (Clinger's
/// fast path); longer ones are within an ulp.
fn parse_number(s: &str) -> Option<f32> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = match body.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => parse_decimal(body)?,
    };
    Some(if negative { -magnitude } else { magnitude } as f32)
}

/// `digits[.digits][(e|E)[+|-]digits]`, with digits on at least one side of the point.
fn parse_decimal(s: &str) -> Option<f64> {
    let (number, exponent) = match s.find(['e', 'E']) {
        Some(at) => (&s[..at], parse_exponent(&s[at + 1..])?),
        None => (s, 0),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let (mut mantissa, mut scale) = (0u64, exponent);
    for (i, byte) in whole.bytes().chain(fraction.bytes()).enumerate() {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        let in_fraction = i >= whole.len();
        if mantissa < 1_000_000_000_000_000_000 {
            mantissa = mantissa * 10 + u64::from(digit);
            scale -= i32::from(in_fraction);
        } else {
            // Past 19 digits: whole digits only scale, fraction digits are dropped.
            scale += i32::from(!in_fraction);
        }
    }
    if mantissa == 0 {
        return Some(0.0);
    }
    let power = 10f64.powi(scale.unsigned_abs().min(400) as i32);
    Some(if scale >= 0 {
        mantissa as f64 * power
    } else {
        mantissa as f64 / power
    })
}

/// `[+|-]digits`, saturating far beyond any f32.
fn parse_exponent(s: &str) -> Option<i32> {
    let (sign, digits) = match s.as_bytes().first() {
        Some(b'-') => (-1, &s[1..]),
        Some(b'+') => (1, &s[1..]),
        _ => (1, s),
    };
    if digits.is_empty() {
        return None;
    }
    digits
        .bytes()
        .try_fold(0i32, |n, byte| {
            let digit = byte.wrapping_sub(b'0');
            (digit <= 9).then(|| (n * 10 + i32::from(digit)).min(100_000))
        })
        .map(|n| sign * n)
}

/// Parses a CSS colour: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb(r, g, b)`, `rgba(r, g, b, a)`,
/// `transparent`, or one of the basic named colours.
pub fn parse_css_color(input: &str) -> Result<Rgba> {
    let s = input.trim().to_ascii_lowercase();
    let bad = |reason| Error::InvalidColor {
        input: input.to_string(),
        reason,
    };
    if let Some(hex) = s.strip_prefix('#') {
        let digits: Vec<u8> = hex
            .chars()
            .map(|c| c.to_digit(16).map(|d| d as u8))
            .collect::<Option<_>>()
            .ok_or_else(|| bad("not a hex colour"))?;
        return match digits.len() {
            3 | 4 => {
                let mut c = [255; 4];
                for (i, d) in digits.iter().enumerate() {
                    c[i] = d * 17;
                }
                Ok(c)
            }
            6 | 8 => {
                let mut c = [255; 4];
                for (i, pair) in digits.chunks(2).enumerate() {
                    c[i] = pair[0] * 16 + pair[1];
                }
                Ok(c)
            }
            _ => Err(bad("hex colours have 3, 4, 6 or 8 digits")),
        };
    }
    if let Some(args) = s.strip_prefix("rgba(").or_else(|| s.strip_prefix("rgb(")) {
        let args = args.strip_suffix(')').ok_or_else(|| bad("missing ')'"))?;
        let parts: Vec<&str> = args.split(',').map(str::trim).collect();
        if parts.len() != 3 && parts.len() != 4 {
            return Err(bad("rgb() takes 3 values and rgba() 4"));
        }
        let mut c = [255; 4];
        for (i, part) in parts.iter().enumerate() {
            let v = parse_number(part).ok_or_else(|| bad("a channel is not a number"))?;
            let v = if i == 3 { v * 255.0 } else { v };
            if !(0.0..=255.0).contains(&v) {
                return Err(bad("a channel is out of range (0-255, alpha 0-1)"));
            }
            c[i] = v.round() as u8;
        }
        return Ok(c);
    }
    let rgb: u32 = match s.as_str() {
        "transparent" => return Ok([0, 0, 0, 0]),
        "black" => 0x000000,
        "white" => 0xffffff,
        "red" => 0xff0000,
        "lime" => 0x00ff00,
        "green" => 0x008000,
        "blue" => 0x0000ff,
        "yellow" => 0xffff00,
        "cyan" | "aqua" => 0x00ffff,
        "magenta" | "fuchsia" => 0xff00ff,
        "orange" => 0xffa500,
        "purple" => 0x800080,
        "royalblue" => 0x4169e1,
        "navy" => 0x000080,
        "gray" | "grey" => 0x808080,
        _ => return Err(bad("unknown colour name")),
    };
    let [_, r, g, b] = rgb.to_be_bytes();
    Ok([r, g, b, 255])
}

/// Everything that decides how points become pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatStyle {
    pub radius: Radius,
    /// Multiplies every weight.
    pub intensity: f32,
    pub normalize: Normalize,
    pub ramp: ColorRamp,
    /// Multiplies the ramp's alpha, in [0, 1].
    pub opacity: f32,
    /// Normalised values below this are left transparent, in [0, 1].
    pub threshold: f32,
    /// Sum or mean of the weights under each pixel; normalisation and `value_at` speak in its
    /// unit.
    pub aggregation: Aggregation,
}

impl Default for HeatStyle {
    fn default() -> Self {
        Self {
            radius: Radius::Pixels(25.0),
            intensity: 1.0,
            normalize: Normalize::Stable,
            ramp: ColorRamp::default(),
            opacity: 1.0,
            threshold: 0.0,
            aggregation: Aggregation::Sum,
        }
    }
}

/// Largest radius in device pixels; beyond it a heatmap is one blob and renders slowly.
pub const MAX_RADIUS_PX: f64 = 1024.0;

impl HeatStyle {
    /// Checks every field, naming the first one out of range.
    pub fn validate(&self) -> Result<()> {
        let radius = match self.radius {
            Radius::Pixels(r) | Radius::Meters(r) => r,
        };
        if !radius.is_finite() || radius <= 0.0 {
            return Err(Error::option(
                "radius",
                format!("{radius} must be a positive number"),
            ));
        }
        if !self.intensity.is_finite() || self.intensity <= 0.0 {
            return Err(Error::option(
                "intensity",
                format!("{} must be a positive number", self.intensity),
            ));
        }
        if let Normalize::Fixed(max) = self.normalize
            && (!max.is_finite() || max <= 0.0)
        {
            return Err(Error::option(
                "normalize",
                format!("fixed maximum {max} must be a positive number"),
            ));
        }
        if !(0.0..=1.0).contains(&self.opacity) {
            return Err(Error::option(
                "opacity",
                format!("{} is outside [0, 1]", self.opacity),
            ));
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(Error::option(
                "threshold",
                format!("{} is outside [0, 1]", self.threshold),
            ));
        }
        Ok(())
    }

    /// The ramp's 256 colours with the style's opacity applied to alpha: the palette every
    /// backend colours with, so that they agree to the byte.
    pub fn palette(&self) -> [Rgba; 256] {
        let mut lut = self.ramp.lut();
        for entry in &mut lut {
            // In [0, 255]: opacity is validated to [0, 1].
            entry[3] = (f32::from(entry[3]) * self.opacity).round() as u8;
        }
        lut
    }

    /// The kernel radius in device pixels for `view`, or an error when it is out of range there.
    pub fn radius_px(&self, view: &View) -> Result<f64> {
        let r = self.radius.device_pixels(view);
        if !(r.is_finite() && r > 0.0 && r <= MAX_RADIUS_PX) {
            return Err(Error::option(
                "radius",
                format!("{r:.1} device pixels at this view is outside (0, {MAX_RADIUS_PX}]"),
            ));
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same f32 as `str::parse` for what colours and ramps use, and the same refusals.
    #[test]
    fn numbers_parse_as_str_parse_does() {
        let inputs = [
            "0",
            "1",
            "255",
            "0.5",
            ".5",
            "5.",
            "0.1",
            "0.3",
            "0.7",
            "127.5",
            "1e2",
            "1E-2",
            "2.5e+1",
            "+1",
            "-0",
            "-0.25",
            "0.333333",
            "00012",
            "1234567890123456789012",
            "1e40",
            "1e-50",
            "3.4028235e38",
            "inf",
            "-Infinity",
            "NaN",
        ];
        for input in inputs {
            let want: f32 = input.parse().expect("a number");
            let got = parse_number(input).expect("a number");
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "{input}: {got} vs {want}"
            );
        }
        for input in [
            "", ".", "e5", "1e", "1e+", "1.2.3", "0x10", "1,5", " 1", "--1", "one",
        ] {
            assert!(
                input.parse::<f32>().is_err(),
                "{input} is refused by str::parse too"
            );
            assert_eq!(parse_number(input), None, "{input}");
        }
    }

    #[test]
    fn css_colours() {
        assert_eq!(parse_css_color("#f00").ok(), Some([255, 0, 0, 255]));
        assert_eq!(parse_css_color("#00ff0080").ok(), Some([0, 255, 0, 128]));
        assert_eq!(
            parse_css_color(" rgba(1, 2, 3, 0.5) ").ok(),
            Some([1, 2, 3, 128])
        );
        assert_eq!(parse_css_color("Lime").ok(), Some([0, 255, 0, 255]));
        assert!(matches!(
            parse_css_color("#12345"),
            Err(Error::InvalidColor { .. })
        ));
        assert!(matches!(
            parse_css_color("rgb(300,0,0)"),
            Err(Error::InvalidColor { .. })
        ));
        assert!(matches!(
            parse_css_color("blurple"),
            Err(Error::InvalidColor { .. })
        ));
    }

    #[test]
    fn lut_interpolates_between_stops() {
        let ramp = ColorRamp::parse("0:#00000000, 1:rgba(255,255,255,1)").expect("valid ramp");
        let lut = ramp.lut();
        assert_eq!(lut[0], [0, 0, 0, 0]);
        assert_eq!(lut[255], [255, 255, 255, 255]);
        assert_eq!(lut[128], [128, 128, 128, 128]);
        assert_eq!(
            ColorRamp::default().lut()[0][3],
            0,
            "classic starts transparent"
        );
    }

    #[test]
    fn ramp_errors_say_what_is_wrong() {
        assert!(ColorRamp::parse("rainbow").is_err());
        assert!(ColorRamp::parse("0.5:red,0.2:blue").is_err());
        assert!(ColorRamp::parse("2:red").is_err());
        for name in RAMP_NAMES {
            assert!(ColorRamp::named(name).is_some());
        }
    }

    #[test]
    fn style_validation_names_the_option() {
        let bad = HeatStyle {
            opacity: 1.5,
            ..HeatStyle::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(Error::InvalidOption {
                option: "opacity",
                ..
            })
        ));
        let bad = HeatStyle {
            radius: Radius::Pixels(-1.0),
            ..HeatStyle::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(Error::InvalidOption {
                option: "radius",
                ..
            })
        ));
        assert!(HeatStyle::default().validate().is_ok());
    }

    /// The shaders divide by `max(coverage, 1.0)` (shaders/reduce.wgsl, layer_prelude.wgsl).
    #[test]
    fn the_shaders_floor_the_coverage_at_the_constant() {
        assert_eq!(MEAN_MIN_COVERAGE, 1.0);
        for wgsl in [
            include_str!("../../shaders/reduce.wgsl"),
            include_str!("../../shaders/shared/layer_prelude.wgsl"),
        ] {
            assert!(wgsl.contains("max(d.g, 1.0)"));
        }
    }

    #[test]
    fn aggregations_parse_by_name() {
        for aggregation in [Aggregation::Sum, Aggregation::Mean] {
            assert_eq!(
                Aggregation::parse(aggregation.name()).ok(),
                Some(aggregation)
            );
        }
        assert!(matches!(
            Aggregation::parse("median"),
            Err(Error::InvalidOption {
                option: "aggregation",
                ..
            })
        ));
    }

    #[test]
    fn metre_radius_scales_with_zoom() {
        let view = View {
            center: [0.0, 0.0],
            zoom: 10.0,
            width: 10,
            height: 10,
            device_pixel_ratio: 2.0,
        };
        let r10 = Radius::Meters(1000.0).device_pixels(&view);
        let r11 = Radius::Meters(1000.0).device_pixels(&View { zoom: 11.0, ..view });
        assert!((r11 / r10 - 2.0).abs() < 1e-12);
        // 1 km at the equator, zoom 10: 40075 km / (512 * 1024) px = 76.4 m per CSS px.
        assert!((r10 - 2.0 * 1000.0 / 76.437).abs() < 0.01);
    }
}
