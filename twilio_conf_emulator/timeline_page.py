"""The timeline page's geometry: the model's times turned into pixel positions and tooltips, as
plain data for ``templates/timeline.html`` (which holds the markup and escapes every value).

Every number is formatted with a fixed precision and nothing reads the wall clock, so the same
model always gives the same page.
"""

from __future__ import annotations

from typing import Any

from .timeline_model import ANNOUNCEMENT, COACHING, HOLD, IN, MUTED, STATES, TALKING, WAITING

# --- sizes -------------------------------------------------------------------------------------
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


def _f(x: float) -> str:
    return f"{x:.1f}"


def _name(p: dict) -> str:
    return p["label"] or p["call_sid"]




def layout(model: dict[str, Any]) -> dict[str, Any]:
    """Everything the template draws, positioned."""
    span = max(float(model["until"] or 0.0), 1.0)
    scale = PLOT_W / span
    parts = model["participants"]
    names = {p["call_sid"]: _name(p) for p in parts}
    row_of = {p["call_sid"]: i + 1 for i, p in enumerate(parts)}  # row 0: the conference
    n_rows = len(parts) + 1
    width = LABEL_W + PLOT_W + 40
    bottom = AXIS_H + n_rows * ROW_H  # below the last row: marker names, then the axis again
    height = bottom + 26

    def x(t: float) -> float:
        return LABEL_W + max(0.0, min(t, span)) * scale

    def y(row: int) -> int:
        return AXIS_H + row * ROW_H

    step = next((s for s in NICE_STEPS if span / s <= 12), NICE_STEPS[-1])
    ticks = []
    k = 0
    while k * step <= span + 1e-9:
        ticks.append({"x": _f(x(k * step)), "label": _clock(k * step)})
        k += 1

    lanes = []
    for p in parts:
        name = _name(p)
        lanes.append({"y": y(row_of[p["call_sid"]]) + 16,
                      "short": name if len(name) <= 28 else name[:27] + "\u2026",
                      "title": f'{name} \u00b7 {p["call_sid"]} \u00b7 {p["status"]}'})

    def band(row: int, iv: dict[str, Any], who: str) -> dict[str, Any]:
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
        out = {"cls": st, "x": _f(a), "y": y(row) + top, "w": _f(max(b - a, 0.5)), "h": h,
               "tip": tip, "text": None}
        if st == COACHING:  # name the coached participant where there is room for it
            text = "\u2192 " + (iv.get("target_label") or iv.get("target") or "")
            if b - a >= 7 * len(text) + 8:
                out.update(text=text, tx=_f(a + 4), ty=y(row) + BAND_Y + 12)
        return out

    bands = [band(0, iv, "Conference") for iv in model["conference"]["intervals"]]
    absent = []
    for p in parts:
        order = sorted(p["intervals"], key=lambda iv: STATES.index(iv["state"]))  # paint order
        bands += [band(row_of[p["call_sid"]], iv, names[p["call_sid"]]) for iv in order]
        if not order:  # never got in (still ringing, busy, failed...): say so, not just blank
            absent.append({"x": LABEL_W + 4, "y": y(row_of[p["call_sid"]]) + 16,
                           "status": p["status"]})

    # Conference start / end (or "now" while it goes on) across every lane.
    marks = []
    if model["start"] is not None:
        marks.append(("m-start", model["start"], "start"))
    if model["end"] is not None:
        marks.append(("m-end", model["end"], "end"))
    elif model["in_progress"]:
        marks.append(("m-now", model["until"], "now"))
    markers = [{"cls": cls, "x": _f(x(t)), "text": text,
                "title": f"conference {text} {_clock(t, True)}"} for cls, t, text in marks]

    # Journal ticks in the lane of the participant they are about (else the conference's).
    hooks = []
    for ev in model["events"]:
        row = row_of.get(ev["call_sid"], 0)
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
        hooks.append({"failed": failed, "tip": tip, "x": _f(x(ev["t"])), "y1": y(row) + 1,
                      "y2": y(row) + ROW_H - 1, "cy": y(row) + 3})

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
    journal = [{"time": _clock(ev["t"], True), "event": ev["event"] or "",
                "who": names.get(ev["call_sid"], ev["call_sid"] or ""), "kind": ev["kind"],
                "status": ev["status"] if ev["status"] is not None else "",
                "error": ev["error_code"] if ev["error_code"] is not None else ""}
               for ev in model["events"]]
    return {
        "title": model["friendly_name"] or model["conference_sid"],
        "facts": facts, "legend": LEGEND, "width": width, "height": height,
        "rows": [y(row) for row in range(n_rows) if row % 2 == 0], "row_h": ROW_H,
        "label_w": LABEL_W, "plot_end": LABEL_W + PLOT_W, "axis_y": AXIS_H - 4,
        "grid_top": AXIS_H - 8, "tick_label_y": AXIS_H - 12, "bottom": bottom,
        "ticks": ticks, "conference_y": y(0) + 16, "lanes": lanes, "bands": bands,
        "absent": absent, "markers": markers, "hooks": hooks, "journal": journal,
    }
