"""Measuring rendered audio: "did this listener hear the 440 Hz caller?".

Tests (ours and users') assert on audio by spectrum, not by eye: a tone's energy in a narrow
band around its frequency against the total.
"""

from __future__ import annotations

import numpy as np


def band_fraction(samples: np.ndarray, hz: float, sample_rate: int = 8000, width: float = 15.0) -> float:
    """Fraction of the signal's energy within ``hz ± width`` (0 for silence)."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 2:
        x = x.sum(axis=1)
    if len(x) == 0:
        return 0.0
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    total = spec.sum()
    if total == 0:
        return 0.0
    f = np.fft.rfftfreq(len(x), 1.0 / sample_rate)
    return float(spec[np.abs(f - hz) <= width].sum() / total)


def band_rms(samples: np.ndarray, hz: float, sample_rate: int = 8000, width: float = 15.0) -> float:
    """RMS (int16 units) of the part of the signal within ``hz ± width``."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 2:
        x = x.sum(axis=1)
    if len(x) == 0:
        return 0.0
    return float(np.sqrt(np.mean(x**2) * band_fraction(x, hz, sample_rate, width)))


def dominant_hz(samples: np.ndarray, sample_rate: int = 8000) -> float:
    x = np.asarray(samples, dtype=np.float64)
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1.0 / sample_rate)[int(np.argmax(spec))])
