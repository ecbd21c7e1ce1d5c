//! Heat tiles: adjacent tiles are one picture cut into pieces (no seams), and tiles beyond
//! the reach of the points are transparent, so the pyramid leaves none out.

use geoheat::geo::{View, world_x_to_lon, world_y_to_lat};
use geoheat::tiles::{Pyramid, TileId, density, render_zoom, shade_zoom};
use geoheat::{HeatStyle, IngestOptions, Scene, ingest_geojson};

fn earthquakes() -> Scene {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../www/data/earthquakes.geojson"
    );
    let bytes = std::fs::read(path).expect("the bundled earthquakes are readable");
    let options = IngestOptions {
        weight_property: Some("mag".into()),
        invalid_weight: geoheat::ingest::InvalidPolicy::Skip,
        ..IngestOptions::default()
    };
    let (points, _) = ingest_geojson(&bytes, &options).expect("the earthquakes parse");
    let mut scene = Scene::new(points);
    let style = HeatStyle {
        ramp: geoheat::ColorRamp::parse("magma").expect("a ramp name"),
        ..HeatStyle::default()
    };
    scene.set_style(style).expect("a valid style");
    scene
}

/// The 2x2 tiles whose shared corner is the top left of tile `(z, cx, cy)`, as one view: twice
/// a tile's CSS size at the tiles' pixel ratio.
fn union_view(pyramid: &Pyramid, z: u32, cx: u32, cy: u32) -> View {
    let n = f64::from(1u32 << z);
    View {
        center: [
            world_x_to_lon(f64::from(cx) / n),
            world_y_to_lat(f64::from(cy) / n),
        ],
        zoom: f64::from(z),
        width: 1024,
        height: 1024,
        device_pixel_ratio: f64::from(pyramid.tile_size) / 512.0,
    }
}

#[test]
fn adjacent_tiles_equal_their_union_drawn_in_one_piece() {
    let scene = earthquakes();
    // California's corner at zoom 4 and 5 (tiles 2/3, 5/12...), both tile sizes, two radii.
    for (z, cx, cy, size, radius) in [
        (4, 3, 6, 256, 12.0),
        (5, 6, 12, 512, 30.0),
        (2, 1, 2, 256, 40.0),
    ] {
        let pyramid = Pyramid::new(z, z, size, radius).expect("a valid pyramid");
        let style = pyramid.tile_style(scene.style());
        let mut tile_scene = scene.clone();
        tile_scene.set_style(style.clone()).expect("a valid style");
        let whole =
            density(&tile_scene, &union_view(&pyramid, z, cx, cy)).expect("the union draws");
        let side = size as usize;
        let quadrants: Vec<(TileId, Vec<f32>)> = [(0, 0), (1, 0), (0, 1), (1, 1)]
            .into_iter()
            .map(|(dx, dy)| {
                let tile = TileId {
                    z,
                    x: cx - 1 + dx,
                    y: cy - 1 + dy,
                };
                (
                    tile,
                    density(&tile_scene, &pyramid.view(tile).expect("a tile")).expect("draws"),
                )
            })
            .collect();
        // Densities: the largest difference between a tile's pixel and the union's. The grids are
        // anchored to the world, so they agree but for the last bits of the kernels' faint
        // tails (the blur runs over each view's own span of nodes).
        let mut max_diff = 0.0f32;
        for (tile, grid) in &quadrants {
            let (ox, oy) = (
                (tile.x + 1 - cx) as usize * side,
                (tile.y + 1 - cy) as usize * side,
            );
            for row in 0..side {
                for col in 0..side {
                    let a = grid[row * side + col];
                    let b = whole[(oy + row) * 2 * side + ox + col];
                    max_diff = max_diff.max((a - b).abs());
                }
            }
        }
        let top = whole.iter().copied().fold(0.0, f32::max);
        println!(
            "zoom {z}, {size} px, r = {radius}: max |tile - union| density = {max_diff:e} \
             (highest density {top})"
        );
        assert!(
            max_diff <= 1e-6 * top,
            "zoom {z}, {size} px: tiles differ from their union"
        );
        // Pixels: the four tiles coloured with the zoom's maximum (here theirs) are the union's
        // pixels coloured with the same maximum.
        let shaded = shade_zoom(&quadrants, size, &style).expect("shades");
        assert_eq!(shaded.tiles.len(), 4, "every quadrant shows heat");
        let mut union_rgba = vec![0; whole.len() * 4];
        geoheat::raster::shade(&whole, shaded.maximum, &style, &mut union_rgba).expect("shades");
        for (tile, rgba) in &shaded.tiles {
            let (ox, oy) = (
                (tile.x + 1 - cx) as usize * side,
                (tile.y + 1 - cy) as usize * side,
            );
            for row in 0..side {
                let start = ((oy + row) * 2 * side + ox) * 4;
                assert_eq!(
                    rgba[row * side * 4..(row + 1) * side * 4],
                    union_rgba[start..start + side * 4],
                    "tile {}/{}/{} row {row}",
                    tile.z,
                    tile.x,
                    tile.y
                );
            }
        }
    }
}

#[test]
fn a_zoom_is_normalised_by_its_highest_tile_and_skips_tiles_without_heat() {
    let scene = earthquakes();
    for (z, size, radius) in [(1, 256, 25.0), (3, 256, 10.0), (2, 512, 60.0)] {
        let pyramid = Pyramid::new(z, z, size, radius).expect("a valid pyramid");
        let zoom = render_zoom(&pyramid, &scene, z).expect("the zoom draws");
        let mut tile_scene = scene.clone();
        tile_scene
            .set_style(pyramid.tile_style(scene.style()))
            .expect("a valid style");
        let bounds = scene.points().bounds().expect("points");
        let reached = pyramid.tiles_reached(z, &bounds);
        let n = 1u32 << z;
        let mut highest = 0.0f32;
        for x in 0..n {
            for y in 0..n {
                let tile = TileId { z, x, y };
                let grid =
                    density(&tile_scene, &pyramid.view(tile).expect("a tile")).expect("draws");
                highest = highest.max(grid.iter().copied().fold(0.0, f32::max));
                // No heat escapes the tiles reached...
                if !reached.contains(&tile) {
                    assert!(grid.iter().all(|&v| v == 0.0), "{z}/{x}/{y} has heat");
                }
                // ...and a tile is written when its pixels, coloured with the zoom's maximum,
                // show some heat.
                let mut rgba = vec![0; grid.len() * 4];
                geoheat::raster::shade(&grid, zoom.maximum, tile_scene.style(), &mut rgba)
                    .expect("shades");
                let written = zoom.tiles.iter().find(|(t, _)| *t == tile);
                let shows = rgba.chunks_exact(4).any(|p| p[3] > 0);
                assert_eq!(written.is_some(), shows, "{z}/{x}/{y}");
                if let Some((_, pixels)) = written {
                    assert!(
                        *pixels == rgba,
                        "{z}/{x}/{y}: coloured with the zoom's maximum"
                    );
                }
            }
        }
        if z == 3 {
            // The quakes leave most of the southern ocean's tiles out at zoom 3.
            assert!(reached.len() < 64, "zoom 3: the reach prunes tiles");
        }
        assert_eq!(zoom.maximum, highest, "zoom {z}");
    }
}

#[test]
fn pyramids_reject_what_tiles_cannot_be() {
    assert!(Pyramid::new(3, 2, 256, 25.0).is_err());
    assert!(Pyramid::new(0, 25, 256, 25.0).is_err());
    assert!(Pyramid::new(0, 2, 300, 25.0).is_err());
    assert!(Pyramid::new(0, 2, 256, f64::NAN).is_err());
    let pyramid = Pyramid::new(0, 2, 512, 25.0).expect("valid");
    assert_eq!(pyramid.css_radius(), 25.0);
    let grids = vec![(TileId { z: 0, x: 0, y: 0 }, vec![0.0; 10])];
    assert!(shade_zoom(&grids, 512, &HeatStyle::default()).is_err());
}

#[test]
fn tiles_reached_wrap_round_the_antimeridian() {
    let pyramid = Pyramid::new(3, 3, 256, 10.0).expect("valid");
    let crossing = geoheat::LonLatBounds {
        west: 170.0,
        south: -1.0,
        east: -170.0,
        north: 1.0,
    };
    let xs: Vec<u32> = pyramid
        .tiles_reached(3, &crossing)
        .iter()
        .map(|t| t.x)
        .collect();
    // Columns 7 (170..180) and 0 (-180..-135), each with the rows around the equator (3 and 4).
    assert_eq!(xs, vec![0, 0, 7, 7]);
}
