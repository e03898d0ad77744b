"""What to test: the scene-graph scenario language, the driving domain and the library.

Knows nothing of rendering, models or statistics. The answer vocabulary (``ANSWERS``,
``AnswerKind``, ``ACTION_OPTIONS``, ``ACTION_CHOICES_TEXT``) lives in the ``drivecert`` core
and is re-exported here.
"""

from drivecert import ACTION_CHOICES_TEXT, ACTION_OPTIONS, ANSWERS, AnswerKind
from scenarios._balance import BALANCE_SCENES, answer_balance, constant_questions
from scenarios._condition import Condition
from scenarios._domain import (
    AGENT_SHAPES,
    controls_for,
    driving_domain,
    kinds_for,
    layouts_permitting,
    scene_problems,
)
from scenarios._graph import Edge, Graph, Node
from scenarios._observation import (
    CORRUPTION,
    NO_CORRUPTION,
    OBSERVATION_VARIABLES,
    SEVERITY,
    SEVERITY_VALUES,
    observation,
    scene_condition,
)
from scenarios._program import (
    RandomStream,
    Rejected,
    SampleContext,
    UnsatisfiableCondition,
    Variable,
    run_program,
)
from scenarios._questions import (
    GroundTruth,
    Outcome,
    Question,
    action_truth,
    yes_no_truth,
)
from scenarios._scenario import (
    SCENARIOS,
    Scenario,
    Scene,
    get_scenario,
    list_scenarios,
    register_scenario,
)
from scenarios._scene import (
    AGENT_KINDS,
    CONTROL_KINDS,
    LIGHT_STATES,
    MANEUVERS,
    RELATIONS,
    ROAD_LAYOUTS,
    Agent,
    Ego,
    Road,
    SceneGraph,
    TrafficControl,
)
from scenarios._variants import (
    ORIGINAL,
    QUESTION_VARIANT,
    SYNONYM_SWAPS,
    reworded,
    variant_ids,
)
from scenarios._weather import (
    CARLA_FIELDS,
    CARLA_PRESET_NAMES,
    FOG_PRESET_NAMES,
    WEATHER_PRESETS,
    Weather,
    weather_preset,
)

__all__ = [
    "ACTION_CHOICES_TEXT",
    "ACTION_OPTIONS",
    "AGENT_KINDS",
    "AGENT_SHAPES",
    "ANSWERS",
    "BALANCE_SCENES",
    "CARLA_FIELDS",
    "CARLA_PRESET_NAMES",
    "CONTROL_KINDS",
    "CORRUPTION",
    "FOG_PRESET_NAMES",
    "LIGHT_STATES",
    "MANEUVERS",
    "NO_CORRUPTION",
    "OBSERVATION_VARIABLES",
    "ORIGINAL",
    "QUESTION_VARIANT",
    "RELATIONS",
    "ROAD_LAYOUTS",
    "SCENARIOS",
    "SEVERITY",
    "SEVERITY_VALUES",
    "SYNONYM_SWAPS",
    "WEATHER_PRESETS",
    "Agent",
    "AnswerKind",
    "Condition",
    "Edge",
    "Ego",
    "Graph",
    "GroundTruth",
    "Node",
    "Outcome",
    "Question",
    "RandomStream",
    "Rejected",
    "Road",
    "SampleContext",
    "Scenario",
    "Scene",
    "SceneGraph",
    "TrafficControl",
    "UnsatisfiableCondition",
    "Variable",
    "Weather",
    "action_truth",
    "answer_balance",
    "constant_questions",
    "controls_for",
    "driving_domain",
    "get_scenario",
    "kinds_for",
    "layouts_permitting",
    "list_scenarios",
    "observation",
    "register_scenario",
    "reworded",
    "run_program",
    "scene_condition",
    "scene_problems",
    "variant_ids",
    "weather_preset",
    "yes_no_truth",
]
