"""Speaker detection: an energy gate per 20 ms frame with attack and hangover.

Rules (all times relative to the first sample, in seconds):

1. A frame is *loud* when its RMS, in dBFS (re a full-scale square wave: a full-scale sine is
   -3 dBFS), is at least ``config.speech_threshold_dbfs``.  Only whole frames are judged; a
   trailing partial frame is ignored.
2. Speech *starts* on a run of at least ``ceil(attack_ms / frame_ms)`` consecutive loud
   frames; the start reported is the first frame of that run.  Shorter blips are ignored
   while not speaking.
3. While speaking, any loud frame (even one) keeps it going.  Speech *stops* once
   ``ceil(hangover_ms / frame_ms)`` consecutive quiet frames have passed; the stop reported
   is the end of the last loud frame plus the hangover (whether or not the input lasts that
   long, so a stop never depends on where a render window ends).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ..config import EmulatorConfig


def frame_dbfs(samples: ArrayLike, config: EmulatorConfig, sample_rate: int | None = None) -> np.ndarray:
    """RMS level of each whole frame, dBFS.  int input is scaled by 1/32768, float is
    taken as already in [-1, 1]."""
    x = np.asarray(samples)
    if x.ndim == 2:  # a dual-channel recording: judge the sum
        x = x.astype(np.float64).sum(axis=1)
    scale = 1.0 / 32768.0 if x.dtype.kind in "iu" else 1.0
    spf = (sample_rate or config.sample_rate) * config.frame_ms // 1000
    n = len(x) // spf
    frames = x[: n * spf].astype(np.float64).reshape(n, spf) * scale
    ms = np.einsum("ij,ij->i", frames, frames) / spf
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(ms)  # -inf for digital silence


def detect(samples: np.ndarray, config: EmulatorConfig, *, sample_rate: int | None = None, threshold_dbfs: float | None = None,
           attack_ms: int | None = None, hangover_ms: int | None = None) -> list[tuple[float, float]]:
    """[(start_s, stop_s), ...] speech spans; keywords override the config's gate."""
    threshold = config.speech_threshold_dbfs if threshold_dbfs is None else threshold_dbfs
    attack = max(1, math.ceil((config.speech_attack_ms if attack_ms is None else attack_ms) / config.frame_ms))
    hang = math.ceil((config.speech_hangover_ms if hangover_ms is None else hangover_ms) / config.frame_ms)

    loud = frame_dbfs(samples, config, sample_rate) >= threshold
    if not loud.any():
        return []
    # Runs of loud frames: [starts[i], ends[i]) in frame indices.
    edges = np.diff(np.concatenate([[0], loud.view(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    # Runs closer than the hangover belong to one utterance (a "cluster").
    new_cluster = np.concatenate([[True], starts[1:] - ends[:-1] >= hang])
    cluster = np.cumsum(new_cluster) - 1
    first_run = np.flatnonzero(new_cluster)
    last_run = np.append(first_run[1:] - 1, len(starts) - 1)
    # Speaking starts at a cluster's first run that lasts the attack; blips before it are not
    # speech, and a cluster of blips only is nothing.  It stops after the cluster's last run.
    q = np.flatnonzero(ends - starts >= attack)
    speaking, first_q = np.unique(cluster[q], return_index=True)
    # frames * ms / 1000 (not frames * 0.02): 190 frames is 3.8 s, not 3.8000000000000003.
    begin = starts[q[first_q]] * config.frame_ms / 1000.0
    stop = (ends[last_run[speaking]] + hang) * config.frame_ms / 1000.0
    return [(float(b), float(e)) for b, e in zip(begin, stop, strict=True)]
