"""Weather as CARLA describes it: the 14 fields of ``carla.WeatherParameters`` and presets.

The table below equals the presets of the CARLA 0.9.16 client (a test checks it against
``carla.WeatherParameters`` when the client is installed), so a named weather means the
same in the embedded renderer and in CARLA. The fog presets are drivecert's own, built
from ClearNoon by setting ``fog_density``, ``fog_distance`` and ``fog_falloff``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from drivecert import UsageError


@dataclass(frozen=True)
class Weather:
    """One weather: a name and the 14 ``carla.WeatherParameters`` fields.

    Attributes:
        name: preset name, e.g. ``"HardRainNoon"``.
        cloudiness: 0 (clear sky) to 100 (overcast).
        precipitation: rain intensity, 0 to 100.
        precipitation_deposits: puddles on the road, 0 to 100.
        wind_intensity: 0 to 100; slants the rain.
        sun_azimuth_angle: degrees, 0 to 360 (-1 in the presets: CARLA's default).
        sun_altitude_angle: degrees, -90 (midnight) to 90 (midday).
        fog_density: 0 to 100.
        fog_distance: metres from the camera where fog starts.
        wetness: 0 to 100; darkens and wets the road surface.
        fog_falloff: fog density fall-off with height (1 = as air).
        scattering_intensity: light contribution to volumetric fog.
        mie_scattering_scale: scattering by large particles (pollution, dust).
        rayleigh_scattering_scale: scattering by small particles (the blue sky).
        dust_storm: 0 to 100.
    """

    name: str
    cloudiness: float
    precipitation: float
    precipitation_deposits: float
    wind_intensity: float
    sun_azimuth_angle: float
    sun_altitude_angle: float
    fog_density: float
    fog_distance: float
    wetness: float
    fog_falloff: float
    scattering_intensity: float = 1.0
    mie_scattering_scale: float = 0.03
    rayleigh_scattering_scale: float = 0.0331
    dust_storm: float = 0.0

    def __post_init__(self) -> None:
        for name in CARLA_FIELDS:
            object.__setattr__(self, name, float(getattr(self, name)))
        for name in _PERCENT_FIELDS:
            value = getattr(self, name)
            if not 0.0 <= value <= 100.0:
                raise UsageError(f"weather {self.name}: {name}={value} must lie in [0, 100]")
        if not -90.0 <= self.sun_altitude_angle <= 90.0:
            raise UsageError(
                f"weather {self.name}: sun_altitude_angle={self.sun_altitude_angle} "
                "must lie in [-90, 90]"
            )
        if self.fog_distance < 0:
            raise UsageError(f"weather {self.name}: fog_distance must be >= 0 metres")

    @property
    def is_night(self) -> bool:
        """Whether the sun is below the horizon."""
        return self.sun_altitude_angle < 0.0

    def carla_kwargs(self) -> dict[str, float]:
        """The 14 fields as keyword arguments for ``carla.WeatherParameters``."""
        return {f: getattr(self, f) for f in CARLA_FIELDS}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Weather:
        """Inverse of :meth:`to_dict`."""
        return cls(**data)


CARLA_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Weather) if f.name != "name")
_PERCENT_FIELDS = (
    "cloudiness",
    "precipitation",
    "precipitation_deposits",
    "wind_intensity",
    "fog_density",
    "wetness",
    "dust_storm",
)

# name: cloudiness, precipitation, deposits, wind, sun altitude, fog density,
#       fog distance, wetness, fog falloff            (CARLA 0.9.16 client values)
_CARLA_TABLE: dict[str, tuple[float, ...]] = {
    "ClearNoon": (5, 0, 0, 10, 45, 2, 0.75, 0, 0.1),
    "CloudyNoon": (60, 0, 0, 10, 45, 3, 0.75, 0, 0.1),
    "WetNoon": (5, 0, 50, 10, 45, 3, 0.75, 0, 0.1),
    "WetCloudyNoon": (60, 0, 50, 10, 45, 3, 0.75, 0, 0.1),
    "SoftRainNoon": (20, 30, 50, 30, 45, 3, 0.75, 0, 0.1),
    "MidRainyNoon": (60, 60, 60, 60, 45, 3, 0.75, 0, 0.1),
    "HardRainNoon": (100, 100, 90, 100, 45, 7, 0.75, 0, 0.1),
    "ClearSunset": (5, 0, 0, 10, 15, 2, 0.75, 0, 0.1),
    "CloudySunset": (60, 0, 0, 10, 15, 3, 0.75, 0, 0.1),
    "WetSunset": (5, 0, 50, 10, 15, 2, 0.75, 0, 0.1),
    "WetCloudySunset": (60, 0, 50, 10, 15, 2, 0.75, 0, 0.1),
    "SoftRainSunset": (20, 30, 50, 30, 15, 2, 0.75, 0, 0.1),
    "MidRainSunset": (60, 60, 60, 60, 15, 3, 0.75, 0, 0.1),
    "HardRainSunset": (100, 100, 90, 100, 15, 7, 0.75, 0, 0.1),
    "ClearNight": (5, 0, 0, 10, -90, 60, 75, 0, 1.0),
    "CloudyNight": (60, 0, 0, 10, -90, 60, 0.75, 0, 0.1),
    "WetNight": (5, 0, 50, 10, -90, 60, 75, 60, 1.0),
    "WetCloudyNight": (60, 0, 50, 10, -90, 60, 0.75, 60, 0.1),
    "SoftRainNight": (60, 30, 50, 30, -90, 60, 0.75, 60, 0.1),
    "MidRainyNight": (80, 60, 60, 60, -90, 60, 0.75, 80, 0.1),
    "HardRainNight": (100, 100, 90, 100, -90, 100, 0.75, 100, 0.1),
    "DustStorm": (100, 0, 0, 100, 45, 2, 0.75, 0, 0.1),
}
_DUST = {"DustStorm": 100.0}

# name: base preset, fog density, fog distance (m), fog falloff      (drivecert's own)
_FOG_TABLE: dict[str, tuple[str, float, float, float]] = {
    "LightFogNoon": ("ClearNoon", 30, 40, 1.0),
    "MidFogNoon": ("ClearNoon", 60, 15, 1.0),
    "DenseFogNoon": ("ClearNoon", 90, 5, 1.0),
    "DenseFogNight": ("ClearNight", 90, 5, 1.0),
}


def _build_presets() -> dict[str, Weather]:
    presets: dict[str, Weather] = {}
    for name, (
        cloud,
        rain,
        deposits,
        wind,
        alt,
        fog,
        fog_dist,
        wet,
        falloff,
    ) in _CARLA_TABLE.items():
        presets[name] = Weather(
            name=name,
            cloudiness=cloud,
            precipitation=rain,
            precipitation_deposits=deposits,
            wind_intensity=wind,
            sun_azimuth_angle=-1.0,
            sun_altitude_angle=alt,
            fog_density=fog,
            fog_distance=fog_dist,
            wetness=wet,
            fog_falloff=falloff,
            dust_storm=_DUST.get(name, 0.0),
        )
    for name, (base, density, distance, falloff) in _FOG_TABLE.items():
        presets[name] = replace(
            presets[base],
            name=name,
            fog_density=density,
            fog_distance=distance,
            fog_falloff=falloff,
        )
    return presets


WEATHER_PRESETS: dict[str, Weather] = _build_presets()
"""Every named weather: the 22 CARLA presets and the fog presets, in a stable order."""

CARLA_PRESET_NAMES: tuple[str, ...] = tuple(_CARLA_TABLE)
FOG_PRESET_NAMES: tuple[str, ...] = tuple(_FOG_TABLE)


def weather_preset(name: str) -> Weather:
    """The weather preset called ``name``; an unknown name lists the valid ones."""
    try:
        return WEATHER_PRESETS[name]
    except KeyError:
        raise UsageError(
            f"unknown weather preset {name!r}; valid: {', '.join(WEATHER_PRESETS)}"
        ) from None
