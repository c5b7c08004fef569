"""A Sound placed on the absolute sample timeline, and slicing it without copies.

Every source the mixer handles (a caller's voice, wait music, an announcement, a beep) is a
Clip: sample 0 of its Sound plays at absolute sample ``start``; it stops at its natural end
(never, if the Sound loops) or at ``stop`` (when the engine cut it), whichever is first.
Because positions are absolute, any window renders the same samples whatever chunk
boundaries the caller picks.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .audio import Sound

# A looped body shorter than this is tiled up to it once, so reading a chunk of a tiny loop
# (a 20 ms tone on repeat) is a few slices rather than hundreds.
_MIN_LOOP_BODY = 16000


class Clip:
    __slots__ = ("sound", "start", "stop", "_body")

    def __init__(self, sound: Sound, start: int, stop: int | None = None) -> None:
        self.sound = sound
        self.start = int(start)
        self.stop = stop
        self._body: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"Clip(start={self.start}, stop={self.stop}, n={len(self.sound.samples)}, loop_from={self.sound.loop_from})"

    @property
    def peak(self) -> int:
        return self.sound.peak

    @property
    def end(self) -> int | None:
        """First absolute sample after the clip, None = never ends."""
        natural = None if self.sound.endless else self.start + len(self.sound.samples)
        if self.stop is None:
            return natural
        return self.stop if natural is None else min(natural, self.stop)

    def cut(self, at: int) -> None:
        if self.stop is None or at < self.stop:
            self.stop = at

    def shifted(self, delay: int) -> Clip:
        """The same sound ``delay`` samples later (a jitter buffer on the voice path)."""
        stop = None if self.stop is None else self.stop + delay
        return Clip(self.sound, self.start + delay, stop)

    def overlaps(self, a: int, b: int) -> bool:
        end = self.end
        return self.start < b and (end is None or end > a)

    def _loop_body(self) -> np.ndarray:
        if self._body is None:  # computed once per clip
            body = self.sound.samples[self.sound.loop_from :]
            if len(body) < _MIN_LOOP_BODY:
                body = np.tile(body, -(-_MIN_LOOP_BODY // len(body)))
            self._body = body
        return self._body

    def pieces(self, a: int, b: int) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(absolute_position, view)`` covering [a, b) ∩ the clip, in order."""
        end = self.end
        lo = max(a, self.start)
        hi = b if end is None else min(b, end)
        if hi <= lo:
            return
        samples = self.sound.samples
        n = len(samples)
        i = lo - self.start
        pos = lo
        if i < n:
            m = min(n - i, hi - pos)
            yield pos, samples[i : i + m]
            pos += m
            i += m
        if pos < hi:  # only reachable when the sound loops
            body = self._loop_body()
            period = len(body)  # a whole number of loop periods, so the phase is exact
            j = (i - n) % period
            while pos < hi:
                m = min(period - j, hi - pos)
                yield pos, body[j : j + m]
                pos += m
                j = 0

    def add_into(self, acc: np.ndarray, origin: int, a: int, b: int, sign: int = 1) -> None:
        """acc[k] += clip[origin + k] over [a, b) (``sign=-1`` subtracts)."""
        for pos, v in self.pieces(a, b):
            o = pos - origin
            if sign > 0:
                acc[o : o + len(v)] += v
            else:
                acc[o : o + len(v)] -= v
