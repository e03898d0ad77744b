"""Reaching a CARLA server: one clear line when it is not there or speaks another version.

Host and port come from the render settings; ``DRIVECERT_CARLA_HOST`` and
``DRIVECERT_CARLA_PORT`` override the defaults. The world runs in synchronous mode with a
fixed step, and its traffic manager is synchronous and seeded, so that a scene's actors
move the same way every time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from drivecert import UsageError
from harness.render._base import RendererUnavailable, RenderSettings

FIXED_DELTA_S = 0.05
DEFAULT_TOWN = "Town05"
#: Towns by road layout when the run names none: Town05 has four-way and T junctions.
TOWNS = {"four_way": "Town05", "t_junction": "Town05", "straight_road": "Town05"}
START_HINT = "start one with scripts/start_carla.sh (or set DRIVECERT_CARLA_HOST/PORT)"


class ServerLost(RendererUnavailable):
    """The CARLA server stopped answering and did not come back: the run must stop."""


@dataclass(frozen=True)
class Endpoint:
    """Where the server is."""

    host: str
    port: int
    timeout_s: float

    @classmethod
    def of(cls, settings: RenderSettings) -> Endpoint:
        """The settings' server, unless the environment names another."""
        host = os.environ.get("DRIVECERT_CARLA_HOST") or settings.server_host
        port_text = os.environ.get("DRIVECERT_CARLA_PORT")
        try:
            port = int(port_text) if port_text else settings.server_port
        except ValueError:
            raise UsageError(
                f"DRIVECERT_CARLA_PORT={port_text!r} is not a port number; give e.g. 2000"
            ) from None
        return cls(host, port, settings.server_timeout_s)


def import_carla() -> Any:
    """The ``carla`` client module, or one line saying how to install it."""
    try:
        import carla
    except ImportError:
        raise UsageError(
            "the CARLA renderer needs the carla client: pip install 'drivecert[carla]' "
            "(carla==0.9.16 for Python 3.11)"
        ) from None
    return carla


def connect(carla: Any, endpoint: Endpoint) -> Any:
    """A client whose server answers and runs the same version.

    Raises:
        UsageError: one line naming host and port, and how to start a server, when none
            answers within the timeout; or the two versions when they differ.
    """
    client = carla.Client(endpoint.host, endpoint.port)
    client.set_timeout(endpoint.timeout_s)
    try:
        server = str(client.get_server_version())
    except RuntimeError:
        raise UsageError(
            f"no CARLA server answered at {endpoint.host}:{endpoint.port} within "
            f"{endpoint.timeout_s:g} s; {START_HINT}"
        ) from None
    ours = str(client.get_client_version())
    if _release(server) != _release(ours):
        raise UsageError(
            f"the CARLA server at {endpoint.host}:{endpoint.port} runs {server} but this client "
            f"is {ours}; install the matching client (pip install carla=={_release(server)})"
        )
    return client


def _release(version: str) -> str:
    """``0.9.16`` from ``0.9.16-12-gabcdef`` or ``0.9.16``."""
    return version.split("-")[0].strip()


def prepare_world(client: Any, town: str, seed: int) -> tuple[Any, Any]:
    """(world, traffic manager): ``town`` loaded if it is not already, synchronous, seeded."""
    world = client.get_world()
    current = str(world.get_map().name).rsplit("/", 1)[-1]
    if current != town:
        world = client.load_world(town)
    settings = world.get_settings()
    settings.synchronous_mode = True
    settings.fixed_delta_seconds = FIXED_DELTA_S
    world.apply_settings(settings)
    manager = client.get_trafficmanager()
    manager.set_synchronous_mode(True)
    manager.set_random_device_seed(seed % 2**31)
    return world, manager
