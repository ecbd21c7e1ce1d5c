"""Density grids of Dask DataFrames: one grid per partition, summed in a tree, coloured once.

Density is a sum of kernels, so the grid of all the rows is the sum of the grids of the
partitions. ``aggregate`` maps every partition to the float32 grid of the view (each drawing
only the points whose kernel reaches the view), then adds the grids pairwise-by-``split_every``
in a tree of Dask tasks, so no worker ever holds more than ``split_every`` grids and the depth
is logarithmic in the number of partitions. ``geoheat.shade`` then normalises and colours the
sum once: the normalisation is global, as if one machine had drawn every point.
"""

from __future__ import annotations

import os
import warnings
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import dask
import numpy as np
from dask import delayed

from ._geoheat import Pyramid, View
from ._geoheat import aggregate as _aggregate_columns

__all__ = ["aggregate", "tiles"]


def aggregate(
    ddf: Any,
    lon: str = "lon",
    lat: str = "lat",
    weight: Optional[str] = None,
    *,
    view: View,
    radius: float = 25.0,
    radius_meters: Optional[float] = None,
    intensity: float = 1.0,
    origin: Optional[Tuple[float, float]] = None,
    split_every: int = 8,
    compute: bool = True,
) -> Any:
    """The float32 density grid of the rows of the Dask DataFrame ``ddf`` in ``view``.

    ``lon``, ``lat`` and ``weight`` name the columns (degrees; weights finite and ≥ 0; without
    ``weight`` every row weighs 1). ``radius``, ``radius_meters`` and ``intensity`` are those of
    ``geoheat.aggregate``. ``origin`` is the (lon, lat) every partition measures positions from;
    by default the first row of ``ddf`` (found with ``head``, reading partitions up to the first
    that has rows), as ``geoheat.aggregate`` and the CLI do for the whole data, so the sum equals
    their grid within float32 rounding. Grids are added ``split_every`` at a time.

    Returns the summed grid as a NumPy array, or, with ``compute=False``, a ``dask.delayed``
    object that computes it. Colour it with ``geoheat.shade``.
    """
    if split_every < 2:
        raise ValueError(f"split_every must be at least 2, not {split_every}")
    names = [lon, lat] + ([weight] if weight is not None else [])
    frame = ddf[names]
    if origin is None:
        origin = _first_position(frame, lon, lat)
    grids = [
        delayed(_partition_grid, pure=True)(
            part, lon, lat, weight, view, radius, radius_meters, intensity, origin
        )
        for part in frame.to_delayed()
    ]
    total = _tree_sum(grids, split_every)
    return total.compute() if compute else total


def tiles(
    ddf: Any,
    out_dir: Union[str, os.PathLike],
    lon: str = "lon",
    lat: str = "lat",
    weight: Optional[str] = None,
    *,
    min_zoom: int,
    max_zoom: int,
    tile_size: int = 256,
    radius: float = 25.0,
    intensity: float = 1.0,
    ramp: str = "classic",
    opacity: float = 1.0,
    threshold: float = 0.0,
    split_every: int = 8,
) -> Dict[int, float]:
    """Writes an XYZ pyramid of heat tiles, ``out_dir/z/x/y.png``, for zooms
    ``min_zoom..max_zoom``, ``tile_size`` pixels square (256 or 512), ``radius`` in tile pixels:
    the tiles of ``geoheat tiles`` (the CLI) for the same points.

    The tiles that the data's heat reaches (``Pyramid.tiles``) each get a grid (``aggregate``,
    one Dask graph for all of them, so each partition is read once); ``Pyramid.write_zoom``
    then colours every tile of a zoom with the maximum over all of them, so tiles join without
    seams: the pixels of adjacent tiles are those of their union drawn in one piece. Tiles
    without heat are not written. Returns each zoom's maximum density (0 when no point reaches
    it).
    """
    pyramid = Pyramid(min_zoom, max_zoom, tile_size, radius)
    names = [lon, lat] + ([weight] if weight is not None else [])
    frame = ddf[names]
    origin = _first_position(frame, lon, lat)
    if origin is None:
        return {z: 0.0 for z in range(min_zoom, max_zoom + 1)}
    west, east, south, north = dask.compute(
        frame[lon].min(), frame[lon].max(), frame[lat].min(), frame[lat].max())
    jobs = {}
    for z in range(min_zoom, max_zoom + 1):
        for x, y in pyramid.tiles(z, west, south, east, north):
            jobs[z, x, y] = aggregate(
                frame, lon, lat, weight, view=View.tile(z, x, y, tile_size),
                radius=pyramid.css_radius, intensity=intensity, origin=origin,
                split_every=split_every, compute=False)
    grids = dict(zip(jobs, dask.compute(*jobs.values())))
    maxima = {}
    for z in range(min_zoom, max_zoom + 1):
        of_zoom = [(x, y, grid) for (gz, x, y), grid in grids.items() if gz == z]
        maxima[z], _ = pyramid.write_zoom(out_dir, z, of_zoom, ramp=ramp, opacity=opacity,
                                          threshold=threshold)
    return maxima


def _first_position(frame: Any, lon: str, lat: str) -> Optional[Tuple[float, float]]:
    """The (lon, lat) of the first row, or None when there are no rows: partition by partition,
    so usually only the first is read."""
    for k in range(frame.npartitions):
        with warnings.catch_warnings():
            # An empty partition has fewer rows than asked for: the next one is tried.
            warnings.simplefilter("ignore", UserWarning)
            first = frame.partitions[k][[lon, lat]].head(1, npartitions=1, compute=True)
        if len(first):
            return float(first[lon].iloc[0]), float(first[lat].iloc[0])
    return None


def _partition_grid(
    part: Any,
    lon: str,
    lat: str,
    weight: Optional[str],
    view: View,
    radius: float,
    radius_meters: Optional[float],
    intensity: float,
    origin: Optional[Tuple[float, float]],
) -> np.ndarray:
    """The grid of one partition (a pandas DataFrame); float64 columns are read in place."""
    return _aggregate_columns(
        part[lon].to_numpy(dtype=np.float64),
        part[lat].to_numpy(dtype=np.float64),
        None if weight is None else part[weight].to_numpy(),
        view=view,
        radius=radius,
        radius_meters=radius_meters,
        intensity=intensity,
        origin=origin,
    )


def _tree_sum(grids: Sequence[Any], split_every: int) -> Any:
    """Delayed grids added ``split_every`` at a time, level by level, down to one."""
    level = list(grids)
    while len(level) > 1:
        level = [
            delayed(_sum, pure=True)(*level[k : k + split_every])
            for k in range(0, len(level), split_every)
        ]
    return level[0]


def _sum(*grids: np.ndarray) -> np.ndarray:
    total = grids[0].copy()
    for grid in grids[1:]:
        total += grid
    return total
