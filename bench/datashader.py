"""geoheat.dask against datashader on one dask.distributed LocalCluster: aggregate + shade of the
same synthetic points (Parquet partitions from a fixed seed) to 1024x768.

    target/venv/bin/python -m pip install datashader      # once; not part of the test setup
    target/venv/bin/python bench/datashader.py --points 10M [--points 100M] [--dir /tmp/geoheat-bench]

For each size it writes the points (once; kept in --dir for the next run). On one LocalCluster
of 2 worker processes with one thread each, for geoheat and then datashader: a warm-up on one
partition (numba compiles datashader's kernels in each process), then read Parquet ->
aggregate -> shade on all partitions, timed, sampling the resident memory of the two worker
processes and of this one (which receives the grid and shades) every 50 ms. The density grids are compared as follows:
datashader's per-pixel sum of weights (ds.sum, on a canvas widened by the kernel's reach so that
points just outside the view count, as they do in geoheat) convolved with geoheat's kernel (the
truncated Gaussian exp(-d^2/2s^2), s = r/3, over |dx|, |dy| <= r, separable) and cropped to the
view, against geoheat's grid; both divided by the convolved grid's maximum; PSNR = 10 log10(1/MSE).
The difference is geoheat's fast path (bilinear splat, blur on cells, Catmull-Rom resampling)
plus datashader's binning of each point to its pixel (up to half a pixel of displacement).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import threading
import time
from pathlib import Path

import numpy as np

# This file's folder comes first on sys.path, where this file would shadow the datashader package.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

CENTER = (-98.5, 39.0)
ZOOM = 4.0
WIDTH, HEIGHT = 1024, 768
RADIUS = 10.0
ROWS_PER_PARTITION = 1_000_000
SEED = 15
EARTH_CIRCUMFERENCE = 2 * math.pi * 6_378_137.0
CITIES = np.array([
    [-74.0, 40.7], [-118.2, 34.1], [-87.6, 41.9], [-95.4, 29.8], [-112.1, 33.4],
    [-75.2, 39.95], [-98.5, 29.4], [-117.2, 32.7], [-96.8, 32.8], [-122.4, 37.8],
])


def parse_count(text: str) -> int:
    scale = {"K": 10**3, "M": 10**6, "B": 10**9}
    return int(float(text[:-1]) * scale[text[-1].upper()]) if text[-1].upper() in scale else int(text)


def write_points(n: int, out: Path) -> None:
    """n points (lon, lat, w) in partitions of ROWS_PER_PARTITION rows: three quarters around
    ten US cities (normal, 1.5 degrees), a quarter uniform over the view's box; fixed seed."""
    import pandas as pd

    done = out / "_complete"
    if done.exists():
        return
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    for k, start in enumerate(range(0, n, ROWS_PER_PARTITION)):
        m = min(ROWS_PER_PARTITION, n - start)
        which = rng.integers(0, 4 * len(CITIES) // 3 + 1, m)
        lon = rng.uniform(-125.0, -67.0, m)
        lat = rng.uniform(25.0, 49.0, m)
        near = which < len(CITIES)
        lon[near] = CITIES[which[near], 0] + rng.normal(0, 1.5, near.sum())
        lat[near] = CITIES[which[near], 1] + rng.normal(0, 1.5, near.sum())
        np.clip(lat, -85.0, 85.0, out=lat)
        np.clip(lon, -180.0, 180.0, out=lon)
        frame = pd.DataFrame({"lon": lon, "lat": lat, "w": rng.uniform(0, 2, m).astype(np.float32)})
        frame.to_parquet(out / f"part.{k:04}.parquet", index=False)
    done.touch()


def view_meters(margin_px: float):
    """The view's x and y ranges in Web Mercator metres, widened by margin_px device pixels."""
    scale = 512.0 * 2**ZOOM
    cx = (CENTER[0] + 180.0) / 360.0
    s = math.sin(math.radians(CENTER[1]))
    cy = 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)
    half_w, half_h = (WIDTH / 2 + margin_px) / scale, (HEIGHT / 2 + margin_px) / scale
    x = ((cx - half_w - 0.5) * EARTH_CIRCUMFERENCE, (cx + half_w - 0.5) * EARTH_CIRCUMFERENCE)
    y = ((0.5 - (cy + half_h)) * EARTH_CIRCUMFERENCE, (0.5 - (cy - half_h)) * EARTH_CIRCUMFERENCE)
    return x, y


def to_meters(part):
    """lon/lat columns to Web Mercator metres (datashader aggregates on linear axes)."""
    import pandas as pd

    x = part["lon"].to_numpy() * (EARTH_CIRCUMFERENCE / 360.0)
    lat = np.radians(part["lat"].to_numpy())
    y = np.log(np.tan(np.pi / 4 + lat / 2)) * (EARTH_CIRCUMFERENCE / (2 * np.pi))
    return pd.DataFrame({"x": x, "y": y, "w": part["w"].to_numpy()}, index=part.index)


def run_geoheat(ddf):
    import geoheat
    import geoheat.dask

    view = geoheat.View(center=CENTER, zoom=ZOOM, width=WIDTH, height=HEIGHT)
    grid = geoheat.dask.aggregate(ddf, weight="w", view=view, radius=RADIUS)
    rgba = geoheat.shade(grid, ramp="classic")
    return grid, rgba


def run_datashader(ddf, margin_px: int):
    import datashader as ds
    import datashader.transfer_functions as tf
    import pandas as pd

    meta = pd.DataFrame({"x": np.float64([]), "y": np.float64([]), "w": np.float32([])})
    projected = ddf.map_partitions(to_meters, meta=meta)
    x_range, y_range = view_meters(margin_px)
    canvas = ds.Canvas(plot_width=WIDTH + 2 * margin_px, plot_height=HEIGHT + 2 * margin_px,
                       x_range=x_range, y_range=y_range)
    agg = canvas.points(projected, "x", "y", agg=ds.sum("w"))
    m = margin_px
    image = tf.shade(agg[m:m + HEIGHT, m:m + WIDTH], cmap=["lightblue", "darkblue"], how="linear")
    # The widened canvas, top row first as geoheat's (datashader's rows go up from the bottom);
    # pixels without points hold NaN.
    sums = np.nan_to_num(np.asarray(agg.values[::-1], dtype=np.float64))
    return sums, image


class MemorySampler:
    """Peak resident memory of some processes, sampled every 50 ms in a thread."""

    def __init__(self, pids):
        import psutil

        self.procs = {pid: psutil.Process(pid) for pid in pids}
        self.peak = {pid: 0 for pid in pids}
        self.peak_total = 0
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while self.running:
            total = 0
            for pid, proc in self.procs.items():
                try:
                    rss = proc.memory_info().rss
                except Exception:  # noqa: BLE001 - a worker restarting between samples
                    rss = 0
                self.peak[pid] = max(self.peak[pid], rss)
                total += rss
            self.peak_total = max(self.peak_total, total)
            time.sleep(0.05)

    def stop(self):
        self.running = False
        self.thread.join()


def gaussian_taps(radius: float) -> np.ndarray:
    r = int(math.floor(radius))
    d = np.arange(-r, r + 1, dtype=np.float64)
    return np.exp(-(d * d) / (2 * (radius / 3) ** 2))


def convolve_separable(grid: np.ndarray, taps: np.ndarray) -> np.ndarray:
    rows = np.apply_along_axis(lambda v: np.convolve(v, taps, mode="same"), 1, grid)
    return np.apply_along_axis(lambda v: np.convolve(v, taps, mode="same"), 0, rows)


def psnr(reference: np.ndarray, other: np.ndarray) -> float:
    peak = reference.max()
    mse = np.mean((reference / peak - other / peak) ** 2)
    return float("inf") if mse == 0 else 10 * math.log10(1.0 / mse)


def measure(client, label, fn, ddf, warm):
    """Warms the workers on one partition, then times fn on all of ddf; memory is the peak
    resident size of each process during the run and its rise over the size just before."""
    import gc

    import psutil

    fn(warm)
    client.run(gc.collect)
    gc.collect()
    pids = list(client.run(os.getpid).values()) + [os.getpid()]
    before = {pid: psutil.Process(pid).memory_info().rss for pid in pids}
    sampler = MemorySampler(pids)
    start = time.perf_counter()
    result = fn(ddf)
    seconds = time.perf_counter() - start
    sampler.stop()
    mib = lambda b: round(b / 2**20)  # noqa: E731
    return result, {
        "library": label,
        "seconds": round(seconds, 3),
        "peak_rss_workers_mib": [mib(sampler.peak[p]) for p in pids[:-1]],
        "rise_workers_mib": [mib(sampler.peak[p] - before[p]) for p in pids[:-1]],
        "peak_rss_client_mib": mib(sampler.peak[pids[-1]]),
        "rise_client_mib": mib(sampler.peak[pids[-1]] - before[pids[-1]]),
        "peak_rss_total_mib": mib(sampler.peak_total),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", action="append", default=None,
                        help="points to generate and render, e.g. 10M (repeatable) [10M]")
    parser.add_argument("--dir", default="/tmp/geoheat-bench", help="where the Parquet goes")
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args()

    import dask
    import dask.dataframe as dd
    import datashader
    import geoheat  # noqa: F401
    from dask.distributed import Client, LocalCluster

    margin = int(math.ceil(RADIUS)) + 2
    results = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        for count in [parse_count(p) for p in (args.points or ["10M"])]:
            path = Path(args.dir) / f"points-{count}"
            t0 = time.perf_counter()
            write_points(count, path)
            generated = time.perf_counter() - t0
            ddf = dd.read_parquet(path)
            warm = dd.read_parquet(sorted(path.glob("*.parquet"))[0])
            (grid, _), geo = measure(client, "geoheat", run_geoheat, ddf, warm)
            (counts, _), shader = measure(
                client, "datashader", lambda d: run_datashader(d, margin), ddf, warm)
            smooth = convolve_separable(counts, gaussian_taps(RADIUS))[margin:-margin, margin:-margin]
            row = {
                "points": count,
                "partitions": ddf.npartitions,
                "generate_seconds": round(generated, 1),
                "geoheat": geo,
                "datashader": shader,
                "time_ratio_geoheat_over_datashader": round(geo["seconds"] / shader["seconds"], 2),
                "psnr_db": round(psnr(smooth, grid.astype(np.float64)), 2),
                "weight_in_view": float(counts[margin:-margin, margin:-margin].sum()),
            }
            results.append(row)
            print(json.dumps(row), flush=True)
    info = {
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average "
                   f"{', '.join(f'{v:.2f}' for v in os.getloadavg())} at the end",
        "python": sys.version.split()[0],
        "versions": {"dask": dask.__version__, "datashader": datashader.__version__,
                     "numpy": np.__version__},
        "view": {"center": CENTER, "zoom": ZOOM, "width": WIDTH, "height": HEIGHT,
                 "radius": RADIUS},
        "results": results,
    }
    print(json.dumps(info, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(info, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
