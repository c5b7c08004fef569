"""Rational-ratio polyphase resampling with a Kaiser-windowed sinc, in numpy only.

scipy is not a dependency, so this is a small ``resample_poly``.  Upsample by ``up``, low-pass,
keep every ``down``-th sample, without ever building the upsampled signal: output ``k`` sits
at upsampled position ``t = k*down + H`` and needs only the filter taps ``h[t % up + j*up]``
against input samples ``x[t // up - j]``.  All outputs with the same ``k % up`` share one
filter phase and read the input with stride ``down``, so the work is a loop over
(phase, tap) pairs of whole-vector numpy operations: a few thousand calls per file, never
a loop per sample, and memory stays O(len(x)).
"""

from __future__ import annotations

import functools
import math

import numpy as np

# Zero crossings of the sinc on each side and the Kaiser beta: ~80 dB stopband, a transition
# band of about 10% of the lower Nyquist frequency.  Plenty for telephony.
ZERO_CROSSINGS = 12
KAISER_BETA = 8.0
CUTOFF = 0.90  # of the lower Nyquist frequency


@functools.lru_cache(maxsize=32)
def _filter(up: int, down: int):
    """Taps designed at the upsampled rate, length 2H+1, DC gain ``up`` (the zero-stuffed
    signal has 1/up of the energy per sample)."""
    # Cutoff in cycles per upsampled sample.
    fc = CUTOFF * 0.5 / max(up, down)
    half = int(math.ceil(ZERO_CROSSINGS / (2.0 * fc)))
    n = np.arange(-half, half + 1, dtype=np.float64)
    h = 2.0 * fc * np.sinc(2.0 * fc * n) * np.kaiser(2 * half + 1, KAISER_BETA)
    h *= up / h.sum()
    h.setflags(write=False)
    return h, half


def output_length(n_in: int, rate_in: int, rate_out: int) -> int:
    """Nearest whole number of output samples covering the same duration."""
    g = math.gcd(rate_in, rate_out)
    up, down = rate_out // g, rate_in // g
    return (2 * n_in * up + down) // (2 * down)


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Resample a 1-D float signal; returns float64 of ``output_length`` samples."""
    x = np.asarray(x, dtype=np.float64)
    if rate_in == rate_out:
        return x.copy()
    g = math.gcd(rate_in, rate_out)
    up, down = rate_out // g, rate_in // g
    h, half = _filter(up, down)
    n_out = output_length(len(x), rate_in, rate_out)
    y = np.zeros(n_out, dtype=np.float64)
    if n_out == 0 or len(x) == 0:
        return y
    taps = -(-len(h) // up)  # taps per phase
    # Pad so every strided read below stays in range: ``taps`` before (j up to taps-1),
    # and enough after for the last output's centre index.
    lead = taps
    tail = (n_out * down + half) // up + 2 - len(x)
    xp = np.concatenate([np.zeros(lead), x, np.zeros(max(tail, 0) + 1)])
    for r in range(min(up, n_out)):
        t0 = r * down + half
        phase, i0 = t0 % up, t0 // up
        m = len(range(r, n_out, up))
        acc = np.zeros(m, dtype=np.float64)
        for j in range(taps):
            hi = phase + j * up
            if hi >= len(h):
                break
            s = lead + i0 - j
            acc += h[hi] * xp[s : s + (m - 1) * down + 1 : down]
        y[r::up] = acc
    return y
