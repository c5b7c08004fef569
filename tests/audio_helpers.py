"""What the end-to-end audio tests share: synthetic tones and an app that accepts every webhook."""

import numpy as np

RATE = 8000


def tone(hz, seconds, amp=0.2):
    """A sine of ``hz`` at 8 kHz, as floats in [-amp, amp]."""
    n = int(round(seconds * RATE))
    return amp * np.sin(2 * np.pi * hz * np.arange(n) / RATE)


def ok_app(environ, start_response):
    """The app under test, in-process: every webhook gets an empty 200 (no network)."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b""]
