"""A talker that becomes audible mid-utterance (unmuted, unheld, the conference starting while
it waits) gets participant-speech-start at that moment, and the webhooks agree with the
timeline's talking spans."""

import pytest
import soundfile as sf
from audio_helpers import RATE, ok_app, tone
from test_timeline_view import FRAME, lane, scenario, spans, tone_silence_tone

from twilio_conf_emulator.timeline_view import conference_timeline

TALKER, OTHER = "+15552000001", "+15552000002"


def _speech(emu, t0=0.0):
    out = []
    for e in emu.webhooks.all(kind="conference-status"):
        p = dict(e["params"])
        if p["StatusCallbackEvent"].startswith("participant-speech"):
            out.append((p["StatusCallbackEvent"].rsplit("-", 1)[1], round(e["time"] - t0, 3),
                        p["CallSid"]))
    return out


def test_unmuted_mid_speech_starts_at_the_unmute(emu, tmp_path):
    path = tmp_path / "long.wav"
    sf.write(path, tone(300, 10.0), RATE, subtype="PCM_16")
    emu.deliver_webhooks_to(ok_app)
    t0 = emu.now()
    emu.phone(TALKER, audio=str(path))
    emu.phone(OTHER)
    a = emu.client.conferences("Talk").participants.create(
        from_="+15550000000", to=TALKER, muted=True, conference_status_callback="http://app.test/c",
        conference_status_callback_event=["speaker", "mute"])
    emu.client.conferences("Talk").participants.create(from_="+15550000000", to=OTHER)
    emu.advance(5)
    assert _speech(emu, t0) == []  # talking since 2, but muted
    emu.client.conferences(a.conference_sid).participants(a.call_sid).update(muted=False)
    emu.advance(10)
    # Start at the unmute (t=5); the tone ends at 12 (answer 2 + 10 s): stop at 12.8.
    assert _speech(emu, t0) == [("start", 5.0, a.call_sid), ("stop", 12.8, a.call_sid)]
    kinds = [dict(e["params"])["StatusCallbackEvent"]
             for e in emu.webhooks.all(kind="conference-status")]
    assert kinds.index("participant-unmute") < kinds.index("participant-speech-start")


def test_webhooks_and_timeline_agree(emu, tmp_path, monkeypatch):
    import test_timeline_view

    monkeypatch.setattr(test_timeline_view, "EVENTS", test_timeline_view.EVENTS + ["speaker"])
    t0 = emu.now()
    sid = scenario(emu, tone_silence_tone(tmp_path / "voice.wav"))
    model = conference_timeline(emu, sid)
    events = _speech(emu)
    for label in ("alice", "bob", "coach"):
        p = lane(model, label)
        mine = [(kind, t) for kind, t, call in events if call == p["call_sid"]]
        assert [k for k, _ in mine] == ["start", "stop"] * (len(mine) // 2)
        pairs = [(mine[i][1] - t0, mine[i + 1][1] - t0) for i in range(0, len(mine), 2)]
        # bob's second tone starts at 12, the instant he is put on hold: start and stop at
        # 12 are both sent, and a span of no length has nothing to draw.
        pairs = [(a, b) for a, b in pairs if b - a > FRAME / 2]
        talking = spans(p, "talking")  # seconds from the conference's creation (t0)
        assert talking
        assert len(pairs) == len(talking), (label, pairs, talking)
        for (a, b), (c, d) in zip(pairs, talking, strict=True):
            assert a == pytest.approx(c, abs=FRAME) and b == pytest.approx(d, abs=FRAME)
