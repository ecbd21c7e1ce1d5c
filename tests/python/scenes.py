"""Scenes rendered both by the CLI and by the package: one description, two spellings."""

from dataclasses import dataclass, field

import geoheat


@dataclass(frozen=True)
class Scene:
    center: tuple = (-120.0, 37.0)
    zoom: float = 4.0
    width: int = 400
    height: int = 300
    dpr: float = 1.0
    radius: float = 25.0
    ramp: str = "classic"
    # "viewport" or a fixed maximum density.
    normalize: object = "viewport"
    opacity: float = 1.0
    extra: tuple = field(default=())

    def view(self) -> geoheat.View:
        return geoheat.View(center=self.center, zoom=self.zoom, width=self.width,
                            height=self.height, dpr=self.dpr)

    def cli_args(self) -> list:
        normalize = self.normalize if self.normalize == "viewport" else f"fixed:{self.normalize}"
        return [
            "--weight-property", "mag", "--invalid-weight", "skip",
            "--center", f"{self.center[0]},{self.center[1]}", "--zoom", str(self.zoom),
            "--width", str(self.width), "--height", str(self.height), "--dpr", str(self.dpr),
            "--radius", str(self.radius), "--ramp", self.ramp, "--normalize", normalize,
            "--opacity", str(self.opacity),
        ]

    def shade(self, density):
        return geoheat.shade(density, ramp=self.ramp, normalize=self.normalize,
                             opacity=self.opacity)


# The CLI golden scene (tests/golden/earthquakes-california.png, with viewport normalisation),
# a HiDPI one with another ramp and opacity and a fixed maximum, and the whole world (the view
# reaches across the antimeridian).
SCENES = {
    "california": Scene(),
    "hidpi-viridis-fixed": Scene(center=(-150.0, 55.0), zoom=3.0, width=320, height=200, dpr=2.0,
                                 radius=12.0, ramp="viridis", normalize=30.0, opacity=0.6),
    "world": Scene(center=(170.0, 10.0), zoom=1.0, width=640, height=300, radius=10.0,
                   ramp="0:#0000ff00,0.5:lime,1:red"),
}
