"""The package against the CLI: same points, same errors, same PNG bytes; grids add up."""

import json
import subprocess
import threading

import numpy as np
import pytest

import geoheat
from conftest import EARTHQUAKES, ROOT
from scenes import SCENES


@pytest.fixture(scope="module")
def quakes():
    return geoheat.read_geojson(EARTHQUAKES, weight="mag", invalid_weight="skip")


def test_read_geojson_gives_the_files_points_in_order(quakes):
    features = json.loads(EARTHQUAKES.read_text())["features"]
    kept = [f for f in features if isinstance(f["properties"].get("mag"), (int, float))
            and f["properties"]["mag"] >= 0]
    assert len(quakes["lon"]) == len(kept) > 1000
    lon = np.array([f["geometry"]["coordinates"][0] for f in kept])
    lat = np.array([f["geometry"]["coordinates"][1] for f in kept])
    # World-wide data: f32 offsets in Web Mercator keep about a metre.
    np.testing.assert_allclose(quakes["lon"], lon, rtol=0, atol=1e-4)
    np.testing.assert_allclose(quakes["lat"], lat, rtol=0, atol=1e-4)
    assert quakes["weight"].dtype == np.float32
    np.testing.assert_array_equal(quakes["weight"], np.float32([f["properties"]["mag"] for f in kept]))


def test_named_properties_and_time_come_back_as_columns():
    features = json.loads(EARTHQUAKES.read_text())["features"]
    cols = geoheat.read_geojson(EARTHQUAKES, properties=["mag", "felt"], time_property="time")
    assert len(cols["lon"]) == len(features)
    mag = np.array([np.nan if f["properties"].get("mag") is None else f["properties"]["mag"]
                    for f in features])
    # Property values are kept as f32.
    np.testing.assert_array_equal(cols["mag"], np.float32(mag).astype(np.float64))
    assert np.isnan(cols["felt"]).sum() == sum(f["properties"].get("felt") is None for f in features)
    # Times are f32 offsets from the first time: within a few seconds over a week of data.
    times = np.array([f["properties"]["time"] for f in features], dtype=np.float64)
    np.testing.assert_allclose(cols["time"], times, rtol=0, atol=1000.0)


def test_bytes_and_paths_read_alike(quakes):
    from_bytes = geoheat.read_geojson(EARTHQUAKES.read_bytes(), weight="mag", invalid_weight="skip")
    from_buffer = geoheat.read_geojson(bytearray(EARTHQUAKES.read_bytes()), "mag", invalid_weight="skip")
    for columns in (from_bytes, from_buffer):
        for name in ("lon", "lat", "weight"):
            np.testing.assert_array_equal(columns[name], quakes[name])


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "tests/data/bad").glob("*.geojson")))
def test_errors_are_the_clis(name, cli):
    path = ROOT / "tests" / "data" / "bad" / name
    with pytest.raises(geoheat.GeoJSONError) as raised:
        geoheat.read_geojson(path, weight="mag")
    error = raised.value
    run = subprocess.run([str(cli), "render", str(path), "-o", "/dev/null", "-q",
                          "--weight-property", "mag"], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.strip() == f"geoheat: {error}"
    assert error.code.startswith("GEOJSON_")
    assert f":{error.line}:{error.column}:" in str(error)
    assert f"(byte {error.byte_offset}" in str(error)
    assert (error.feature_index is None) == (", feature " not in str(error))


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.geojson"):
        geoheat.read_geojson(tmp_path / "nowhere.geojson")


@pytest.mark.parametrize("name", sorted(SCENES))
def test_shaded_grids_are_the_clis_png(name, quakes, render_cli, tmp_path):
    scene = SCENES[name]
    density = geoheat.aggregate(quakes["lon"], quakes["lat"], quakes["weight"],
                                view=scene.view(), radius=scene.radius)
    assert density.dtype == np.float32 and density.shape == scene.view().shape
    rgba = scene.shade(density)
    assert rgba.dtype == np.uint8 and rgba.shape == density.shape + (4,)
    assert (rgba[..., 3] > 0).sum() > 1000, "the scene shows heat"
    geoheat.to_png(rgba, tmp_path / "py.png")
    assert (tmp_path / "py.png").read_bytes() == render_cli(EARTHQUAKES, *scene.cli_args())


@pytest.mark.parametrize("name", sorted(SCENES))
def test_grids_of_parts_add_up_to_the_grid_of_the_whole(name, quakes):
    scene = SCENES[name]
    lon, lat, w = quakes["lon"], quakes["lat"], quakes["weight"]
    kw = dict(view=scene.view(), radius=scene.radius, origin=(lon[0], lat[0]))
    whole = geoheat.aggregate(lon, lat, w, **kw)
    # Interleaved halves: every pixel's sum is split.
    parts = [geoheat.aggregate(lon[k::2], lat[k::2], w[k::2], **kw) for k in (0, 1)]
    total = parts[0] + parts[1]
    assert np.abs(total - whole).max() <= 1e-6 * whole.max()
    assert np.array_equal(scene.shade(total), scene.shade(whole))


def test_points_beyond_the_kernels_reach_change_nothing(quakes):
    scene = SCENES["california"]
    lon, lat, w = quakes["lon"], quakes["lat"], quakes["weight"]
    far = dict(lon=np.full(1000, 10.0), lat=np.full(1000, -40.0), w=np.ones(1000, np.float32))
    kw = dict(view=scene.view(), radius=scene.radius, origin=(lon[0], lat[0]))
    with_far = geoheat.aggregate(np.r_[lon, far["lon"]], np.r_[lat, far["lat"]],
                                 np.r_[w, far["w"]], **kw)
    assert np.array_equal(with_far, geoheat.aggregate(lon, lat, w, **kw))


def test_columns_are_converted_and_read_in_any_layout(quakes):
    scene = SCENES["california"]
    lon, lat, w = quakes["lon"], quakes["lat"], quakes["weight"]
    kw = dict(view=scene.view(), radius=scene.radius)
    expected = geoheat.aggregate(lon, lat, w, **kw)
    strided = np.stack([lon, lat]).T  # columns with a stride of two values
    got = geoheat.aggregate(strided[:, 0], strided[:, 1], w.astype(np.float64), **kw)
    assert np.array_equal(got, expected)
    assert np.array_equal(geoheat.aggregate(list(lon), list(lat), list(w), **kw), expected)


def test_threads_aggregate_at_once(quakes):
    scene = SCENES["world"]
    args = (quakes["lon"], quakes["lat"], quakes["weight"])
    expected = geoheat.aggregate(*args, view=scene.view(), radius=scene.radius)
    results = [None] * 4

    def run(k):
        results[k] = geoheat.aggregate(*args, view=scene.view(), radius=scene.radius)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.array_equal(r, expected) for r in results)


def test_no_points_give_a_transparent_image():
    view = SCENES["california"].view()
    density = geoheat.aggregate(np.array([]), np.array([]), view=view)
    assert density.shape == view.shape and not density.any()
    assert not geoheat.shade(density).any()


@pytest.mark.parametrize("call, message", [
    (lambda v: geoheat.aggregate([0.0, 181.0], [0.0, 0.0], view=v), "point 1"),
    (lambda v: geoheat.aggregate([0.0], [0.0], [-1.0], view=v), "weight -1"),
    (lambda v: geoheat.aggregate([0.0, 1.0], [0.0], view=v), "one length"),
    (lambda v: geoheat.aggregate([0.0], [0.0], view=v, radius=0), "radius"),
    (lambda v: geoheat.shade(np.zeros((2, 2), np.float32), normalize="stable"), "stable"),
    (lambda v: geoheat.shade(np.zeros((2, 2), np.float32), ramp="rainbow"), "rainbow"),
    (lambda v: geoheat.shade(np.zeros((2, 2), np.float32), opacity=2), "opacity"),
    (lambda v: geoheat.View(center=(0, 95), zoom=1, width=10, height=10), "center"),
])
def test_mistakes_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call(SCENES["california"].view())
