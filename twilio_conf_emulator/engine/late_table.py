"""``LateTable``: an engine's table of named things (stored-action kinds, leg purposes), parts
of which belong to services loaded the first time one of their names is looked up.

The TwiML voice engine's kinds and legs, and TaskRouter's, are in every world's tables, but
their modules stay out of a process that never runs a TwiML document or routes a task (issue
11: memory of an idle server). A name is found as if the whole table had been given:
``table[name]`` and ``name in table`` load the service whose prefix the name starts with,
once.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any


class LateTable(dict):  # type: ignore[type-arg]  # str -> a kind's function or a LegPurpose
    """``LateTable(table, late={prefix: "package.module:function"})``: the function returns
    the rest of the table for every name that starts with ``prefix``."""

    def __init__(self, table: dict[str, Any], late: dict[str, str]) -> None:
        super().__init__(table)
        self._late = dict(late)
        self._loading = threading.Lock()

    def _load(self, name: object) -> None:
        """Load the service that owns ``name``, if one does and it is not loaded yet."""
        if not self._late or not isinstance(name, str):
            return
        with self._loading:  # a second thread asking waits for the first one's load
            for prefix, where in list(self._late.items()):
                if name.startswith(prefix):
                    module, _, function = where.partition(":")
                    self.update(getattr(importlib.import_module(module), function)())
                    # One service may own several prefixes: all of it is loaded now.
                    self._late = {p: w for p, w in self._late.items() if w != where}
                    return

    def __missing__(self, name: str) -> Any:
        self._load(name)
        if dict.__contains__(self, name):
            return dict.__getitem__(self, name)
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        if dict.__contains__(self, name):
            return True
        self._load(name)
        return dict.__contains__(self, name)

    def names(self) -> list[str]:
        """Every name loaded so far, and the prefix of every service not loaded yet (for a
        leg purpose, its whole name): what the table answers for, without loading anything."""
        return sorted({*self, *self._late})
