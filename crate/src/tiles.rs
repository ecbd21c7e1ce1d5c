//! XYZ heat tiles: which tiles of a zoom the data's heat reaches, the view and kernel radius of
//! each, and one normalisation per zoom, so that tiles join without seams.
//!
//! A tile `z/x/y` of `size` pixels is the view [`View::xyz_tile`]: 512 CSS pixels at zoom `z`
//! with a pixel ratio of `size / 512`. The CPU path's splat grid is anchored to the world (see
//! `raster::fast`), so the densities of adjacent tiles are, pixel for pixel, those of one view of
//! their union (to the last bits of the kernels' faint tails: measured 1e-14 at most, against a
//! highest density of 116, in `tests/tiles.rs`). What could still draw a seam is the colouring: each tile normalised by its own
//! maximum would colour the same density differently on either side of an edge. So every tile of
//! a zoom is coloured with one maximum, the highest density over all the tiles of that zoom
//! ([`shade_zoom`]).
//!
//! The CLI (`geoheat tiles`) draws each tile from all the points ([`density`]); the Python
//! package's `geoheat.dask.tiles` sums the grids of a Dask DataFrame's partitions per tile and
//! hands them to the same [`shade_zoom`] and [`write_zoom`], with the tiles of
//! [`Pyramid::tiles_reached`]: one implementation of the tile range and the normalisation.

use crate::error::{Error, Result};
use crate::frame::{FramePlan, StableMax, max_of};
use crate::geo::{LonLatBounds, View, lat_to_world_y, lon_to_world_x};
use crate::raster::{self, CpuRenderer, blur::cell_for_radius};
use crate::scene::Scene;
use crate::style::{HeatStyle, MAX_RADIUS_PX, Normalize, Radius};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

/// The tile sizes web maps use, in pixels.
pub const TILE_SIZES: [u32; 2] = [256, 512];

/// One tile of a pyramid: zoom, column (west to east), row (north to south).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    pub z: u32,
    pub x: u32,
    pub y: u32,
}

impl TileId {
    /// Where the tile's PNG goes under a pyramid's folder: `dir/z/x/y.png`.
    pub fn path(self, dir: &Path) -> PathBuf {
        dir.join(self.z.to_string())
            .join(self.x.to_string())
            .join(format!("{}.png", self.y))
    }
}

/// What a pyramid covers and how its kernel is sized.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pyramid {
    pub min_zoom: u32,
    pub max_zoom: u32,
    /// Pixels per tile side, one of [`TILE_SIZES`].
    pub tile_size: u32,
    /// The kernel radius in tile pixels (the same at every zoom, as a heatmap's radius in screen
    /// pixels is).
    pub radius: f64,
}

impl Pyramid {
    /// A pyramid of zooms `min_zoom..=max_zoom`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] naming what is wrong: zooms out of order or above the core's
    /// highest zoom, a tile size other than 256 or 512, or a radius that is not a positive
    /// number of at most the core's largest radius.
    pub fn new(min_zoom: u32, max_zoom: u32, tile_size: u32, radius: f64) -> Result<Self> {
        if min_zoom > max_zoom || f64::from(max_zoom) > crate::geo::MAX_ZOOM {
            return Err(Error::option(
                "zooms",
                format!(
                    "{min_zoom}..{max_zoom}: need min <= max <= {}",
                    crate::geo::MAX_ZOOM
                ),
            ));
        }
        if !TILE_SIZES.contains(&tile_size) {
            return Err(Error::option(
                "tile size",
                format!("{tile_size} pixels: tiles are 256 or 512 pixels"),
            ));
        }
        if !(radius.is_finite() && radius > 0.0 && radius <= MAX_RADIUS_PX) {
            return Err(Error::option(
                "radius",
                format!("{radius} tile pixels is outside (0, {MAX_RADIUS_PX}]"),
            ));
        }
        Ok(Self {
            min_zoom,
            max_zoom,
            tile_size,
            radius,
        })
    }

    pub fn zooms(&self) -> RangeInclusive<u32> {
        self.min_zoom..=self.max_zoom
    }

    /// The radius in the CSS pixels of a tile's view: a tile is 512 CSS pixels wide.
    pub fn css_radius(&self) -> f64 {
        self.radius * crate::geo::WORLD_SIZE_AT_ZOOM_0 / f64::from(self.tile_size)
    }

    /// `style` as tiles draw it: the pyramid's radius, and the viewport maximum (the density
    /// grids are coloured afterwards with the zoom's maximum, never with their own).
    pub fn tile_style(&self, style: &HeatStyle) -> HeatStyle {
        HeatStyle {
            radius: Radius::Pixels(self.css_radius()),
            normalize: Normalize::Viewport,
            ..style.clone()
        }
    }

    /// The view of `tile` at this pyramid's tile size.
    ///
    /// # Errors
    ///
    /// As [`View::xyz_tile`]: a tile outside its zoom.
    pub fn view(&self, tile: TileId) -> Result<View> {
        View::xyz_tile(tile.z, tile.x, tile.y, self.tile_size)
    }

    /// The tiles of zoom `z` that points within `bounds` can heat, row by row within each
    /// column, columns west to east (wrapped round the antimeridian; a box with `west > east`
    /// crosses it).
    ///
    /// A point heats the pixels within the kernel radius, plus what the splat (one grid cell)
    /// and the resampling (two cells) spread it by; a pixel more covers rounding. Tiles beyond
    /// that reach stay transparent, so they need not be drawn.
    pub fn tiles_reached(&self, z: u32, bounds: &LonLatBounds) -> Vec<TileId> {
        let n = 1u32 << z.min(31);
        let nf = f64::from(n);
        let cell = f64::from(cell_for_radius(self.radius));
        let reach = (self.radius + 3.0 * cell + 1.0) / f64::from(self.tile_size);
        let east = if bounds.crosses_antimeridian() {
            bounds.east + 360.0
        } else {
            bounds.east
        };
        // World x is linear in longitude, so the crossing box's east beyond 180 continues past 1.
        let x0 = (lon_to_world_x(bounds.west) * nf - reach).floor() as i64;
        let x1 = (lon_to_world_x(east) * nf + reach).floor() as i64;
        let y0 = ((lat_to_world_y(bounds.north) * nf - reach).floor() as i64).max(0);
        let y1 = ((lat_to_world_y(bounds.south) * nf + reach).floor() as i64).min(i64::from(n) - 1);
        let mut xs: Vec<u32> = (x0..=x1.min(x0 + i64::from(n) - 1))
            // rem_euclid by n (at most 2^24) is below n, so it fits.
            .map(|x| x.rem_euclid(i64::from(n)) as u32)
            .collect();
        xs.sort_unstable();
        xs.into_iter()
            .flat_map(|x| (y0..=y1).map(move |y| TileId { z, x, y: y as u32 }))
            .collect()
    }
}

/// The density grid (before normalisation; `view.pixel_height()` rows of `pixel_width()`) of
/// `scene` through `view` on the CPU path, with the scene's style: what a CLI frame colours.
/// A fresh renderer draws it, so the grid depends only on the scene and the view.
///
/// # Errors
///
/// An invalid view, or a radius out of range at this view.
pub fn density(scene: &Scene, view: &View) -> Result<Vec<f32>> {
    let plan = FramePlan::new(scene, view, &mut StableMax::new())?;
    let mut renderer = CpuRenderer::new();
    renderer.render_density(scene, &plan)?;
    Ok(renderer.density().values.clone())
}

/// The coloured tiles of one zoom.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoomTiles {
    /// The zoom's normalisation: the highest density over all its tiles (0 when no heat).
    pub maximum: f32,
    /// Straight RGBA8 of every tile that shows some heat, in the order given.
    pub tiles: Vec<(TileId, Vec<u8>)>,
}

/// Colours the density grids of one zoom's tiles (`tile_size`² values each) with one maximum,
/// the highest density over all of them (the fold of a single frame's viewport maximum), so
/// adjacent tiles join without a seam. Tiles left entirely transparent are dropped.
///
/// # Errors
///
/// [`Error::InvalidOption`] when a grid does not hold `tile_size`² values, or `style` is invalid.
pub fn shade_zoom(
    grids: &[(TileId, Vec<f32>)],
    tile_size: u32,
    style: &HeatStyle,
) -> Result<ZoomTiles> {
    style.validate()?;
    let pixels = tile_size as usize * tile_size as usize;
    if let Some((tile, grid)) = grids.iter().find(|(_, g)| g.len() != pixels) {
        return Err(Error::option(
            "tile",
            format!(
                "{}/{}/{}: {} densities, not {tile_size}x{tile_size}",
                tile.z,
                tile.x,
                tile.y,
                grid.len()
            ),
        ));
    }
    let maximum = grids
        .iter()
        .map(|(_, g)| max_of(g))
        .fold(0.0, |m: f32, v| if v > m { v } else { m });
    let mut tiles = Vec::new();
    if maximum > 0.0 {
        for (tile, grid) in grids {
            let mut rgba = vec![0; pixels * 4];
            raster::shade(grid, maximum, style, &mut rgba)?;
            if rgba.chunks_exact(4).any(|p| p[3] != 0) {
                tiles.push((*tile, rgba));
            }
        }
    }
    Ok(ZoomTiles { maximum, tiles })
}

/// Draws every tile of zoom `z` that the points of `scene` reach (the scene's style with the
/// pyramid's radius) and colours them with one maximum: [`density`] per tile, then
/// [`shade_zoom`].
///
/// # Errors
///
/// As [`density`] and [`shade_zoom`].
pub fn render_zoom(pyramid: &Pyramid, scene: &Scene, z: u32) -> Result<ZoomTiles> {
    let style = pyramid.tile_style(scene.style());
    let Some(bounds) = scene.points().bounds() else {
        return Ok(ZoomTiles {
            maximum: 0.0,
            tiles: Vec::new(),
        });
    };
    let mut tile_scene = scene.clone();
    tile_scene.set_style(style.clone())?;
    let grids = pyramid
        .tiles_reached(z, &bounds)
        .into_iter()
        .map(|tile| Ok((tile, density(&tile_scene, &pyramid.view(tile)?)?)))
        .collect::<Result<Vec<_>>>()?;
    shade_zoom(&grids, pyramid.tile_size, &style)
}

/// Writes the tiles of one zoom as PNGs, `dir/z/x/y.png` (folders made as needed), encoded as
/// the CLI encodes its PNGs. Returns how many were written.
///
/// # Errors
///
/// [`Error::InvalidOption`] naming the path that could not be written and why.
pub fn write_zoom(
    dir: &Path,
    zoom: &ZoomTiles,
    tile_size: u32,
    compression: crate::surface::PngCompression,
) -> Result<usize> {
    for (tile, rgba) in &zoom.tiles {
        let path = tile.path(dir);
        let png = crate::surface::encode_png(rgba, tile_size, tile_size, compression)?;
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, png));
        written.map_err(|e| Error::option("tiles", format!("{}: {e}", path.display())))?;
    }
    Ok(zoom.tiles.len())
}
