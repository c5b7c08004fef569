"""TaskRouter v1, as its own service beside the Voice API (moto-style):

- ``models``: its tables, in the shared metadata, every row keyed by ``account_sid``;
- ``expressions``: the documented subset of TaskRouter's expression language;
- ``resources``: create/update/delete rules of Workspaces, Activities, TaskQueues, Workflows,
  Workers, Tasks (no Flask);
- ``matching``: workflow filters, queues, reservations, timeouts (no Flask);
- ``instructions``: what an assignment callback or a Reservation update asks for
  (accept, reject, conference, dequeue, call, redirect), carried out with the voice engine;
- ``events``: the workspace's EventCallbackUrl, signed and journaled;
- ``web``: the thin Flask blueprint on ``/v1/Workspaces/...`` (views in ``web/views.py``).
"""
