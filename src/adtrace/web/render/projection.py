"""The map projection: Lambert conformal conic on a sphere, with Statistics Canada's parameters.

Standard parallels 49° N and 77° N, origin 63.390675° N 91.866667° W (the parameters of
Statistics Canada's Lambert maps). Conformal, so small shapes (a city cluster, a province) keep
their form; areas grow towards the edges of Canada by at most about 10 % across its span, which is
invisible at the scale of a cluster map. A sphere (R = 6,371 km) instead of the ellipsoid moves
points by under 0.5 %: irrelevant for drawing, and it keeps the formulas short.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

EARTH_RADIUS_KM: Final = 6371.0
_PHI1: Final = math.radians(49.0)
_PHI2: Final = math.radians(77.0)
_PHI0: Final = math.radians(63.390675)
_LAMBDA0: Final = math.radians(-91.866667)


def _t(phi: FloatArray | float) -> FloatArray | float:
    return np.tan(np.pi / 4 + np.asarray(phi) / 2)


_N: Final = math.log(math.cos(_PHI1) / math.cos(_PHI2)) / math.log(
    float(_t(_PHI2)) / float(_t(_PHI1))
)
_F: Final = math.cos(_PHI1) * float(_t(_PHI1)) ** _N / _N
_RHO0: Final = EARTH_RADIUS_KM * _F / float(_t(_PHI0)) ** _N


def project(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Project degrees of longitude and latitude to kilometres east and north of the origin.

    Args:
        lon: longitudes in degrees (west negative).
        lat: latitudes in degrees; must lie strictly between -90 and 90.

    Returns:
        (x, y) in km; y grows northwards (flip it for SVG).
    """
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    rho = EARTH_RADIUS_KM * _F / np.asarray(_t(phi)) ** _N
    theta = _N * (lam - _LAMBDA0)
    return rho * np.sin(theta), _RHO0 - rho * np.cos(theta)
