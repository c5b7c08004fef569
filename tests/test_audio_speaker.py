"""Speaker events (participant-speech-start / -stop) at the virtual times the energy gate
gives for a tone-silence-tone voice; none while muted, held or waiting, and a start at the
moment a talker becomes audible (unmute, unhold, the conference starting).  Issue 5, Done when 5.

Defaults: threshold -40 dBFS, attack 60 ms, hangover 800 ms, 20 ms frames.  A start is
reported at the utterance's first frame, a stop at its last loud frame's end + the hangover.
"""

import numpy as np
import pytest
import soundfile as sf
from audio_helpers import RATE, ok_app, tone

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig

CALLER = "+15550000000"
TALKER, OTHER = "+15552000001", "+15552000002"
HOOK = "http://app.test/conf"


@pytest.fixture(autouse=True)
def _in_process_webhooks(request):
    if "emu" in request.fixturenames:
        request.getfixturevalue("emu").deliver_webhooks_to(ok_app)


@pytest.fixture
def voice(tmp_path):
    """1 s of 440 Hz, 2 s of silence, 1.5 s of 440 Hz, 3 s of silence (played once)."""
    x = np.concatenate([tone(440, 1.0), np.zeros(2 * RATE), tone(440, 1.5), np.zeros(3 * RATE)])
    path = tmp_path / "talk.wav"
    sf.write(path, x, RATE, subtype="PCM_16")
    return str(path)


def speech_events(emu):
    out = []
    for e in emu.webhooks.all(kind="conference-status"):
        p = dict(e["params"])
        if p["StatusCallbackEvent"].startswith("participant-speech"):
            out.append((p["StatusCallbackEvent"].rsplit("-", 1)[1], round(e["time"] - emu.t0, 3),
                        p["CallSid"]))
    return out


def join_both(emu, voice, **talker):
    """Both phones answer at t0 + 2 (ringing 1 s, answer 1 s): the conference starts then
    and the talker's voice starts playing at that instant."""
    emu.t0 = emu.now()
    emu.phone(TALKER, audio=voice)
    emu.phone(OTHER)
    client = emu.client
    a = client.conferences("Talk").participants.create(
        from_=CALLER, to=TALKER, conference_status_callback=HOOK,
        conference_status_callback_event=["start", "join", "speaker"], **talker)
    b = client.conferences("Talk").participants.create(from_=CALLER, to=OTHER)
    return client, a, b


def test_tone_silence_tone_gives_start_and_stop_at_the_gate_times(emu, voice):
    _, a, _ = join_both(emu, voice)
    emu.advance(20)
    assert speech_events(emu) == [
        ("start", 2.0, a.call_sid),   # first frame of the first tone
        ("stop", 3.8, a.call_sid),    # 1 s of tone + 0.8 s hangover
        ("start", 5.0, a.call_sid),   # after 2 s of silence
        ("stop", 7.3, a.call_sid),    # 1.5 s of tone + 0.8 s hangover
    ]
    # The events come after the conference started, and carry the participant.
    kinds = [dict(e["params"])["StatusCallbackEvent"]
             for e in emu.webhooks.all(kind="conference-status")]
    assert kinds.index("conference-start") < kinds.index("participant-speech-start")


def test_no_events_unless_the_conference_subscribed_to_speaker(emu, voice):
    emu.t0 = emu.now()
    emu.phone(TALKER, audio=voice)
    emu.phone(OTHER)
    a = emu.client.conferences("Talk").participants.create(
        from_=CALLER, to=TALKER, conference_status_callback=HOOK,
        conference_status_callback_event=["start", "join", "leave", "mute"])
    emu.client.conferences("Talk").participants.create(from_=CALLER, to=OTHER)
    emu.advance(20)
    assert speech_events(emu) == []
    assert a.call_sid  # the conference ran: its start was sent
    assert any(dict(e["params"])["StatusCallbackEvent"] == "conference-start"
               for e in emu.webhooks.all(kind="conference-status"))


def test_muted_talker_sends_nothing_and_muting_mid_speech_stops_at_once(emu, voice):
    client, a, _ = join_both(emu, voice, muted=True)
    emu.advance(4.5)                      # the first utterance is muted: nothing
    client.conferences(a.conference_sid).participants(a.call_sid).update(muted=False)
    emu.advance(1.0)                      # t=5.5: unmuted since 4.5, speaking since 5.0
    client.conferences(a.conference_sid).participants(a.call_sid).update(muted=True)
    emu.advance(10)
    assert speech_events(emu) == [("start", 5.0, a.call_sid), ("stop", 5.5, a.call_sid)]


def test_waiting_participant_is_not_reported_until_the_conference_starts(emu, voice):
    emu.t0 = emu.now()
    emu.phone(TALKER, audio=voice)
    emu.phone(OTHER)
    client = emu.client
    a = client.conferences("Talk").participants.create(
        from_=CALLER, to=TALKER, conference_status_callback=HOOK,
        conference_status_callback_event=["speaker"])
    emu.advance(4)                        # the talker waits alone (its first utterance: 2..3)
    client.conferences("Talk").participants.create(from_=CALLER, to=OTHER)
    emu.advance(15)                       # the other answers at t=6: the conference starts
    # The first utterance is never heard; the second (5..6.5 + hangover) is heard from the
    # start on: its speech-start is at that moment.
    assert speech_events(emu) == [("start", 6.0, a.call_sid), ("stop", 7.3, a.call_sid)]


def test_hold_and_leave_mid_speech_send_the_stop_at_that_moment(emu, tmp_path):
    path = tmp_path / "long.wav"
    sf.write(path, tone(300, 10.0), RATE, subtype="PCM_16")
    client, a, _ = join_both(emu, str(path))
    emu.advance(4)                        # t=4
    client.conferences(a.conference_sid).participants(a.call_sid).update(hold=True)
    emu.advance(2)                        # t=6
    client.conferences(a.conference_sid).participants(a.call_sid).update(hold=False)
    emu.advance(2)                        # t=8: unheld at 6 while the tone goes on: heard
    # again from then, so a start at 6; leaving mid-speech stops it at 8.
    client.conferences(a.conference_sid).participants(a.call_sid).delete()
    emu.advance(5)
    assert speech_events(emu) == [("start", 2.0, a.call_sid), ("stop", 4.0, a.call_sid),
                                  ("start", 6.0, a.call_sid), ("stop", 8.0, a.call_sid)]


def test_looped_voice_events_do_not_depend_on_the_analysis_window(tmp_path):
    """A looped 0.5 s tone + 1.5 s silence: a start every 2 s; the same events whether the
    voice is analysed in one window or in 0.7 s windows (utterances carried across)."""
    x = np.concatenate([tone(500, 0.5), np.zeros(int(1.5 * RATE))])
    path = tmp_path / "loop.wav"
    sf.write(path, x, RATE, subtype="PCM_16")
    long_tone = tmp_path / "long.wav"
    sf.write(long_tone, tone(300, 7.3), RATE, subtype="PCM_16")
    results = []
    for window in (300.0, 0.7):
        emu = Emulator(config=EmulatorConfig(strict_actions=True, speech_window_seconds=window))
        emu.deliver_webhooks_to(ok_app)
        try:
            emu.t0 = emu.now()
            emu.phone(TALKER, audio=str(path), loop=True)
            emu.phone(OTHER, audio=str(long_tone))
            emu.client.conferences("Talk").participants.create(
                from_=CALLER, to=TALKER, conference_status_callback=HOOK,
                conference_status_callback_event=["speaker"])
            emu.client.conferences("Talk").participants.create(from_=CALLER, to=OTHER)
            emu.advance(11.5)
            results.append(speech_events(emu))
        finally:
            emu.stop()
    one, many = results
    assert one == many
    talker = [(k, t) for k, t, sid in one if sid == one[0][2]]
    # 0.5 s of tone then 1.5 s of silence: the 0.8 s hangover ends each utterance at +1.3 s.
    assert talker == [(k, round(2.0 + 2 * i + (0 if k == "start" else 1.3), 3))
                      for i in range(5) for k in ("start", "stop")]
    other = [(k, t) for k, t, sid in one if sid != one[0][2]]
    assert other == [("start", 2.0), ("stop", 10.1)]   # one 7.3 s utterance, across windows
