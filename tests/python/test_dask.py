"""geoheat.dask on a LocalCluster of two worker processes: the summed grid is the single-process
grid within float32 rounding, and shaded it is the CLI's PNG byte for byte."""

import os
import subprocess

import numpy as np
import pandas as pd
import pytest

import geoheat
import geoheat.dask
from conftest import EARTHQUAKES
from scenes import SCENES

dd = pytest.importorskip("dask.dataframe", reason="installed by tests/python/setup.sh")
distributed = pytest.importorskip("dask.distributed", reason="installed by tests/python/setup.sh")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            yield client


def ran_on_both_workers(client, stream):
    """True when the partition grids of `stream` ran in both worker processes."""
    names = ((t["key"] if isinstance(t["key"], str) else t["key"][0], t["worker"])
             for t in stream.data)
    workers = {worker for name, worker in names if name.startswith("_partition_grid")}
    pids = client.run(os.getpid)
    return len(pids) == 2 and len(set(pids.values())) == 2 and workers == set(pids)


def off_by_rounding(summed, single):
    """Asserts that `summed` shaded is `single` shaded (the CLI's pixels) but for pixels where
    the two grids' values, each normalised by its own maximum (which may differ in the last
    bit too), straddle a palette step: the sum's own f32 rounding, and nothing else."""
    assert abs(float(summed.max()) - float(single.max())) <= 1e-6 * float(single.max())
    differ = (geoheat.shade(summed) != geoheat.shade(single)).any(axis=2)
    assert differ.sum() <= 1e-4 * differ.size, f"{differ.sum()} pixels differ"
    # Palette positions (the step boundaries are at k + 0.5), in float64: each differing pixel
    # has a boundary between its two values, give or take the f32 arithmetic of the shading.
    a = single[differ].astype(np.float64) * (255.0 / float(single.max()))
    b = summed[differ].astype(np.float64) * (255.0 / float(summed.max()))
    boundary = np.round(np.minimum(a, b) + 0.5) - 0.5
    slack = 1e-4
    assert np.all((np.minimum(a, b) <= boundary + slack) & (boundary - slack <= np.maximum(a, b))), (a, b)
    assert np.all(np.abs(a - b) <= 255 * 2e-6), "more than f32 rounding apart"


@pytest.fixture(scope="module")
def quakes():
    return pd.DataFrame(geoheat.read_geojson(EARTHQUAKES, weight="mag", invalid_weight="skip"))


@pytest.mark.parametrize("name", sorted(SCENES))
def test_the_sum_over_partitions_is_the_single_process_grid_and_the_clis_png(
        name, client, quakes, render_cli, tmp_path):
    scene = SCENES[name]
    ddf = dd.from_pandas(quakes, npartitions=9, sort=False)
    with distributed.get_task_stream(client) as stream:
        summed = geoheat.dask.aggregate(ddf, weight="weight", view=scene.view(),
                                        radius=scene.radius, split_every=2)
    assert ran_on_both_workers(client, stream)
    single = geoheat.aggregate(quakes["lon"], quakes["lat"], quakes["weight"],
                               view=scene.view(), radius=scene.radius)
    assert summed.dtype == np.float32 and summed.shape == single.shape
    assert np.abs(summed - single).max() <= 1e-6 * single.max()
    geoheat.to_png(scene.shade(summed), tmp_path / "dask.png")
    assert (tmp_path / "dask.png").read_bytes() == render_cli(EARTHQUAKES, *scene.cli_args())


def test_a_million_points_from_parquet_match_the_cli_but_for_pixels_on_a_palette_step(client, tmp_path, render_cli):
    # Clustered points around three cities plus a uniform background, fixed seed.
    rng = np.random.default_rng(15)
    n = 1_000_000
    centres = np.array([[-122.42, 37.77], [-118.24, 34.05], [-121.89, 37.34]])
    which = rng.integers(0, 4, n)
    lon = rng.uniform(-125, -114, n)
    lat = rng.uniform(32, 42, n)
    clustered = which < 3
    lon[clustered] = centres[which[clustered], 0] + rng.normal(0, 0.3, clustered.sum())
    lat[clustered] = centres[which[clustered], 1] + rng.normal(0, 0.3, clustered.sum())
    frame = pd.DataFrame({"x": lon, "y": lat, "w": rng.uniform(0, 3, n).astype(np.float32)})
    (tmp_path / "points").mkdir()
    for k, part in enumerate(np.array_split(np.arange(n), 16)):
        frame.iloc[part].to_parquet(tmp_path / "points" / f"part.{k:02}.parquet")
    geojson = tmp_path / "points.geojson"
    features = ",".join(
        f'{{"type":"Feature","properties":{{"w":{repr(float(w))}}},'
        f'"geometry":{{"type":"Point","coordinates":[{repr(x)},{repr(y)}]}}}}'
        for x, y, w in zip(lon.tolist(), lat.tolist(), frame["w"].tolist()))
    geojson.write_text(f'{{"type":"FeatureCollection","features":[{features}]}}')

    view = geoheat.View(center=(-120.0, 36.5), zoom=6.0, width=512, height=384)
    ddf = dd.read_parquet(tmp_path / "points")
    assert ddf.npartitions == 16
    with distributed.get_task_stream(client) as stream:
        summed = geoheat.dask.aggregate(ddf, "x", "y", "w", view=view, radius=15.0)
    assert ran_on_both_workers(client, stream)
    single = geoheat.aggregate(lon, lat, frame["w"].to_numpy(), view=view, radius=15.0)
    assert np.abs(summed - single).max() <= 1e-6 * single.max()
    # One process draws the CLI's PNG byte for byte...
    geoheat.to_png(geoheat.shade(single), tmp_path / "single.png")
    expected = render_cli(geojson, "--weight-property", "w", "--center", "-120,36.5", "--zoom",
                          "6", "--width", "512", "--height", "384", "--radius", "15",
                          "--normalize", "viewport")
    assert (tmp_path / "single.png").read_bytes() == expected
    # ...and the sum over partitions differs from it only by its f32 rounding: a pixel whose
    # value sits within that rounding of a palette step may land on the next step (measured: one
    # pixel, at 102.50000022 steps in the CLI's grid, just below .5 in the sum; the two maxima
    # differ by one ulp). The CLI splats a million kernels into one f32 grid in file order and
    # blurs it once; the partitions splat into 16 grids, each blurred and resampled in f32, then
    # added. 72% of the grid's values differ in their last bits (at most 4.4e-7 of the maximum),
    # and adding the partition grids in float64 instead still leaves 69% (3.5e-7) and the same
    # pixel: exact equality needs an order-independent accumulation in the core's splat (e.g.
    # fixed point, with the partitions' splat grids summed before one blur), not a change here.
    off_by_rounding(summed, single)


def test_an_empty_frame_gives_an_empty_grid(client):
    view = SCENES["california"].view()
    empty = dd.from_pandas(pd.DataFrame({"lon": [], "lat": []}, dtype=float), npartitions=1)
    grid = geoheat.dask.aggregate(empty, view=view)
    assert grid.shape == view.shape and not grid.any()


def test_the_tree_can_be_left_to_compute_later(client, quakes):
    scene = SCENES["california"]
    ddf = dd.from_pandas(quakes, npartitions=3, sort=False)
    lazy = geoheat.dask.aggregate(ddf, weight="weight", view=scene.view(), compute=False)
    eager = geoheat.dask.aggregate(ddf, weight="weight", view=scene.view())
    assert np.array_equal(lazy.compute(), eager)
    with pytest.raises(ValueError, match="split_every"):
        geoheat.dask.aggregate(ddf, view=scene.view(), split_every=1)


def world_y_to_lat(y):
    return np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * y))))


@pytest.mark.parametrize("zoom, corner", [(1, (1, 1)), (4, (3, 6))])
def test_tiles_are_one_picture_cut_without_seams(zoom, corner, client, quakes, tmp_path):
    if zoom > 1:
        # The quakes around the block of tiles, and a few tiles beyond it: a task per tile and
        # partition, so the whole world at zoom 4 would take a while.
        quakes = quakes[quakes["lon"].between(-140, -85) & quakes["lat"].between(15, 60)]
        quakes = quakes.reset_index(drop=True)
    ddf = dd.from_pandas(quakes, npartitions=4, sort=False)
    maxima = geoheat.dask.tiles(ddf, tmp_path, weight="weight", min_zoom=zoom, max_zoom=zoom,
                                tile_size=256, radius=12, ramp="magma")
    # The 2x2 tiles around the corner, drawn as one 512-pixel view centred on it (a 256-pixel
    # tile is 512 CSS pixels at pixel ratio 0.5, so the radius of 12 tile pixels is 24 CSS px).
    n = 2 ** zoom
    cx, cy = corner
    whole = geoheat.View(center=(cx / n * 360 - 180, float(world_y_to_lat(cy / n))), zoom=zoom,
                         width=1024, height=1024, dpr=0.5)
    first = (quakes["lon"][0], quakes["lat"][0])
    grid = geoheat.aggregate(quakes["lon"], quakes["lat"], quakes["weight"], view=whole,
                             radius=24, origin=first)
    rgba = geoheat.shade(grid, ramp="magma", normalize=maxima[zoom])
    for dx in (0, 1):
        for dy in (0, 1):
            tile = tmp_path / str(zoom) / str(cx - 1 + dx) / f"{cy - 1 + dy}.png"
            quadrant = np.ascontiguousarray(rgba[256 * dy:256 * (dy + 1), 256 * dx:256 * (dx + 1)])
            assert quadrant[..., 3].any(), f"{tile} shows heat"
            geoheat.to_png(quadrant, tmp_path / "piece.png")
            assert tile.read_bytes() == (tmp_path / "piece.png").read_bytes(), tile
    if zoom == 1:
        # The four tiles are the whole world: one maximum for the zoom, the one-piece grid's.
        assert maxima[1] == grid.max()
        assert len(list(tmp_path.glob("1/*/*.png"))) == 4


def pyramid_files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.glob("*/*/*.png"))}


@pytest.mark.parametrize("npartitions", [1, 3])
def test_tiles_are_the_clis_tiles_byte_for_byte(npartitions, client, quakes, cli, tmp_path):
    # The same tile range and per-zoom maximum (the core's), and grids that are the CLI's: with
    # one partition they are drawn from the same points in the same order; with three, the sum
    # of the partitions' grids must round to the same pixels.
    subprocess.run([str(cli), "tiles", str(EARTHQUAKES), "-o", str(tmp_path / "cli"),
                    "--min-zoom", "0", "--max-zoom", "3", "--radius", "10", "--ramp", "magma",
                    "--weight-property", "mag", "--invalid-weight", "skip", "-q"], check=True)
    ddf = dd.from_pandas(quakes, npartitions=npartitions, sort=False)
    maxima = geoheat.dask.tiles(ddf, tmp_path / "dask", weight="weight", min_zoom=0,
                                max_zoom=3, radius=10, ramp="magma")
    assert all(maxima[z] > 0 for z in range(4))
    cli_tiles, dask_tiles = pyramid_files(tmp_path / "cli"), pyramid_files(tmp_path / "dask")
    assert len(cli_tiles) > 20 and sorted(dask_tiles) == sorted(cli_tiles)
    differ = [name for name in cli_tiles if cli_tiles[name] != dask_tiles[name]]
    assert not differ, f"{len(differ)} of {len(cli_tiles)} tiles differ: {differ[:5]}"


def test_the_pyramid_checks_its_zooms_and_sizes():
    with pytest.raises(ValueError, match="256 or 512"):
        geoheat.Pyramid(0, 2, tile_size=300)
    with pytest.raises(ValueError, match="min <= max"):
        geoheat.Pyramid(3, 2)
    pyramid = geoheat.Pyramid(1, 2, tile_size=256, radius=12)
    assert pyramid.css_radius == 24
    with pytest.raises(ValueError, match="outside the pyramid"):
        pyramid.tiles(3, -10, -10, 10, 10)
    # Around (0, 0) at zoom 1: the four tiles meet there.
    assert pyramid.tiles(1, -1, -1, 1, 1) == [(0, 0), (0, 1), (1, 0), (1, 1)]
