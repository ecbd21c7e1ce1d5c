//! Web Mercator projection, longitude/latitude bounds and the [`View`] that maps the world to pixels.
//!
//! World coordinates are Web Mercator normalised to the unit square: x grows east from the
//! antimeridian (0) to the antimeridian (1), y grows south from 85.0511°N (0) to 85.0511°S (1).
//! At zoom z the world is `512 · 2^z` CSS pixels wide (MapLibre's convention), so a view and a
//! MapLibre map with the same centre and zoom line up pixel for pixel.
//!
//! Transcendental functions come from `libm` rather than the platform's maths library, so a
//! point projects to the same bits natively and in wasm.

use crate::error::{Error, Result};
use std::f64::consts::PI;

/// The latitude where Web Mercator turns the world into a square: `atan(sinh(π))` in degrees.
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;
/// Width of the whole world in CSS pixels at zoom 0.
pub const WORLD_SIZE_AT_ZOOM_0: f64 = 512.0;
/// Highest zoom a [`View`] accepts. Past it, f32 point offsets no longer resolve a device pixel.
pub const MAX_ZOOM: f64 = 24.0;
/// Highest zoom [`View::fit`] chooses, so that a single point is not blown up to street level.
pub const MAX_FIT_ZOOM: f64 = 16.0;
/// Largest rendered side in device pixels (the WebGPU texture limit of most adapters).
pub const MAX_PIXEL_SIDE: u32 = 8192;
/// WGS84 equatorial radius, the sphere Web Mercator is defined on.
pub const EARTH_RADIUS_M: f64 = 6_378_137.0;

/// Longitude in degrees to world x in [0, 1].
#[cfg_attr(wasm_for_size, optimize(speed))]
pub fn lon_to_world_x(lon: f64) -> f64 {
    (lon + 180.0) / 360.0
}

/// Latitude in degrees to world y in [0, 1]; latitudes beyond ±[`MAX_LATITUDE`] are clamped.
#[cfg_attr(wasm_for_size, optimize(speed))]
pub fn lat_to_world_y(lat: f64) -> f64 {
    let lat = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    (1.0 - libm::log(libm::tan(PI / 4.0 + lat / 2.0)) / PI) / 2.0
}

/// World x back to longitude in degrees (not wrapped).
pub fn world_x_to_lon(x: f64) -> f64 {
    x * 360.0 - 180.0
}

/// World y back to latitude in degrees.
pub fn world_y_to_lat(y: f64) -> f64 {
    libm::atan(libm::sinh(PI * (1.0 - 2.0 * y))).to_degrees()
}

/// Wraps a longitude into [-180, 180).
pub fn wrap_lon(lon: f64) -> f64 {
    (lon + 180.0).rem_euclid(360.0) - 180.0
}

/// A longitude/latitude box. When it crosses the antimeridian, `west > east` (RFC 7946 §5.2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LonLatBounds {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl LonLatBounds {
    /// True when the box spans the antimeridian.
    pub fn crosses_antimeridian(&self) -> bool {
        self.west > self.east
    }

    /// Width in degrees of longitude, going east from `west` to `east`.
    pub fn lon_span(&self) -> f64 {
        if self.crosses_antimeridian() {
            self.east + 360.0 - self.west
        } else {
            self.east - self.west
        }
    }

    /// `[west, south, east, north]`, the GeoJSON bbox order.
    pub fn to_array(self) -> [f64; 4] {
        [self.west, self.south, self.east, self.north]
    }
}

/// Grows the tightest longitude/latitude box around points, choosing for longitude the shorter of
/// the plain span and the span across the antimeridian (so points at 179° and -179° give a 2° box).
#[derive(Debug, Clone, Copy)]
pub struct BoundsBuilder {
    min_lon: f64,
    max_lon: f64,
    min_lon_360: f64,
    max_lon_360: f64,
    min_lat: f64,
    max_lat: f64,
}

impl Default for BoundsBuilder {
    fn default() -> Self {
        Self {
            min_lon: f64::INFINITY,
            max_lon: f64::NEG_INFINITY,
            min_lon_360: f64::INFINITY,
            max_lon_360: f64::NEG_INFINITY,
            min_lat: f64::INFINITY,
            max_lat: f64::NEG_INFINITY,
        }
    }
}

impl BoundsBuilder {
    /// Adds a point (longitude in [-180, 180]).
    #[inline]
    pub fn add(&mut self, lon: f64, lat: f64) {
        self.min_lon = self.min_lon.min(lon);
        self.max_lon = self.max_lon.max(lon);
        let lon_360 = if lon < 0.0 { lon + 360.0 } else { lon };
        self.min_lon_360 = self.min_lon_360.min(lon_360);
        self.max_lon_360 = self.max_lon_360.max(lon_360);
        self.min_lat = self.min_lat.min(lat);
        self.max_lat = self.max_lat.max(lat);
    }

    /// The box, or `None` when no point was added.
    pub fn bounds(&self) -> Option<LonLatBounds> {
        if self.min_lat > self.max_lat {
            return None;
        }
        let (south, north) = (self.min_lat, self.max_lat);
        // Only data on both sides of the prime meridian can be narrower across the antimeridian;
        // on one side the spans are equal and the plain one avoids the rounding of +360.
        // Points only at -180 and 180 give a zero-wide box there, which `west` and `east` can
        // only name as one of the two: the plain box, the whole world, holds both as written.
        let both_sides = self.min_lon < 0.0 && self.max_lon >= 0.0;
        let span_360 = self.max_lon_360 - self.min_lon_360;
        if both_sides && span_360 < self.max_lon - self.min_lon && span_360 > 0.0 {
            // A west edge at the antimeridian stays 180, so that the box (crossing it) holds
            // points written as 180 as well as those written as -180.
            let west = if self.min_lon_360 == 180.0 {
                180.0
            } else {
                wrap_lon(self.min_lon_360)
            };
            let east = wrap_lon(self.max_lon_360);
            Some(LonLatBounds {
                west,
                south,
                east,
                north,
            })
        } else {
            Some(LonLatBounds {
                west: self.min_lon,
                south,
                east: self.max_lon,
                north,
            })
        }
    }
}

/// What part of the world is shown, at what size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// Centre as `[longitude, latitude]` in degrees.
    pub center: [f64; 2],
    /// Fractional zoom: the world is `512 · 2^zoom` CSS pixels wide.
    pub zoom: f64,
    /// Width in CSS pixels.
    pub width: u32,
    /// Height in CSS pixels.
    pub height: u32,
    /// Device pixels per CSS pixel (`window.devicePixelRatio`); 1 for PNG output.
    pub device_pixel_ratio: f64,
}

impl View {
    /// Checks every field, naming the first one that is out of range.
    pub fn validate(&self) -> Result<()> {
        let [lon, lat] = self.center;
        if !lon.is_finite() || !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(Error::option(
                "center",
                format!("[{lon}, {lat}] is not a longitude/latitude"),
            ));
        }
        if !self.zoom.is_finite() || !(0.0..=MAX_ZOOM).contains(&self.zoom) {
            return Err(Error::option(
                "zoom",
                format!("{} is outside [0, {MAX_ZOOM}]", self.zoom),
            ));
        }
        if !self.device_pixel_ratio.is_finite() || !(0.25..=8.0).contains(&self.device_pixel_ratio)
        {
            let dpr = self.device_pixel_ratio;
            return Err(Error::option(
                "devicePixelRatio",
                format!("{dpr} is outside [0.25, 8]"),
            ));
        }
        let (w, h) = (self.pixel_width(), self.pixel_height());
        if self.width == 0 || self.height == 0 {
            return Err(Error::InvalidSize {
                width: self.width,
                height: self.height,
                reason: "zero size",
            });
        }
        if w > MAX_PIXEL_SIDE || h > MAX_PIXEL_SIDE {
            return Err(Error::InvalidSize {
                width: w,
                height: h,
                reason: "a side is larger than 8192 device pixels",
            });
        }
        Ok(())
    }

    /// Width in device pixels.
    pub fn pixel_width(&self) -> u32 {
        device_pixels(self.width, self.device_pixel_ratio)
    }

    /// Height in device pixels.
    pub fn pixel_height(&self) -> u32 {
        device_pixels(self.height, self.device_pixel_ratio)
    }

    /// Device pixels per world unit.
    pub fn scale(&self) -> f64 {
        WORLD_SIZE_AT_ZOOM_0 * libm::exp2(self.zoom) * self.device_pixel_ratio
    }

    /// The centre in world coordinates.
    pub fn center_world(&self) -> [f64; 2] {
        [
            lon_to_world_x(self.center[0]),
            lat_to_world_y(self.center[1]),
        ]
    }

    /// World coordinates to device pixels (origin top-left, pixel centres at +0.5).
    pub fn world_to_pixel(&self, world: [f64; 2]) -> [f64; 2] {
        let [cx, cy] = self.center_world();
        let s = self.scale();
        [
            (world[0] - cx) * s + f64::from(self.pixel_width()) / 2.0,
            (world[1] - cy) * s + f64::from(self.pixel_height()) / 2.0,
        ]
    }

    /// Device pixels to world coordinates.
    pub fn pixel_to_world(&self, pixel: [f64; 2]) -> [f64; 2] {
        let [cx, cy] = self.center_world();
        let s = self.scale();
        [
            (pixel[0] - f64::from(self.pixel_width()) / 2.0) / s + cx,
            (pixel[1] - f64::from(self.pixel_height()) / 2.0) / s + cy,
        ]
    }

    /// Longitude/latitude to device pixels, on the world copy nearest the centre.
    pub fn lon_lat_to_pixel(&self, lon: f64, lat: f64) -> [f64; 2] {
        let lon = self.center[0] + wrap_lon(lon - self.center[0]);
        self.world_to_pixel([lon_to_world_x(lon), lat_to_world_y(lat)])
    }

    /// Device pixels to longitude/latitude, the longitude wrapped into [-180, 180).
    pub fn pixel_to_lon_lat(&self, pixel: [f64; 2]) -> [f64; 2] {
        let [x, y] = self.pixel_to_world(pixel);
        [
            wrap_lon(world_x_to_lon(x)),
            world_y_to_lat(y.clamp(0.0, 1.0)),
        ]
    }

    /// Which copies of the world (x shifted by whole world widths) are visible, with `margin`
    /// device pixels around the view. Usually `0..=0`; a view across the antimeridian also needs
    /// -1 or 1, and a view wider than the world needs several.
    pub fn world_copies(&self, margin: f64) -> std::ops::RangeInclusive<i32> {
        let s = self.scale();
        let half = (f64::from(self.pixel_width()) / 2.0 + margin) / s;
        let cx = self.center_world()[0];
        // Bounded: zoom >= 0 and width <= MAX_PIXEL_SIDE keep these small integers.
        ((cx - half).floor() as i32)..=((cx + half).ceil() as i32 - 1)
    }

    /// The largest zoom (capped at [`MAX_FIT_ZOOM`]) whose view of `width`×`height` CSS pixels
    /// shows `bounds` with `padding` CSS pixels on every side, centred on the box.
    pub fn fit(
        bounds: &LonLatBounds,
        width: u32,
        height: u32,
        device_pixel_ratio: f64,
        padding: f64,
    ) -> Result<View> {
        if !padding.is_finite() || padding < 0.0 || 2.0 * padding >= f64::from(width.min(height)) {
            return Err(Error::option(
                "padding",
                format!("{padding} leaves no room in {width}x{height}"),
            ));
        }
        let west = lon_to_world_x(bounds.west);
        let east = lon_to_world_x(bounds.west + bounds.lon_span());
        let (north, south) = (lat_to_world_y(bounds.north), lat_to_world_y(bounds.south));
        let avail_w = f64::from(width) - 2.0 * padding;
        let avail_h = f64::from(height) - 2.0 * padding;
        let zoom_for = |avail: f64, span: f64| {
            if span > 0.0 {
                libm::log2(avail / (span * WORLD_SIZE_AT_ZOOM_0))
            } else {
                f64::INFINITY
            }
        };
        let zoom = zoom_for(avail_w, east - west)
            .min(zoom_for(avail_h, south - north))
            .clamp(0.0, MAX_FIT_ZOOM);
        let center = [
            wrap_lon(world_x_to_lon((west + east) / 2.0)),
            world_y_to_lat((north + south) / 2.0),
        ];
        let view = View {
            center,
            zoom,
            width,
            height,
            device_pixel_ratio,
        };
        view.validate()?;
        Ok(view)
    }
}

impl View {
    /// The view of XYZ map tile `z`/`x`/`y` (x east from the antimeridian, y south from the
    /// north edge), `tile_px` device pixels square: the tile's square of the world at zoom `z`,
    /// where a tile is 512 CSS pixels, so the device pixel ratio is `tile_px / 512` (256-pixel
    /// tiles: 0.5). The views of adjacent tiles lie on one lattice of device pixels, so together
    /// they show the pixels of one view of their union.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] when `z` exceeds [`MAX_ZOOM`], `x` or `y` is not below `2^z`, or
    /// `tile_px` is outside [128, 4096].
    pub fn xyz_tile(z: u32, x: u32, y: u32, tile_px: u32) -> Result<View> {
        if f64::from(z) > MAX_ZOOM {
            return Err(Error::option(
                "tile",
                format!("zoom {z} is above {MAX_ZOOM}"),
            ));
        }
        let tiles = 1u32 << z;
        if x >= tiles || y >= tiles {
            return Err(Error::option(
                "tile",
                format!("{z}/{x}/{y}: x and y must be below {tiles} at zoom {z}"),
            ));
        }
        if !(128..=4096).contains(&tile_px) {
            return Err(Error::option(
                "tile",
                format!("{tile_px} pixels is outside [128, 4096]"),
            ));
        }
        let side = 1.0 / f64::from(tiles);
        let view = View {
            center: [
                world_x_to_lon((f64::from(x) + 0.5) * side),
                world_y_to_lat((f64::from(y) + 0.5) * side),
            ],
            zoom: f64::from(z),
            width: WORLD_SIZE_AT_ZOOM_0 as u32,
            height: WORLD_SIZE_AT_ZOOM_0 as u32,
            device_pixel_ratio: f64::from(tile_px) / WORLD_SIZE_AT_ZOOM_0,
        };
        view.validate()?;
        Ok(view)
    }

    /// The view moved by `dx`, `dy` CSS pixels of content (a drag to the right moves the map right,
    /// so the centre goes west). Longitude wraps; latitude stays inside Web Mercator.
    pub fn panned_by(&self, dx: f64, dy: f64) -> View {
        let css_scale = WORLD_SIZE_AT_ZOOM_0 * libm::exp2(self.zoom);
        let [cx, cy] = self.center_world();
        self.with_center_world([cx - dx / css_scale, cy - dy / css_scale])
    }

    /// The view at `zoom` (clamped to [0, [`MAX_ZOOM`]]) that keeps the world point under the CSS
    /// pixel `anchor` where it is: what a wheel or pinch around the cursor does.
    pub fn zoomed_around(&self, zoom: f64, anchor: [f64; 2]) -> View {
        let zoomed = View {
            zoom: zoom.clamp(0.0, MAX_ZOOM),
            ..*self
        };
        // In device pixels, like every other conversion: the device size is rounded, so the CSS
        // centre and the device centre can differ by a fraction of a pixel.
        let anchor_px = [
            anchor[0] * self.device_pixel_ratio,
            anchor[1] * self.device_pixel_ratio,
        ];
        let under = self.pixel_to_world(anchor_px);
        let from_center = [
            anchor_px[0] - f64::from(self.pixel_width()) / 2.0,
            anchor_px[1] - f64::from(self.pixel_height()) / 2.0,
        ];
        let s = zoomed.scale();
        zoomed.with_center_world([under[0] - from_center[0] / s, under[1] - from_center[1] / s])
    }

    fn with_center_world(&self, [x, y]: [f64; 2]) -> View {
        let center = [
            wrap_lon(world_x_to_lon(x)),
            world_y_to_lat(y.clamp(0.0, 1.0)),
        ];
        View { center, ..*self }
    }
}

fn device_pixels(css: u32, device_pixel_ratio: f64) -> u32 {
    // Saturating float-to-int cast; validate() rejects the absurd values.
    ((f64::from(css) * device_pixel_ratio).round() as u32).max(1)
}

/// Metres on the ground covered by one CSS pixel at `lat` and `zoom`.
pub fn meters_per_css_pixel(lat: f64, zoom: f64) -> f64 {
    2.0 * PI * EARTH_RADIUS_M * libm::cos(lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians())
        / (WORLD_SIZE_AT_ZOOM_0 * libm::exp2(zoom))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xyz_tiles_cover_their_square_of_the_world() {
        let world = View::xyz_tile(0, 0, 0, 256).expect("valid tile");
        assert_eq!((world.pixel_width(), world.pixel_height()), (256, 256));
        assert_eq!(world.center, [0.0, 0.0]);
        // Tile 5/11/13's corners land on the corners of its pixels.
        let tile = View::xyz_tile(5, 11, 13, 512).expect("valid tile");
        for (corner, pixel) in [((11.0, 13.0), [0.0, 0.0]), ((12.0, 14.0), [512.0, 512.0])] {
            let at = tile.world_to_pixel([corner.0 / 32.0, corner.1 / 32.0]);
            assert!((at[0] - pixel[0]).abs() < 1e-6 && (at[1] - pixel[1]).abs() < 1e-6);
        }
        for (z, x, y, px) in [
            (2, 4, 0, 256),
            (2, 0, 4, 256),
            (25, 0, 0, 256),
            (1, 0, 0, 100),
        ] {
            assert!(View::xyz_tile(z, x, y, px).is_err(), "{z}/{x}/{y} at {px}");
        }
    }

    #[test]
    fn projection_landmarks() {
        assert_eq!(lon_to_world_x(-180.0), 0.0);
        assert_eq!(lon_to_world_x(0.0), 0.5);
        assert!((lat_to_world_y(0.0) - 0.5).abs() < 1e-15);
        assert!(lat_to_world_y(MAX_LATITUDE).abs() < 1e-12);
        assert!((lat_to_world_y(-MAX_LATITUDE) - 1.0).abs() < 1e-12);
        assert_eq!(
            lat_to_world_y(89.9),
            lat_to_world_y(MAX_LATITUDE),
            "latitudes are clamped"
        );
    }

    #[test]
    fn bounds_choose_the_short_way_round_the_antimeridian() {
        let mut b = BoundsBuilder::default();
        b.add(179.0, -17.0);
        b.add(-179.0, -16.0);
        let bounds = b.bounds().expect("two points were added");
        assert!(bounds.crosses_antimeridian());
        assert_eq!((bounds.west, bounds.east), (179.0, -179.0));
        assert!((bounds.lon_span() - 2.0).abs() < 1e-12);

        let mut plain = BoundsBuilder::default();
        plain.add(-10.0, 0.0);
        plain.add(20.0, 1.0);
        assert_eq!(
            plain.bounds().map(|b| (b.west, b.east)),
            Some((-10.0, 20.0))
        );
        assert!(BoundsBuilder::default().bounds().is_none());
    }

    /// The box as (west, east), and whether it holds every longitude given, as written.
    fn lon_box(lons: &[f64]) -> ((f64, f64), bool) {
        let mut b = BoundsBuilder::default();
        for &lon in lons {
            b.add(lon, 0.0);
        }
        let bounds = b.bounds().expect("points were added");
        let holds = |lon: f64| {
            if bounds.crosses_antimeridian() {
                lon >= bounds.west || lon <= bounds.east
            } else {
                (bounds.west..=bounds.east).contains(&lon)
            }
        };
        (
            (bounds.west, bounds.east),
            lons.iter().all(|&lon| holds(lon)),
        )
    }

    #[test]
    fn bounds_hold_points_at_both_ends_of_the_antimeridian() {
        assert_eq!(lon_box(&[180.0, -180.0]), ((-180.0, 180.0), true));
        assert_eq!(lon_box(&[-180.0, 180.0, -180.0]), ((-180.0, 180.0), true));
        assert_eq!(lon_box(&[180.0, 180.0]), ((180.0, 180.0), true));
        assert_eq!(lon_box(&[-170.0, 180.0]), ((180.0, -170.0), true));
        assert_eq!(lon_box(&[-170.0, 180.0, -180.0]), ((180.0, -170.0), true));
        assert_eq!(lon_box(&[170.0, -180.0]), ((170.0, -180.0), true));
        assert_eq!(lon_box(&[170.0, -180.0, 180.0]), ((170.0, -180.0), true));
        assert_eq!(lon_box(&[10.0, -180.0, 180.0]), ((10.0, -180.0), true));
    }

    #[test]
    fn fit_shows_the_box_with_padding() {
        let bounds = LonLatBounds {
            west: -10.0,
            south: -5.0,
            east: 10.0,
            north: 5.0,
        };
        let view = View::fit(&bounds, 800, 600, 1.0, 20.0).expect("valid fit");
        let [x0, y0] = view.lon_lat_to_pixel(-10.0, 5.0);
        let [x1, y1] = view.lon_lat_to_pixel(10.0, -5.0);
        assert!(x0 >= 20.0 - 1e-6 && y0 >= 20.0 - 1e-6 && x1 <= 780.0 + 1e-6 && y1 <= 580.0 + 1e-6);
        assert!(
            (x0 - 20.0).abs() < 1e-6 || (y0 - 20.0).abs() < 1e-6,
            "one side touches the padding"
        );

        let fiji = LonLatBounds {
            west: 179.0,
            south: -17.0,
            east: -179.0,
            north: -16.0,
        };
        let view = View::fit(&fiji, 400, 400, 2.0, 10.0).expect("valid fit");
        assert!(
            (view.center[0].abs() - 180.0).abs() < 1e-9,
            "centre on the antimeridian"
        );
        assert!(view.zoom > 6.0);
    }

    #[test]
    fn world_copies_cover_the_antimeridian() {
        let view = View {
            center: [179.9, 0.0],
            zoom: 3.0,
            width: 512,
            height: 256,
            device_pixel_ratio: 1.0,
        };
        assert_eq!(view.world_copies(0.0), 0..=1);
        let view = View {
            center: [0.0, 0.0],
            zoom: 0.0,
            width: 2048,
            height: 512,
            device_pixel_ratio: 1.0,
        };
        assert_eq!(
            view.world_copies(0.0),
            -2..=2,
            "x in [-1.5, 2.5] touches five copies"
        );
    }

    #[test]
    fn panning_moves_content_with_the_pointer() {
        let view = View {
            center: [10.0, 20.0],
            zoom: 5.0,
            width: 400,
            height: 300,
            device_pixel_ratio: 2.0,
        };
        let before = view.lon_lat_to_pixel(12.0, 21.0);
        let after = view.panned_by(30.0, -15.0).lon_lat_to_pixel(12.0, 21.0);
        // 30 CSS px = 60 device px at dpr 2.
        assert!(
            (after[0] - before[0] - 60.0).abs() < 1e-6
                && (after[1] - before[1] + 30.0).abs() < 1e-6
        );
        let wrapped = View {
            center: [179.0, 0.0],
            ..view
        }
        .panned_by(-1000.0, 0.0);
        assert!((-180.0..180.0).contains(&wrapped.center[0]));
        let poles = view.panned_by(0.0, 1e9);
        assert!(
            (poles.center[1] - MAX_LATITUDE).abs() < 1e-9,
            "dragging down far enough stops at the north edge"
        );
    }

    #[test]
    fn zooming_keeps_the_anchor_fixed() {
        let view = View {
            center: [-122.4, 37.8],
            zoom: 9.0,
            width: 800,
            height: 600,
            device_pixel_ratio: 1.5,
        };
        let anchor_css = [620.0, 110.0];
        let under = view.pixel_to_lon_lat([anchor_css[0] * 1.5, anchor_css[1] * 1.5]);
        let zoomed = view.zoomed_around(11.3, anchor_css);
        let back = zoomed.lon_lat_to_pixel(under[0], under[1]);
        assert!(
            (back[0] - anchor_css[0] * 1.5).abs() < 1e-6
                && (back[1] - anchor_css[1] * 1.5).abs() < 1e-6
        );
        assert_eq!(view.zoomed_around(99.0, anchor_css).zoom, MAX_ZOOM);
    }

    #[test]
    fn validate_names_the_bad_field() {
        let good = View {
            center: [0.0, 0.0],
            zoom: 2.0,
            width: 100,
            height: 100,
            device_pixel_ratio: 1.0,
        };
        assert!(good.validate().is_ok());
        let bad = View {
            zoom: f64::NAN,
            ..good
        };
        assert!(matches!(
            bad.validate(),
            Err(Error::InvalidOption { option: "zoom", .. })
        ));
        let bad = View { width: 0, ..good };
        assert!(matches!(bad.validate(), Err(Error::InvalidSize { .. })));
        let bad = View {
            width: 5000,
            device_pixel_ratio: 2.0,
            ..good
        };
        assert!(matches!(bad.validate(), Err(Error::InvalidSize { .. })));
    }
}
