"""Conference recordings: when they start and stop on the virtual clock.

``record-from-start`` begins when the first two participants are bridged (conference-start)
and ends with the conference. The audio itself is rendered by media.mixer from the timeline.
"""

from ..store.models import Recording


def wants_recording(conf):
    return (conf.options or {}).get("record") in ("record-from-start", "true")


def on_conference_start(eng, conf):
    if not wants_recording(conf):
        return
    now = eng.now()
    channels = 2 if (conf.options or {}).get("recording_channels") == "dual" else 1
    rec = Recording(
        sid=eng.sids.new("RE"), account_sid=conf.account_sid, conference_sid=conf.sid,
        call_sid=None, status="in-progress", source="Conference", channels=channels,
        start_time=now, duration=None, date_created=now, date_updated=now,
        options={"trim": (conf.options or {}).get("trim", "trim-silence") == "trim-silence"},
    )
    eng.db.add(rec)
    eng.media_event("record", conference_sid=conf.sid, action="start", recording_sid=rec.sid,
                    channels=channels, trim=rec.options["trim"], pause_behavior="silence")


def active_recording(eng, conf):
    return (eng.db.query(Recording)
            .filter(Recording.conference_sid == conf.sid,
                    Recording.status.in_(("in-progress", "paused")))
            .first())


def on_conference_end(eng, conf):
    rec = active_recording(eng, conf)
    if rec is None:
        return
    now = eng.now()
    eng.media_event("record", conference_sid=conf.sid, action="stop", recording_sid=rec.sid)
    rec.status = "completed"
    rec.duration = int(round(now - rec.start_time))
    rec.date_updated = now
