"""media.speech: energy gate with attack and hangover."""

import dataclasses

import numpy as np
import pytest

from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.media.speech import detect, frame_dbfs

CFG = EmulatorConfig()  # -40 dBFS, attack 60 ms, hangover 800 ms, 20 ms frames
SR = CFG.sample_rate
FRAME = CFG.frame_ms / 1000
HANG = CFG.speech_hangover_ms / 1000


def signal(*parts, amp=0.1):
    """parts: (seconds, loud?) pairs -> int16; 500 Hz fills each 20 ms frame with whole periods."""
    out = []
    for seconds, loud in parts:
        n = int(round(seconds * SR))
        x = amp * np.sin(2 * np.pi * 500 * np.arange(n) / SR) if loud else np.zeros(n)
        out.append(x)
    return np.rint(np.concatenate(out) * 32767).astype(np.int16)


def test_tone_silence_tone_gives_two_spans_at_the_expected_times():
    x = signal((1.0, False), (1.0, True), (2.0, False), (0.5, True), (2.0, False))
    spans = detect(x, CFG)
    assert len(spans) == 2
    (s1, e1), (s2, e2) = spans
    assert s1 == pytest.approx(1.0, abs=FRAME) and e1 == pytest.approx(2.0 + HANG, abs=FRAME)
    assert s2 == pytest.approx(4.0, abs=FRAME) and e2 == pytest.approx(4.5 + HANG, abs=FRAME)


def test_a_gap_shorter_than_the_hangover_does_not_stop_speech():
    x = signal((0.5, False), (1.0, True), (HANG - 0.1, False), (1.0, True), (2.0, False))
    spans = detect(x, CFG)
    assert len(spans) == 1
    start, stop = spans[0]
    assert start == pytest.approx(0.5, abs=FRAME)
    assert stop == pytest.approx(0.5 + 2.0 + HANG - 0.1 + HANG, abs=FRAME)


def test_a_gap_of_the_hangover_stops_speech():
    x = signal((0.5, False), (1.0, True), (HANG + 0.1, False), (1.0, True), (2.0, False))
    assert len(detect(x, CFG)) == 2


def test_blips_shorter_than_the_attack_are_ignored():
    blip = (CFG.speech_attack_ms - CFG.frame_ms) / 1000  # one frame short of the attack
    x = signal((1.0, False), (blip, True), (1.0, False), (blip, True), (1.0, False))
    assert detect(x, CFG) == []
    just = CFG.speech_attack_ms / 1000
    y = signal((1.0, False), (just, True), (1.0, False))
    [(start, stop)] = detect(y, CFG)
    assert start == pytest.approx(1.0, abs=FRAME)  # reported at the first frame of the run
    assert stop == pytest.approx(1.0 + just + HANG, abs=FRAME)


def test_a_blip_during_speech_extends_it():
    x = signal((0.2, False), (1.0, True), (0.5, False), (0.02, True), (2.0, False))
    [(start, stop)] = detect(x, CFG)
    assert stop == pytest.approx(0.2 + 1.0 + 0.5 + 0.02 + HANG, abs=FRAME)


def test_threshold_and_overrides():
    quiet = signal((1.0, True), amp=10 ** (-50 / 20))  # about -53 dBFS RMS
    assert detect(quiet, CFG) == []
    assert len(detect(quiet, CFG, threshold_dbfs=-60)) == 1
    louder = dataclasses.replace(CFG, speech_threshold_dbfs=-60.0)
    assert len(detect(quiet, louder)) == 1
    level = frame_dbfs(signal((0.2, True), amp=1.0), CFG)
    assert level == pytest.approx(np.full(10, -3.01), abs=0.01)  # full-scale sine = -3 dBFS


def test_float_input_and_silence():
    x = signal((1.0, True)).astype(np.float64) / 32768
    assert len(detect(x, CFG)) == 1
    assert detect(np.zeros(8000, np.int16), CFG) == []
    assert detect(np.zeros(0, np.int16), CFG) == []
