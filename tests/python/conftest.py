"""Shared fixtures: the repository's paths and the `geoheat` CLI the package is held to."""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EARTHQUAKES = ROOT / "www" / "data" / "earthquakes.geojson"


@pytest.fixture(scope="session")
def cli() -> Path:
    """The CLI binary: $GEOHEAT_CLI, or built here with cargo (a no-op after `cargo test
    --all-features`, which builds the same binary)."""
    given = os.environ.get("GEOHEAT_CLI")
    if given:
        return Path(given)
    out = subprocess.run(
        ["cargo", "build", "-q", "-p", "geoheat", "--all-features", "--bin", "geoheat",
         "--profile", "test", "--message-format=json"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    for line in out.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message.get("executable"):
            if message["target"]["name"] == "geoheat":
                return Path(message["executable"])
    raise RuntimeError("cargo built no geoheat binary")


@pytest.fixture(scope="session")
def render_cli(cli, tmp_path_factory):
    """Runs `geoheat render INPUT -o OUT.png ARGS...` and returns the PNG's bytes."""
    out_dir = tmp_path_factory.mktemp("cli")

    def render(source: Path, *args: str) -> bytes:
        out = out_dir / f"{len(list(out_dir.iterdir()))}.png"
        subprocess.run([str(cli), "render", str(source), "-o", str(out), "-q", *args], check=True)
        return out.read_bytes()

    return render
