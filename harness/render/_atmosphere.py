"""CARLA's 14 weather fields turned into what the embedded renderer draws.

One mapping for every backend, so that a scene means the same thing everywhere:

- sun altitude and azimuth: sun direction, light level and colour (day, sunset, night);
  below -6 degrees street lamps and headlights come on.
- cloudiness: greyer, darker sky and weaker direct sun.
- precipitation: number of rain streaks; wind_intensity: their slant.
- precipitation_deposits, wetness: a darker road and puddles that mirror the sky.
- fog_density, fog_distance: depth fog that starts at fog_distance metres, with a
  visibility falling from 1 km (density 0) to 15 m (density 100); rain lowers it too.
- dust_storm tints the fog brown. fog_falloff and the three scattering fields shape
  CARLA's sky model only; they do not change this renderer's output (documented, not
  silently emulated).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scenarios import Weather

RGB = tuple[float, float, float]

MAX_RAIN_STREAKS = 2400
CLEAR_VISIBILITY_M = 1000.0
DENSE_VISIBILITY_M = 15.0


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    t = min(max(t, 0.0), 1.0)
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def _scale(a: RGB, k: float) -> RGB:
    return (a[0] * k, a[1] * k, a[2] * k)


def _smooth(lo: float, hi: float, x: float) -> float:
    u = min(max((x - lo) / (hi - lo), 0.0), 1.0)
    return u * u * (3 - 2 * u)


@dataclass(frozen=True)
class Atmosphere:
    """Lighting, sky, fog, wetness and rain for one weather.

    Attributes:
        daylight: 0 at night, 1 in full day.
        sun_direction: unit vector pointing from the sun into the scene.
        sun_color: direct light colour x intensity.
        ambient_color: ambient light colour x intensity.
        sky_zenith, sky_horizon: sky gradient colours (before fog).
        fog_color: colour distant things fade into.
        fog_start_m, fog_end_m: linear fog range (end = inf: no fog).
        road_darkening: factor applied to the ground colour (1 = dry).
        puddles: number of puddles on the road.
        rain_streaks: number of streaks in the rain volume.
        rain_slant_deg: streak slant from vertical, from the wind.
        lamps_on: street lamps and headlights lit.
    """

    daylight: float
    sun_direction: tuple[float, float, float]
    sun_color: RGB
    ambient_color: RGB
    sky_zenith: RGB
    sky_horizon: RGB
    fog_color: RGB
    fog_start_m: float
    fog_end_m: float
    road_darkening: float
    puddles: int
    rain_streaks: int
    rain_slant_deg: float
    lamps_on: bool

    def fog_factor(self, distance_m: ArrayLike) -> NDArray[np.float64]:
        """Fraction of fog colour at each distance (0 = clear, 1 = all fog)."""
        distance = np.asarray(distance_m, np.float64)
        if math.isinf(self.fog_end_m):
            return np.zeros_like(distance)
        span = self.fog_end_m - self.fog_start_m
        return np.clip((distance - self.fog_start_m) / span, 0.0, 1.0)


def visibility_m(fog_density: float, precipitation: float) -> float:
    """Distance over which the fog reaches full strength (log-linear in density)."""
    d = min(max(fog_density, 0.0), 100.0) / 100.0
    fog = CLEAR_VISIBILITY_M * math.pow(DENSE_VISIBILITY_M / CLEAR_VISIBILITY_M, d)
    rain = CLEAR_VISIBILITY_M * (1.0 - 0.75 * min(max(precipitation, 0.0), 100.0) / 100.0)
    return min(fog, rain)


def atmosphere(weather: Weather) -> Atmosphere:
    """The look of ``weather``."""
    altitude = weather.sun_altitude_angle
    cloud = min(max(weather.cloudiness, 0.0), 100.0) / 100.0
    rain = min(max(weather.precipitation, 0.0), 100.0) / 100.0
    daylight = _smooth(-6.0, 12.0, altitude)
    low_sun = _smooth(25.0, 3.0, altitude) * daylight  # warm light near the horizon
    sun_strength = (
        daylight * (1.0 - 0.8 * cloud) * (0.55 + 0.45 * math.sin(math.radians(max(altitude, 0.0))))
    )
    sun_color = _scale(_mix((1.0, 0.97, 0.9), (1.0, 0.62, 0.35), low_sun), 0.95 * sun_strength)
    ambient = 0.05 + daylight * (0.42 + 0.12 * cloud - 0.1 * rain)
    ambient_color = _scale(_mix((0.55, 0.6, 0.85), (0.95, 0.95, 1.0), daylight), ambient)

    clear_zenith = _mix((0.012, 0.016, 0.045), (0.3, 0.5, 0.88), daylight)
    clear_horizon = _mix((0.035, 0.045, 0.08), (0.72, 0.82, 0.95), daylight)
    clear_horizon = _mix(clear_horizon, (0.98, 0.6, 0.35), low_sun * (1 - cloud))
    grey = _scale((0.62, 0.64, 0.67), (0.25 + 0.75 * daylight) * (1.0 - 0.35 * rain))
    grey = _mix(grey, _scale(grey, 0.08), 1 - daylight)
    zenith = _mix(clear_zenith, _scale(grey, 0.9), cloud)
    horizon = _mix(clear_horizon, grey, cloud)

    fog_base = _mix((0.72, 0.74, 0.76), (0.7, 0.58, 0.42), weather.dust_storm / 100.0)
    fog_color = _scale(fog_base, 0.06 + 0.94 * daylight * (1.0 - 0.35 * cloud))
    density = max(weather.fog_density, 0.0)
    visibility = visibility_m(density, weather.precipitation)
    fogged = density > 0 or rain > 0
    wet = max(weather.wetness, weather.precipitation_deposits, 60.0 * rain) / 100.0
    azimuth = math.radians(weather.sun_azimuth_angle)
    elevation = math.radians(max(altitude, 8.0) if daylight > 0 else 35.0)
    direction = (
        -math.cos(elevation) * math.sin(azimuth),
        -math.cos(elevation) * math.cos(azimuth),
        -math.sin(elevation),
    )
    if daylight == 0:  # moonlight
        sun_color = (0.05, 0.06, 0.09)
    return Atmosphere(
        daylight=daylight,
        sun_direction=direction,
        sun_color=sun_color,
        ambient_color=ambient_color,
        sky_zenith=zenith,
        sky_horizon=horizon,
        fog_color=fog_color,
        fog_start_m=max(weather.fog_distance, 0.0),
        fog_end_m=max(weather.fog_distance, 0.0) + visibility if fogged else math.inf,
        road_darkening=1.0 - 0.45 * min(wet, 1.0),
        puddles=round(14 * min(max(weather.precipitation_deposits, 0.0), 100.0) / 100.0),
        rain_streaks=round(MAX_RAIN_STREAKS * rain),
        rain_slant_deg=40.0 * min(max(weather.wind_intensity, 0.0), 100.0) / 100.0,
        lamps_on=daylight < 0.35,
    )
