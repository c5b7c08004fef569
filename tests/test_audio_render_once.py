"""What calls heard is rendered for a whole conference in one pass and kept until the
conference changes (issue 11, Audio): the bytes are exactly those of rendering each call
alone, the conference is mixed once for all its calls, and nothing stale is ever served."""

import io

import numpy as np
import soundfile as sf

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.media import heard as heard_module
from twilio_conf_emulator.media.analysis import band_rms

RATE = 8000
CALLER = "+15550000000"


def tone_file(tmp_path, hz):
    x = np.rint(0.2 * 32767 * np.sin(2 * np.pi * hz * np.arange(RATE) / RATE)).astype(np.int16)
    path = tmp_path / f"{int(hz)}.wav"
    sf.write(path, x, RATE, subtype="PCM_16")
    return str(path)


def busy_room(emu, tmp_path, hzs=(440.0, 700.0, 1100.0, 1500.0)):
    """Four phones in one room with a hold, a mute, a coach and an early hang-up; returns
    the call SIDs (the last two still up)."""
    numbers = [f"+1555100000{i}" for i in range(len(hzs))]
    for n, hz in zip(numbers, hzs, strict=True):
        emu.phone(n, audio=tone_file(tmp_path, hz), loop=True)
    room = emu.client.conferences("Room")
    parts = [room.participants.create(from_=CALLER, to=n) for n in numbers[:3]]
    emu.advance(4)
    cf = parts[0].conference_sid
    coach = emu.client.conferences(cf).participants.create(
        from_=CALLER, to=numbers[3], coaching=True, call_sid_to_coach=parts[1].call_sid)
    emu.client.conferences(cf).participants(parts[0].call_sid).update(hold=True)
    emu.advance(3)
    emu.client.conferences(cf).participants(parts[0].call_sid).update(hold=False)
    emu.client.conferences(cf).participants(parts[2].call_sid).update(muted=True)
    emu.advance(3)
    emu.hangup(parts[0].call_sid)
    emu.advance(2)
    return [p.call_sid for p in parts] + [coach.call_sid]


def all_audio(emu, sids):
    return {sid: emu.call_audio(sid) for sid in sids}


def test_one_pass_gives_exactly_the_bytes_of_rendering_each_call_alone(tmp_path):
    batch = Emulator(config=EmulatorConfig(strict_actions=True))
    alone = Emulator(config=EmulatorConfig(strict_actions=True, audio_cache_mb=0))  # no batch
    sids = busy_room(batch, tmp_path)
    assert busy_room(alone, tmp_path) == sids
    got, want = all_audio(batch, sids), all_audio(alone, sids)
    for sid in sids:
        assert got[sid] == want[sid], sid
    x, _ = sf.read(io.BytesIO(got[sids[1]]), dtype="int16")
    assert band_rms(x[8 * RATE:10 * RATE], 1500) > 1000  # the coached call hears its coach
    batch.stop()
    alone.stop()


def test_the_conference_is_mixed_once_for_every_call_and_again_after_a_change(tmp_path, monkeypatch):
    built = []
    real = heard_module.ConferenceMixer
    monkeypatch.setattr(heard_module, "ConferenceMixer",
                        lambda *a, **k: built.append(a[1]) or real(*a, **k))
    emu = Emulator(config=EmulatorConfig(strict_actions=True))
    sids = busy_room(emu, tmp_path)
    first = all_audio(emu, sids)
    assert len(built) == 1  # one mixer, four calls
    assert all_audio(emu, sids) == first and len(built) == 1  # served from the cache
    emu.advance(1)  # the live calls heard one more second: rendered again, and longer
    later = all_audio(emu, sids)
    assert len(built) == 2
    assert later[sids[0]] == first[sids[0]]  # the call that hung up heard the same
    assert len(later[sids[1]]) == len(first[sids[1]]) + 2 * RATE
    emu.stop()


def test_a_reset_emulator_never_serves_the_audio_of_before(tmp_path):
    emu = Emulator(config=EmulatorConfig(strict_actions=True))
    sids = busy_room(emu, tmp_path)
    before = all_audio(emu, sids)
    emu.reset()
    again = busy_room(emu, tmp_path, hzs=(300.0, 900.0, 1300.0, 1700.0))
    assert again == sids  # same SIDs, same times: only the sound differs
    after = all_audio(emu, sids)
    fresh = Emulator(config=EmulatorConfig(strict_actions=True, audio_cache_mb=0))
    busy_room(fresh, tmp_path, hzs=(300.0, 900.0, 1300.0, 1700.0))
    assert after == all_audio(fresh, sids)
    assert all(after[s] != before[s] for s in sids)
    emu.stop()
    fresh.stop()
