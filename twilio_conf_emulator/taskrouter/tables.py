"""TaskRouter's tables by name: what every world needs of them without loading TaskRouter
(``models`` maps them, on first use). A world's reset empties them, children first, and a
restart on the same store carries their SID sequences on (``world.py``)."""

WORLD_TABLES = ("tr_reservations", "tr_tasks", "tr_workers", "tr_workflows", "tr_task_queues",
                "tr_activities", "tr_workspaces")
SID_PREFIXES = {"WS": "tr_workspaces", "WA": "tr_activities", "WQ": "tr_task_queues",
                "WW": "tr_workflows", "WK": "tr_workers", "WT": "tr_tasks",
                "WR": "tr_reservations"}
