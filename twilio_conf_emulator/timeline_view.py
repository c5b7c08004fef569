"""A picture of one conference over virtual time: who was in, talking, muted, on hold, coached.

    model = conference_timeline(emu, "CF...")   # plain JSON-able dict (GET .../timeline.json)
    html = render_html(model)                   # one self-contained page (GET .../timeline.html)

This view only copies what the emulator keeps out of the store (the media timeline, the
Participant and Conference rows, the webhook journal); ``timeline_model`` builds the model from
it and ``templates/timeline.html`` draws it (positions from ``timeline_page``), autoescaped.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from . import journal, timeline_model, timeline_page
from .errors import NotFound
from .media import timeline as tl
from .store.models import Conference, MediaEventRow

if TYPE_CHECKING:
    from jinja2 import Template


def conference_timeline(emu: Any, conference_sid: str) -> dict[str, Any]:
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
    return timeline_model.build(head, people, events, entries, now, emu.config)


@lru_cache(maxsize=1)
def _template() -> Template:
    # Jinja2 comes with Flask; imported here so building a model never needs it.
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("twilio_conf_emulator", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      keep_trailing_newline=True)
    return env.get_template("timeline.html")


def render_html(model: dict[str, Any]) -> str:
    """One HTML page, inline SVG and CSS only: no script, nothing fetched, no wall-clock time."""
    return _template().render(p=timeline_page.layout(model))
