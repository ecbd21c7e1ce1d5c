"""Type stubs of the extension module geoheat._geoheat (see the docstrings there)."""

import os
from typing import Any, Dict, List, Literal, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

class GeoJSONError(ValueError):
    """GeoJSON that geoheat cannot read, located as the CLI locates it."""

    code: str
    line: Optional[int]
    column: Optional[int]
    byte_offset: Optional[int]
    feature_index: Optional[int]

class View:
    """A north-up view: centre (lon, lat), zoom (world = 512·2^zoom CSS px), size, pixel ratio."""

    def __init__(
        self, center: Tuple[float, float], zoom: float, width: int, height: int, dpr: float = 1.0
    ) -> None: ...
    @staticmethod
    def tile(z: int, x: int, y: int, size: int = 256) -> "View":
        """The view of XYZ tile z/x/y, `size` px square (pixel ratio size/512)."""
    @property
    def center(self) -> Tuple[float, float]: ...
    @property
    def zoom(self) -> float: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def dpr(self) -> float: ...
    @property
    def shape(self) -> Tuple[int, int]:
        """(rows, columns) of the view's grids, in device pixels."""

class Pyramid:
    """An XYZ pyramid of heat tiles: zooms min..max, tile_size px (256 or 512), radius in tile px."""

    def __init__(
        self, min_zoom: int, max_zoom: int, tile_size: int = 256, radius: float = 25.0
    ) -> None: ...
    @property
    def min_zoom(self) -> int: ...
    @property
    def max_zoom(self) -> int: ...
    @property
    def tile_size(self) -> int: ...
    @property
    def radius(self) -> float: ...
    @property
    def css_radius(self) -> float:
        """The radius in CSS px of a tile's View: what `aggregate` takes for a tile."""
    def tiles(
        self, z: int, west: float, south: float, east: float, north: float
    ) -> List[Tuple[int, int]]:
        """The tiles (x, y) of zoom z that points within the box can heat."""
    def write_zoom(
        self,
        out_dir: Union[str, os.PathLike],
        z: int,
        grids: Sequence[Tuple[int, int, npt.ArrayLike]],
        *,
        ramp: str = "classic",
        opacity: float = 1.0,
        threshold: float = 0.0,
    ) -> Tuple[float, int]:
        """Colours zoom z's tile grids with their common maximum and writes those showing heat
        to out_dir/z/x/y.png; returns (maximum, tiles written)."""

Policy = Literal["error", "skip"]

def read_geojson(
    source: Union[str, os.PathLike, bytes, bytearray, memoryview],
    weight: Optional[str] = None,
    *,
    properties: Sequence[str] = (),
    time_property: Optional[str] = None,
    default_weight: float = 1.0,
    invalid_weight: Policy = "error",
    out_of_range: Policy = "error",
    lines_and_polygons: Literal["skip", "vertices"] = "skip",
) -> Dict[str, npt.NDArray[Any]]:
    """GeoJSON points as columns lon, lat (float64 degrees) and weight (float32), and one float64
    column per name in `properties` and for `time_property` (NaN where missing; times in epoch
    milliseconds)."""

def aggregate(
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    weight: Optional[npt.ArrayLike] = None,
    *,
    view: View,
    radius: float = 25.0,
    radius_meters: Optional[float] = None,
    intensity: float = 1.0,
    origin: Optional[Tuple[float, float]] = None,
) -> npt.NDArray[np.float32]:
    """The float32 density grid of the points in `view` (additive over splits of the points)."""

def shade(
    density: npt.ArrayLike,
    *,
    ramp: str = "classic",
    normalize: Union[Literal["viewport"], float] = "viewport",
    opacity: float = 1.0,
    threshold: float = 0.0,
) -> npt.NDArray[np.uint8]:
    """RGBA uint8 (rows, columns, 4) with the CLI's palette, normalisation and rounding."""

def to_png(
    rgba: npt.NDArray[np.uint8],
    path: Union[str, os.PathLike],
    *,
    compression: Literal["fast", "balanced", "best"] = "balanced",
) -> None:
    """Writes RGBA as the CLI's PNG encoding."""
