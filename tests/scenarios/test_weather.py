"""Weather presets: CARLA's 14 fields and its named presets, plus fog presets."""

import pytest

from drivecert import UsageError
from scenarios import CARLA_FIELDS, CARLA_PRESET_NAMES, FOG_PRESET_NAMES, Weather, weather_preset

LUMOS_NAMES = [
    f"{w}{t}"
    for t in ("Noon", "Sunset", "Night")
    for w in ("Clear", "Cloudy", "Wet", "WetCloudy", "SoftRain", "HardRain")
] + ["MidRainyNoon", "MidRainSunset", "MidRainyNight"]


def test_fourteen_fields_and_every_named_preset() -> None:
    assert len(CARLA_FIELDS) == 14
    assert set(LUMOS_NAMES) <= set(CARLA_PRESET_NAMES)
    assert len(CARLA_PRESET_NAMES) == 22


def test_hard_rain_noon_matches_the_platform_notes() -> None:
    w = weather_preset("HardRainNoon")
    assert (w.cloudiness, w.precipitation, w.precipitation_deposits, w.wind_intensity) == (
        100,
        100,
        90,
        100,
    )
    assert (w.sun_altitude_angle, w.fog_density) == (45, 7)
    assert not w.is_night and weather_preset("ClearNight").is_night


def test_presets_equal_the_carla_client() -> None:
    carla = pytest.importorskip("carla")
    for name in CARLA_PRESET_NAMES:
        theirs = getattr(carla.WeatherParameters, name)
        ours = weather_preset(name)
        for field in CARLA_FIELDS:
            assert getattr(theirs, field) == pytest.approx(getattr(ours, field), abs=1e-4), (
                name,
                field,
            )
        built = carla.WeatherParameters(**ours.carla_kwargs())
        assert built.precipitation == pytest.approx(ours.precipitation)


def test_fog_presets_grow_denser() -> None:
    fogs = [weather_preset(n) for n in FOG_PRESET_NAMES if n.endswith("Noon")]
    assert [f.fog_density for f in fogs] == sorted(f.fog_density for f in fogs)
    assert [f.fog_distance for f in fogs] == sorted((f.fog_distance for f in fogs), reverse=True)


def test_bad_weather_is_rejected() -> None:
    with pytest.raises(UsageError, match="unknown weather preset 'Sunny'"):
        weather_preset("Sunny")
    fields = weather_preset("ClearNoon").to_dict() | {"precipitation": 150}
    with pytest.raises(UsageError, match=r"precipitation=150.0 must lie in \[0, 100\]"):
        Weather(**fields)
    assert Weather.from_dict(weather_preset("WetNight").to_dict()) == weather_preset("WetNight")
