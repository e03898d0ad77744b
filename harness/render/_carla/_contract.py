"""Every CARLA call the renderer makes: the contract a live server (and a fake) must meet.

A test checks with ``hasattr`` that each listed name exists on the real 0.9.16 client's
classes, and the fake world of the tests implements exactly these. Nothing outside this
list is called.
"""

from __future__ import annotations

#: class name in the ``carla`` module -> the methods and attributes used on its objects.
CONTRACT: dict[str, tuple[str, ...]] = {
    "Client": (
        "set_timeout",
        "get_client_version",
        "get_server_version",
        "get_world",
        "load_world",
        "get_trafficmanager",
    ),
    "World": (
        "get_map",
        "get_settings",
        "apply_settings",
        "set_weather",
        "get_blueprint_library",
        "try_spawn_actor",
        "spawn_actor",
        "tick",
        "get_traffic_lights_from_waypoint",
    ),
    "WorldSettings": ("synchronous_mode", "fixed_delta_seconds"),
    "Map": ("name", "get_topology", "get_all_landmarks_of_type"),
    "Waypoint": (
        "transform",
        "is_junction",
        "get_junction",
        "next",
        "previous",
        "lane_id",
        "road_id",
        "lane_width",
        "lane_type",
        "get_left_lane",
        "get_right_lane",
    ),
    "Junction": ("id", "get_waypoints"),
    "Landmark": ("waypoint",),
    "BlueprintLibrary": ("find",),
    "ActorBlueprint": ("set_attribute", "has_attribute"),
    "Actor": (
        "destroy",
        "get_transform",
        "set_transform",
        "set_simulate_physics",
        "bounding_box",
        "type_id",
        "id",
    ),
    "TrafficLight": ("set_state", "freeze"),
    "Sensor": ("listen", "stop"),
    "Image": ("raw_data", "width", "height", "frame"),
    "TrafficManager": ("set_synchronous_mode", "set_random_device_seed"),
    "Transform": (
        "location",
        "rotation",
        "get_forward_vector",
        "get_right_vector",
        "transform",
        "get_inverse_matrix",
    ),
    "Location": ("x", "y", "z"),
    "Vector3D": ("x", "y", "z"),
    "Rotation": ("pitch", "yaw", "roll"),
    "BoundingBox": ("extent", "location", "get_world_vertices"),
}

#: Data classes constructed offline (they exist in the client without a server).
CONSTRUCTED = (
    "Client",
    "WeatherParameters",
    "Transform",
    "Location",
    "Rotation",
    "TrafficLightState",
    "LaneType",
)
