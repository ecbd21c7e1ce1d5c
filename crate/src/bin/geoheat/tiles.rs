//! `geoheat tiles`: an XYZ pyramid of heat tiles, `DIR/z/x/y.png`, coloured with one maximum
//! per zoom so that the tiles join without seams (see `geoheat::tiles`).

use crate::args::{number, policy, text};
use geoheat::surface::PngCompression;
use geoheat::tiles::{Pyramid, render_zoom, write_zoom};
use geoheat::{ColorRamp, HeatStyle, IngestOptions, Scene};
use lexopt::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

pub const USAGE: &str = "\
Writes an XYZ pyramid of heat tiles, DIR/Z/X/Y.png, for a web map's raster source. Every tile
of a zoom is coloured with that zoom's highest density, so tiles join without seams; tiles
without heat are not written.

Usage: geoheat tiles INPUT.geojson|- -o DIR --min-zoom Z --max-zoom Z [options]

  --tile-size PX              256 | 512 [256]
  --radius PX                 kernel radius in tile pixels, the same at every zoom [25]
  --intensity X               multiplies every weight [1]
  --ramp NAME|STOPS           as `geoheat render` [classic]
  --opacity A                 0..1 [1]
  --threshold T               leave normalised values below T transparent [0]
  --weight-property NAME      feature property holding the weight [every point weighs 1]
  --invalid-weight POLICY     error | skip [error]
  --out-of-range POLICY       error | skip [error]
  -q, --quiet                 no summary on stderr
  -h, --help";

/// A parsed `geoheat tiles` command.
#[derive(Debug, Clone, PartialEq)]
pub struct TilesArgs {
    pub input: PathBuf,
    pub output: PathBuf,
    pub pyramid: Pyramid,
    pub style: HeatStyle,
    pub ingest: IngestOptions,
    pub quiet: bool,
}

/// `Ok(None)` asks for the help text.
pub fn parse(parser: &mut lexopt::Parser) -> Result<Option<TilesArgs>, String> {
    let err = |e: lexopt::Error| e.to_string();
    let (mut input, mut output, mut min_zoom, mut max_zoom) = (None, None, None, None);
    let (mut tile_size, mut radius) = (256, 25.0);
    let mut style = HeatStyle::default();
    let mut ingest = IngestOptions::default();
    let mut quiet = false;
    while let Some(arg) = parser.next().map_err(err)? {
        match arg {
            Short('h') | Long("help") => return Ok(None),
            Short('o') | Long("output") => {
                output = Some(PathBuf::from(parser.value().map_err(err)?))
            }
            Long("min-zoom") => min_zoom = Some(number(parser, "--min-zoom")?),
            Long("max-zoom") => max_zoom = Some(number(parser, "--max-zoom")?),
            Long("tile-size") => tile_size = number(parser, "--tile-size")?,
            Long("radius") => radius = number(parser, "--radius")?,
            Long("intensity") => style.intensity = number(parser, "--intensity")?,
            Long("ramp") => {
                style.ramp = ColorRamp::parse(&text(parser)?).map_err(|e| e.to_string())?
            }
            Long("opacity") => style.opacity = number(parser, "--opacity")?,
            Long("threshold") => style.threshold = number(parser, "--threshold")?,
            Long("weight-property") => ingest.weight_property = Some(text(parser)?),
            Long("invalid-weight") => {
                ingest.invalid_weight = policy(&text(parser)?, "--invalid-weight")?
            }
            Long("out-of-range") => ingest.out_of_range = policy(&text(parser)?, "--out-of-range")?,
            Short('q') | Long("quiet") => quiet = true,
            Value(v) if input.is_none() => input = Some(PathBuf::from(v)),
            other => return Err(other.unexpected().to_string()),
        }
    }
    let input = input.ok_or("missing INPUT (a GeoJSON file, or - for stdin)")?;
    let output = output.ok_or("missing -o DIR")?;
    let (Some(min_zoom), Some(max_zoom)) = (min_zoom, max_zoom) else {
        return Err("missing --min-zoom and --max-zoom".into());
    };
    let pyramid = Pyramid::new(min_zoom, max_zoom, tile_size, radius).map_err(|e| e.to_string())?;
    style.validate().map_err(|e| e.to_string())?;
    Ok(Some(TilesArgs {
        input,
        output,
        pyramid,
        style,
        ingest,
        quiet,
    }))
}

/// Reads the points and writes every zoom's tiles.
pub fn run(args: &TilesArgs) -> Result<(), String> {
    let started = Instant::now();
    let name = args.input.display().to_string();
    let (points, report) = crate::input::load(
        &args.input,
        &args.ingest,
        crate::input::ReadMode::Auto,
        args.quiet,
    )
    .map_err(|e| e.message(&name))?;
    let mut scene = Scene::new(points);
    scene
        .set_style(args.style.clone())
        .map_err(|e| e.to_string())?;
    let mut written = 0;
    for z in args.pyramid.zooms() {
        let zoom = render_zoom(&args.pyramid, &scene, z).map_err(|e| format!("zoom {z}: {e}"))?;
        let n = write_zoom(
            &args.output,
            &zoom,
            args.pyramid.tile_size,
            PngCompression::default(),
        )
        .map_err(|e| e.to_string())?;
        if !args.quiet {
            eprintln!(
                "geoheat: zoom {z}: {n} tiles, maximum density {}",
                zoom.maximum
            );
        }
        written += n;
    }
    if !args.quiet {
        eprintln!(
            "geoheat: {} points; wrote {written} tiles under {} in {:.0} ms",
            report.points,
            args.output.display(),
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(line: &str) -> Result<Option<TilesArgs>, String> {
        let mut parser = lexopt::Parser::from_args(line.split_whitespace());
        parse(&mut parser)
    }

    #[test]
    fn options_reach_their_fields() {
        let line = "in.geojson -o out --min-zoom 2 --max-zoom 5 --tile-size 512 --radius 12 \
                    --ramp magma --opacity 0.5 --weight-property mag --invalid-weight skip -q";
        let Ok(Some(a)) = parse_str(line) else {
            panic!("not parsed: {line}");
        };
        assert_eq!(a.pyramid, Pyramid::new(2, 5, 512, 12.0).expect("valid"));
        assert_eq!((a.style.opacity, a.quiet), (0.5, true));
        assert_eq!(a.ingest.weight_property.as_deref(), Some("mag"));
        assert_eq!(a.output, PathBuf::from("out"));
    }

    #[test]
    fn mistakes_are_explained() {
        for (line, says) in [
            ("in -o out --max-zoom 3", "--min-zoom"),
            ("in --min-zoom 1 --max-zoom 3", "-o DIR"),
            ("in -o out --min-zoom 4 --max-zoom 3", "min <= max"),
            (
                "in -o out --min-zoom 1 --max-zoom 3 --tile-size 300",
                "256 or 512",
            ),
            ("in -o out --min-zoom 1 --max-zoom 3 --radius 0", "radius"),
        ] {
            let error = parse_str(line).expect_err(line);
            assert!(error.contains(says), "{line}: {error}");
        }
    }
}
