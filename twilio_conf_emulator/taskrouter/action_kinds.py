"""TaskRouter's stored actions (``engine.actions``), merged into the engine's table by the
world that wires both services: ``kind`` -> ``fn(eng, **stored_args)``. Once released, a kind
keeps its name (see ``engine/action_kinds.py``)."""

from collections.abc import Callable

from . import matching, tasks


def stored_actions() -> dict[str, Callable[..., object]]:
    return {
        "taskrouter.match": matching._match,
        "taskrouter.target-timeout": matching._target_timeout,
        "taskrouter.reservation-timeout": matching._reservation_timeout,
        "taskrouter.task-ttl": tasks._ttl,
    }
