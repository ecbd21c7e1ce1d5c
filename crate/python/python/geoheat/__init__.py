"""Weighted kernel-density heatmaps of points on the geoheat core.

``read_geojson`` reads GeoJSON into NumPy columns, ``aggregate`` turns columns into the float32
density grid of a ``View``, ``shade`` colours a grid (or a sum of grids) into RGBA with the CLI's
palette and rounding, and ``to_png`` writes the CLI's PNG encoding. ``Pyramid`` holds the tile range and the
per-zoom normalisation of ``geoheat tiles`` (the CLI), for ``geoheat.dask.tiles``. ``geoheat.dask`` does the
same for Dask DataFrames: one grid per partition, summed in a tree, coloured once.
"""

from ._geoheat import GeoJSONError, Pyramid, View, aggregate, read_geojson, shade, to_png

__all__ = ["GeoJSONError", "Pyramid", "View", "aggregate", "read_geojson", "shade", "to_png"]
