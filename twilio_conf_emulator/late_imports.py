"""Libraries imported on first use, from any thread.

A served process runs many threads at once (one per request, a realtime runner per world), and
the libraries it needs only for some work (requests for the first webhook, numpy for the first
sound) are imported by the first thread that needs them. Python's import locks are per
module: while one thread is still running a package's ``__init__``, another that imports one
of its submodules directly (``from requests.cookies import ...``) goes on without waiting, and
where the package's modules import each other, as requests' do, it meets a half-made module
("cannot import name ... from partially initialized module") or a lock deadlock; the webhook
or action that needed it fails. Importing the package itself first is safe: a second thread
waits until the first one has finished it. So a late import of a submodule calls ``whole``
first.
"""

from __future__ import annotations

import importlib


def whole(package: str) -> None:
    """``package`` imported, all of it, before a submodule of it is taken (a no-op once it is)."""
    importlib.import_module(package)
