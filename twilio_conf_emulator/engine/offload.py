"""What ``Engine.offload`` hands back when a job run outside the lock raised."""

from dataclasses import dataclass


@dataclass
class JobFailed:
    """An offloaded job raised: its error is reported as its ``then`` action's would be."""

    error: Exception

    def reraise(self) -> None:
        raise self.error
