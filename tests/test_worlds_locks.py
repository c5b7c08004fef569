"""No lock is held while audio is rendered: a REST request from another thread completes
while a call's audio or a conference recording is being mixed. And Emulator() does no Flask
work: every emulator in the process shares one Flask app."""

import threading

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.app import shared_app
from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.engine import heard_cache
from twilio_conf_emulator.media import mixer

CALLER = "+15550100000"


def _ok_app(environ, start_response):
    start_response("204 No Content", [])
    return [b""]


def _probing(emu, real, seen):
    """``real`` wrapped: while it runs, another thread must get a REST answer."""

    def probe(*args, **kwargs):
        done = threading.Event()

        def other():
            emu.make_client().conferences.list()
            done.set()

        t = threading.Thread(target=other, daemon=True)
        t.start()
        seen.append(done.wait(10))
        return real(*args, **kwargs)

    return probe


def test_rendering_audio_holds_no_lock(monkeypatch):
    emu = Emulator(config=EmulatorConfig(strict_actions=True))
    emu.deliver_webhooks_to(_ok_app)
    seen = []
    monkeypatch.setattr(mixer, "render_call", _probing(emu, mixer.render_call, seen))
    monkeypatch.setattr(mixer, "iter_recording", _probing(emu, mixer.iter_recording, seen))
    # A conference call's audio is rendered with its conference's other calls in one pass.
    monkeypatch.setattr(heard_cache, "render_calls", _probing(emu, heard_cache.render_calls, seen))
    c = emu.client
    a = c.conferences("Rec").participants.create(from_=CALLER, to="+15550000001",
                                                 conference_record="record-from-start")
    c.conferences("Rec").participants.create(from_=CALLER, to="+15550000002")
    emu.advance(10)
    assert emu.call_audio(a.call_sid)[:4] == b"RIFF"   # what a call heard
    c.conferences(a.conference_sid).update(status="completed")
    emu.advance(1)                                      # the recording completes
    assert c.recordings.list()[0].status in ("completed", "absent")
    assert len(seen) >= 2 and all(seen)
    emu.stop()


def test_emulators_share_one_flask_app():
    first, second = Emulator(), Emulator(seed=1)
    assert first.app is not second.app  # each binds its own emulator ...
    assert first.client.conferences.list() == [] and second.client.conferences.list() == []
    built = shared_app()
    third = Emulator(seed=2)
    assert third.client.conferences.list() == []
    assert shared_app() is built  # ... over the one app built for the process
    for e in (first, second, third):
        e.stop()


def test_an_in_process_handler_may_advance_the_clock_and_call_the_api_back():
    """The same guarantee in-process (the handler runs on the delivering thread): its
    advance and its REST calls complete, and nothing is alerted."""
    emu = Emulator(config=EmulatorConfig(strict_actions=True))
    seen = []

    def handler(environ, start_response):
        seen.append(emu.advance(1))
        seen.append(len(emu.make_client().conferences.list()))
        start_response("204 No Content", [])
        return [b""]

    emu.deliver_webhooks_to(handler)
    start = emu.now()
    emu.client.conferences("Room").participants.create(
        from_=CALLER, to="+15550000001", conference_status_callback="https://app.test/conf",
        conference_status_callback_event=["join"])
    emu.advance(5)
    assert seen and seen[1] == 1 and seen[0] > start
    assert emu.alerts() == []
    assert [e["status"] for e in emu.webhooks.all(kind="conference-status")] == [204]
    emu.stop()


def test_speaker_detection_runs_with_no_lock_held(monkeypatch, tmp_path):
    import numpy as np
    import soundfile as sf

    from twilio_conf_emulator.media import speech

    rate = 8000
    t = np.arange(rate * 4) / rate
    voice = tmp_path / "voice.wav"
    sf.write(voice, (np.sin(2 * np.pi * 300 * t) * 8000 * (t < 2)).astype(np.int16), rate,
             subtype="PCM_16")
    emu = Emulator(config=EmulatorConfig(strict_actions=True))
    emu.deliver_webhooks_to(_ok_app)
    seen = []
    monkeypatch.setattr(speech, "detect", _probing(emu, speech.detect, seen))
    emu.phone("+15550000001", audio=str(voice))
    emu.client.conferences("Talk").participants.create(
        from_=CALLER, to="+15550000001", conference_status_callback="https://app.test/conf",
        conference_status_callback_event=["speaker"], start_conference_on_enter=True)
    emu.client.conferences("Talk").participants.create(from_=CALLER, to="+15550000002")
    emu.advance(10)
    assert seen and all(seen)
    assert "participant-speech-start" in emu.webhooks.events()
    emu.stop()
