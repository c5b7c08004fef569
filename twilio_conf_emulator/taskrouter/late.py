"""What every world needs of TaskRouter without loading it (issue 11: a server that never
routes a task never holds its models): its tables by name, which a world's reset empties
(children first) and whose SID sequences a restart carries on (``world.py``); and where its
leg purpose and stored-action kinds load from, on the first lookup of one of them
(``engine/late_table.py``)."""

WORLD_TABLES = ("tr_reservations", "tr_tasks", "tr_workers", "tr_workflows", "tr_task_queues",
                "tr_activities", "tr_workspaces")
SID_PREFIXES = {"WS": "tr_workspaces", "WA": "tr_activities", "WQ": "tr_task_queues",
                "WW": "tr_workflows", "WK": "tr_workers", "WT": "tr_tasks",
                "WR": "tr_reservations"}
LATE_PURPOSES = {"taskrouter-worker": "twilio_conf_emulator.taskrouter.service:purposes"}
LATE_KINDS = {"taskrouter.": "twilio_conf_emulator.taskrouter.action_kinds:stored_actions"}
