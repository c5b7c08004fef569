"""A picture of one conference over virtual time: who was in, talking, muted, on hold, coached.

    model = conference_timeline(emu, "CF...")   # plain JSON-able dict (GET .../timeline.json)
    html = render_html(model)                   # one self-contained page (GET .../timeline.html)

The model is rebuilt from what the emulator already keeps: the media timeline (the same
events the mixer renders, so the picture and the audio never disagree), the Participant and
Conference rows, the webhook journal, and each caller's voice run through the speech gate.

All times in the model are seconds since the conference's ``date_created`` (the picture's
origin), rounded to the millisecond; ``date_created`` itself is virtual epoch seconds.
Rendering reads nothing but the model, holds no wall-clock time and formats every number
with a fixed precision, so the same model always gives the same bytes.
"""

from __future__ import annotations

import html

import numpy as np
from sqlalchemy import or_, select

from . import journal
from .errors import NotFound
from .media import timeline as tl
from .media.audio import AudioError, load_sound
from .media.speech import detect
from .store.models import Conference, MediaEventRow
from .timefmt import rfc2822

# Lane states, in drawing order (later ones are painted over earlier ones).
WAITING = "waiting"  # in the conference before it started: hears wait music, is not heard
IN = "in"  # bridged: the conference has started and the participant is in it
MUTED = "muted"
HOLD = "hold"
TALKING = "talking"  # the speech gate fires on its voice while it is heard (in, not muted/held)
COACHING = "coaching"  # heard only by ``target`` (Twilio's CallSidToCoach)
ANNOUNCEMENT = "announcement"  # AnnounceUrl playing, to this participant or to everyone
STATES = (WAITING, IN, MUTED, HOLD, TALKING, COACHING, ANNOUNCEMENT)


def _r(x: float) -> float:
    return round(float(x), 3)


# --- the model --------------------------------------------------------------------------------
class _Lane:
    """Open intervals of one participant (or of the conference itself) during the sweep."""

    def __init__(self):
        self.intervals: list[dict] = []
        self.opened: dict = {}  # state -> (start, extra, natural_end or None)
        self.present = False

    def begin(self, state, t, natural_end=None, **extra):
        if state in self.opened:
            if self.opened[state][1] == extra and natural_end is None:
                return  # a repeated "hold" (the hold document arrived): still the same stretch
            self.end(state, t)
        self.opened[state] = (t, extra, natural_end)

    def end(self, state, t, still_open=False):
        if state not in self.opened:
            return
        start, extra, natural = self.opened.pop(state)
        stop = t if natural is None else min(t, natural)
        # An announcement that outlives the drawing is still playing; one that ended on its
        # own before ``t`` is not.
        still_open = still_open and (natural is None or natural > t)
        if stop > start:  # entering and starting at one instant leaves no "waiting" stretch
            self.intervals.append({"state": state, "start": start, "end": stop,
                                   "open": still_open, **extra})

    def end_all(self, t, still_open=False):
        for state in list(self.opened):
            self.end(state, t, still_open)


def conference_timeline(emu, conference_sid: str) -> dict:
    """The timeline of ``conference_sid``, as plain data; raises ``errors.NotFound``.

    A conference still in progress is drawn up to the virtual ``now``: its open intervals
    end there and carry ``"open": true``.
    """
    # Copy everything out inside one transaction, then do the audio work outside it: speech
    # detection over long voices must not hold the engine's lock while the clock runs.
    with emu.engine.transaction() as db:
        conf = db.get(Conference, conference_sid)
        if conf is None:
            raise NotFound(f"/_emulator/conferences/{conference_sid}")
        now = emu.clock.now()
        people = []
        seen = set()
        for p in conf.participants:  # in the order they were added
            if p.call_sid not in seen:
                seen.add(p.call_sid)
                people.append((p.call_sid, p.label, p.status))
        head = {
            "conference_sid": conf.sid,
            "friendly_name": conf.friendly_name,
            "status": conf.status,
            "reason_conference_ended": conf.reason_conference_ended,
            "call_sid_ending_conference": conf.call_sid_ending_conference,
            "date_created": conf.date_created,
            "started_at": conf.started_at,
            "ended_at": conf.ended_at,
        }
        # call-answered / call-ended carry no conference SID: fetch them by the call SIDs.
        rows = db.scalars(
            select(MediaEventRow)
            .where(or_(MediaEventRow.conference_sid == conference_sid,
                       MediaEventRow.call_sid.in_(list(seen))))
            .order_by(MediaEventRow.id)
        ).all()
        events = [tl.MediaEvent(r.t, r.kind, r.call_sid, r.conference_sid, dict(r.data or {}))
                  for r in rows]
        entries = journal.query(db, conference_sid=conference_sid)

    origin = head["date_created"]
    until = head["ended_at"] if head["ended_at"] is not None else max(now, origin)
    lanes = {sid: _Lane() for sid, _, _ in people}
    conf_lane = _Lane()
    voices: dict = {}  # call_sid -> (answer time, AudioRef)
    started = ended = False
    conf_lane.begin(WAITING, origin)  # "init" until conference-start (dropped if it is empty)

    for e in tl.ordered(events):  # stable: same-instant events keep the engine's order
        t, d, k = e.t, e.data, e.kind
        lane = lanes.get(e.call_sid) if e.call_sid else None
        if k == tl.CALL_ANSWERED:
            if d.get("voice") and e.call_sid not in voices:
                voices[e.call_sid] = (t, d["voice"])
            continue
        if e.conference_sid not in (None, conference_sid):
            continue  # the same call in another conference
        if k == tl.CONF_START:
            started = True
            conf_lane.end(WAITING, t)
            conf_lane.begin(IN, t)
            for ln in lanes.values():
                if ln.present:
                    ln.end(WAITING, t)
                    ln.begin(IN, t)
        elif k == tl.CONF_END:
            ended = True
            for ln in list(lanes.values()) + [conf_lane]:
                ln.end_all(t)
                ln.present = False
        elif k == tl.ANNOUNCE and e.call_sid is None:
            if not ended:
                conf_lane.begin(ANNOUNCEMENT, t, _natural_end(d.get("audio"), t, emu.config))
        elif lane is None:
            continue
        elif k == tl.CONF_ENTER:
            if ended:
                continue
            lane.present = True
            lane.begin(IN if started else WAITING, t)
            if d.get("muted"):
                lane.begin(MUTED, t)
        elif not lane.present:
            continue  # nothing changes for someone who is not (or no longer) in
        elif k in (tl.CONF_LEAVE, tl.CALL_ENDED):
            lane.end_all(t)
            lane.present = False
        elif k == tl.MUTE:
            lane.begin(MUTED, t)
        elif k == tl.UNMUTE:
            lane.end(MUTED, t)
        elif k == tl.HOLD:
            lane.begin(HOLD, t)
        elif k == tl.UNHOLD:
            lane.end(HOLD, t)
        elif k == tl.COACH:
            if d.get("target"):
                lane.begin(COACHING, t, target=d["target"])
            else:
                lane.end(COACHING, t)
        elif k == tl.ANNOUNCE:
            lane.begin(ANNOUNCEMENT, t, _natural_end(d.get("audio"), t, emu.config))

    open_now = head["ended_at"] is None
    for ln in list(lanes.values()) + [conf_lane]:
        ln.end_all(until, still_open=open_now)
        ln.intervals.sort(key=lambda iv: (iv["start"], STATES.index(iv["state"])))

    labels = {sid: label for sid, label, _ in people}
    participants = []
    for sid, label, status in people:
        ln = lanes[sid]
        talking = _talking(ln.intervals, voices.get(sid), until, open_now, emu.config)
        ivs = sorted(ln.intervals + talking,
                     key=lambda iv: (iv["start"], STATES.index(iv["state"])))
        for iv in ivs:
            iv["start"], iv["end"] = _r(iv["start"] - origin), _r(iv["end"] - origin)
            if "target" in iv:
                iv["target_label"] = labels.get(iv["target"])
        participants.append({"call_sid": sid, "label": label, "status": status,
                             "intervals": ivs})
    for iv in conf_lane.intervals:
        iv["start"], iv["end"] = _r(iv["start"] - origin), _r(iv["end"] - origin)

    def rel(t):
        return None if t is None else _r(t - origin)

    return {
        **{k: v for k, v in head.items() if k not in ("started_at", "ended_at")},
        "date_created_rfc2822": rfc2822(origin),
        "start": rel(head["started_at"]),
        "end": rel(head["ended_at"]),
        "until": rel(until),
        "in_progress": open_now,
        "conference": {"intervals": conf_lane.intervals},
        "participants": participants,
        "events": [_event(en, origin) for en in entries],
    }


def _natural_end(ref, t, config):
    """When an announcement stops by itself: None = endless or unknown (cut by what follows)."""
    if not ref:
        return None
    try:
        seconds = tl.audio_duration(ref, config)
    except (AudioError, OSError, ValueError, KeyError):
        return None
    return None if seconds is None else t + seconds


def _event(entry: dict, origin: float) -> dict:
    params = {}
    for name, value in entry["params"]:
        params.setdefault(name, value)
    return {
        "id": entry["id"],
        "t": _r(entry["time"] - origin),
        "timestamp": entry["timestamp"],
        "kind": entry["kind"],
        # What a reader of the journal looks for first: Twilio's name for the event.
        "event": params.get("StatusCallbackEvent") or params.get("CallStatus"),
        "sequence_number": params.get("SequenceNumber"),
        "call_sid": entry["call_sid"],
        "status": entry["status"],
        "error_code": entry["error_code"],
    }


# --- talking ------------------------------------------------------------------------------------
def _spans(intervals, state):
    return [(iv["start"], iv["end"]) for iv in intervals if iv["state"] == state]


def _subtract(spans, cuts):
    out = []
    for a, b in spans:
        pieces = [(a, b)]
        for c, d in cuts:
            pieces = [p for x, y in pieces
                      for p in ((x, min(y, c)), (max(x, d), y)) if p[1] > p[0]]
        out.extend(pieces)
    return out


def _intersect(xs, ys):
    return [(max(a, c), min(b, d)) for a, b in xs for c, d in ys if min(b, d) > max(a, c)]


def _talking(intervals, voice, until, open_now, config) -> list:
    """Speech spans of the caller's voice while the conference hears it.

    The gate runs over the voice as spoken at the phone (from the answer, plus its
    ``offset``), not per unmuted stretch, so a mute never invents a new speech start;
    then only what falls inside "in" and outside "muted"/"hold" is kept.  A voice that
    cannot be loaded shows no talking rather than failing the whole picture.
    """
    heard = _subtract(_spans(intervals, IN), _spans(intervals, MUTED) + _spans(intervals, HOLD))
    if voice is None or not heard:
        return []
    answered, ref = voice
    try:
        sound = load_sound(ref, config)
    except (AudioError, OSError, ValueError, KeyError):
        return []
    start = answered + float(ref.get("offset", 0.0) or 0.0)
    rate = config.sample_rate
    # Only as much voice as the last heard moment needs (plus a frame for the grid).
    need = int(np.ceil((max(b for _, b in heard) - start) * rate)) + rate * config.frame_ms // 1000
    if need <= 0:
        return []
    samples = sound.samples
    if sound.endless and len(samples) < need:  # a looped voice: repeat its loop body
        body = samples[sound.loop_from:]
        reps = -(-(need - len(samples)) // len(body)) if len(body) else 0
        samples = np.concatenate([samples] + [body] * reps) if reps else samples
    spans = [(start + a, start + b) for a, b in detect(samples[:need], config)]
    return [{"state": TALKING, "start": a, "end": b, "open": open_now and b >= until}
            for a, b in _intersect(spans, heard)]


# --- the page -------------------------------------------------------------------------------------
LABEL_W = 200  # px for the lane names
PLOT_W = 1000  # px for the whole conference, whatever its length
ROW_H = 24
BAND_Y, BAND_H = 4, 16  # the state band inside a row
AXIS_H = 34
NICE_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)

LEGEND = (
    (WAITING, "waiting (before start)"),
    (IN, "in (bridged)"),
    (TALKING, "talking"),
    (MUTED, "muted"),
    (HOLD, "on hold"),
    (COACHING, "coaching \u2192 target"),
    (ANNOUNCEMENT, "announcement"),
)

CSS = """
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 6px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 10px}
dt{color:#666}dd{margin:0;font-family:ui-monospace,Menlo,Consolas,monospace}
ul.legend{list-style:none;padding:0;margin:0 0 8px;display:flex;flex-wrap:wrap;gap:4px 16px}
ul.legend svg{vertical-align:middle;margin-right:4px}
.chart{overflow-x:auto}
svg text{font:11px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:#222}
.row-bg{fill:#f6f7f9}.grid{stroke:#e3e5e8}.axis{stroke:#888}
.lane-label{text-anchor:end}.sub{fill:#888}
.waiting{fill:#d4d7dc}.in{fill:#a8dba0}.muted{fill:#f2a7a3}.hold{fill:#f6cf6f}
.talking{fill:#1f6b2a}.coaching{fill:#7b4bb7}.announcement{fill:#2f7fd0}
.coach-text{fill:#5a2d91;font-weight:600;stroke:#fff;stroke-width:3px;paint-order:stroke}
line.marker{stroke-width:1.5}line.m-start{stroke:#1f8a3a}line.m-end{stroke:#c62828}
line.m-now{stroke:#555;stroke-dasharray:4 3}
.m-label{font-weight:600}.m-label.m-start{fill:#1f8a3a}.m-label.m-end{fill:#c62828}
.m-label.m-now{fill:#555}
.tick line{stroke:#333}.tick circle{fill:#333}.tick.failed line,.tick.failed circle{stroke:#c62828;fill:#c62828}
details{margin-top:12px}table{border-collapse:collapse}
td,th{padding:1px 10px 1px 0;text-align:left;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
"""


def _clock(t: float, ms: bool = False) -> str:
    """mm:ss (h:mm:ss past an hour) since the conference was created."""
    t = max(0.0, t)
    whole = int(t)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    text = f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
    if ms:
        text += f".{int(round((t - whole) * 1000)) % 1000:03d}"
    return text


def _e(s) -> str:
    return html.escape("" if s is None else str(s), quote=True)


def _f(x: float) -> str:
    return f"{x:.1f}"


def _name(p: dict) -> str:
    return p["label"] or p["call_sid"]


def render_html(model: dict) -> str:
    """One HTML page, inline SVG and CSS only: no script, nothing fetched, no wall-clock time."""
    span = max(float(model["until"] or 0.0), 1.0)
    scale = PLOT_W / span
    parts = model["participants"]
    names = {p["call_sid"]: _name(p) for p in parts}
    row_of = {p["call_sid"]: i + 1 for i, p in enumerate(parts)}  # row 0: the conference
    n_rows = len(parts) + 1
    width = LABEL_W + PLOT_W + 40
    bottom = AXIS_H + n_rows * ROW_H  # below the last row: marker names, then the axis again
    height = bottom + 26

    def x(t):
        return LABEL_W + max(0.0, min(t, span)) * scale

    def y(row):
        return AXIS_H + row * ROW_H

    out = []
    w = out.append
    w(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
      f'viewBox="0 0 {width} {height}" role="img" aria-label="conference timeline">')
    # Rows first, so grid lines, bands and markers sit on top of them.
    for row in range(n_rows):
        if row % 2 == 0:
            w(f'<rect class="row-bg" x="0" y="{y(row)}" width="{width}" height="{ROW_H}"/>')
    # The time axis.
    step = next((s for s in NICE_STEPS if span / s <= 12), NICE_STEPS[-1])
    w(f'<line class="axis" x1="{LABEL_W}" y1="{AXIS_H - 4}" x2="{LABEL_W + PLOT_W}" '
      f'y2="{AXIS_H - 4}"/>')
    k = 0
    while k * step <= span + 1e-9:
        tx = _f(x(k * step))
        w(f'<line class="grid" x1="{tx}" y1="{AXIS_H - 8}" x2="{tx}" y2="{bottom}"/>')
        w(f'<text x="{tx}" y="{AXIS_H - 12}" text-anchor="middle">{_clock(k * step)}</text>')
        # Repeated under the rows: with 50+ participants the top axis has scrolled away.
        w(f'<text class="sub" x="{tx}" y="{height - 2}" text-anchor="middle">{_clock(k * step)}</text>')
        k += 1
    # Lane names.
    w(f'<g><title>the conference itself: created, started, announcements to everyone</title>'
      f'<text class="lane-label" x="{LABEL_W - 8}" y="{y(0) + 16}">Conference</text></g>')
    for p in parts:
        row = row_of[p["call_sid"]]
        name = _name(p)
        short = name if len(name) <= 28 else name[:27] + "\u2026"
        w(f'<g><title>{_e(name)} \u00b7 {_e(p["call_sid"])} \u00b7 {_e(p["status"])}</title>'
          f'<text class="lane-label" x="{LABEL_W - 8}" y="{y(row) + 16}">{_e(short)}</text></g>')

    # Bands.
    def band(row, iv, who):
        a, b = x(iv["start"]), x(iv["end"])
        st = iv["state"]
        if st == TALKING:  # a darker strip inside the "in" band
            top, h = BAND_Y + 5, BAND_H - 10
        elif st == COACHING:  # along the top edge: coaching goes with any state under it
            top, h = BAND_Y - 3, 5
        elif st == ANNOUNCEMENT and row != 0:  # along the bottom edge, for the same reason
            top, h = BAND_Y + BAND_H - 2, 5
        else:
            top, h = BAND_Y, BAND_H
        what = {HOLD: "on hold", IN: "in (bridged)"}.get(st, st)
        if st == COACHING:
            what += " \u2192 " + (iv.get("target_label") or iv.get("target") or "")
        tip = (f'{who} \u00b7 {what} {_clock(iv["start"], True)}\u2013{_clock(iv["end"], True)}'
               + (" (still going)" if iv.get("open") else ""))
        w(f'<rect class="{st}" x="{_f(a)}" y="{y(row) + top}" width="{_f(max(b - a, 0.5))}" '
          f'height="{h}"><title>{_e(tip)}</title></rect>')
        if st == COACHING:  # name the coached participant where there is room for it
            text = "\u2192 " + (iv.get("target_label") or iv.get("target") or "")
            if b - a >= 7 * len(text) + 8:
                w(f'<text class="coach-text" x="{_f(a + 4)}" y="{y(row) + BAND_Y + 12}">'
                  f'{_e(text)}<title>{_e(tip)}</title></text>')

    for iv in model["conference"]["intervals"]:
        band(0, iv, "Conference")
    for p in parts:
        order = sorted(p["intervals"], key=lambda iv: STATES.index(iv["state"]))  # paint order
        for iv in order:
            band(row_of[p["call_sid"]], iv, names[p["call_sid"]])
        if not order:  # never got in (still ringing, busy, failed...): say so, not just blank
            w(f'<text class="sub" x="{LABEL_W + 4}" y="{y(row_of[p["call_sid"]]) + 16}">'
              f'not in the conference ({_e(p["status"])})</text>')

    # Conference start / end (or "now" while it goes on) across every lane.
    markers = []
    if model["start"] is not None:
        markers.append(("m-start", model["start"], "start"))
    if model["end"] is not None:
        markers.append(("m-end", model["end"], "end"))
    elif model["in_progress"]:
        markers.append(("m-now", model["until"], "now"))
    for cls, t, text in markers:
        mx = _f(x(t))
        w(f'<line class="marker {cls}" x1="{mx}" y1="{AXIS_H - 4}" x2="{mx}" y2="{bottom + 2}">'
          f'<title>conference {text} {_clock(t, True)}</title></line>')
        w(f'<text class="m-label {cls}" x="{mx}" y="{bottom + 12}" text-anchor="middle">{text}</text>')

    # Journal ticks in the lane of the participant they are about (else the conference's).
    for ev in model["events"]:
        row = row_of.get(ev["call_sid"], 0)
        ex = _f(x(ev["t"]))
        failed = ev["error_code"] is not None or (ev["status"] or 0) >= 400
        tip = f'{_clock(ev["t"], True)} {ev["event"] or ev["kind"]}'
        if ev["call_sid"] in names:
            tip += f' ({names[ev["call_sid"]]})'
        tip += f' \u00b7 {ev["kind"]}'
        if ev["sequence_number"] is not None:
            tip += f' #{ev["sequence_number"]}'
        tip += f' \u00b7 HTTP {ev["status"]}' if ev["status"] is not None else " \u00b7 no response"
        if ev["error_code"] is not None:
            tip += f' \u00b7 error {ev["error_code"]}'
        w(f'<g class="tick{" failed" if failed else ""}"><title>{_e(tip)}</title>'
          f'<line x1="{ex}" y1="{y(row) + 1}" x2="{ex}" y2="{y(row) + ROW_H - 1}"/>'
          f'<circle cx="{ex}" cy="{y(row) + 3}" r="2.5"/></g>')
    w("</svg>")
    svg = "".join(out)

    # Header, legend, and the journal as a table for those who want the exact times.
    title = model["friendly_name"] or model["conference_sid"]
    ended_by = model["call_sid_ending_conference"]
    facts = [
        ("ConferenceSid", model["conference_sid"]),
        ("FriendlyName", model["friendly_name"]),
        ("Status", model["status"] + (" (drawn up to now)" if model["in_progress"] else "")),
        ("DateCreated", model["date_created_rfc2822"] + " (virtual; the axis counts from here)"),
        ("Started", _clock(model["start"], True) if model["start"] is not None else "not yet"),
        ("Ended", _clock(model["end"], True) if model["end"] is not None else "not yet"),
        ("ReasonConferenceEnded", model["reason_conference_ended"] or "\u2014"),
    ]
    if ended_by:
        facts.append(("CallSidEndingConference",
                      ended_by + (f" ({names[ended_by]})" if ended_by in names else "")))
    dl = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts)
    legend = "".join(
        f'<li><svg width="22" height="12"><rect class="{st}" x="0" y="1" width="22" height="10"/>'
        f'</svg>{_e(text)}</li>' for st, text in LEGEND)
    legend += ('<li><svg width="22" height="12"><line x1="11" y1="0" x2="11" y2="12" '
               'class="marker m-start"/></svg>conference start</li>'
               '<li><svg width="22" height="12"><line x1="11" y1="0" x2="11" y2="12" '
               'class="marker m-end"/></svg>conference end</li>'
               '<li><svg width="22" height="12"><g class="tick"><line x1="11" y1="0" x2="11" '
               'y2="12"/><circle cx="11" cy="3" r="2.5"/></g></svg>webhook sent (hover for '
               'StatusCallbackEvent)</li>')
    rows = "".join(
        f'<tr><td>{_clock(ev["t"], True)}</td><td>{_e(ev["event"] or "")}</td>'
        f'<td>{_e(names.get(ev["call_sid"], ev["call_sid"] or ""))}</td><td>{_e(ev["kind"])}</td>'
        f'<td>{_e(ev["status"] if ev["status"] is not None else "")}</td>'
        f'<td>{_e(ev["error_code"] if ev["error_code"] is not None else "")}</td></tr>'
        for ev in model["events"])
    table = (f'<details><summary>Webhook journal ({len(model["events"])} requests)</summary>'
             f'<table><tr><th>time</th><th>StatusCallbackEvent</th><th>participant</th>'
             f'<th>kind</th><th>HTTP</th><th>error</th></tr>{rows}</table></details>')
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"/><title>Conference {_e(title)} timeline'
        f"</title><style>{CSS}</style></head><body>"
        f"<h1>Conference {_e(title)}</h1><dl>{dl}</dl>"
        f'<ul class="legend">{legend}</ul>'
        f'<div class="chart">{svg}</div>{table}'
        "</body></html>\n"
    )

