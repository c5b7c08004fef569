"""The audio a conference plays from a URL: waitUrl, holdUrl and announceUrl.

Each URL answers with audio or with TwiML of only ``<Play>``, ``<Say>``, ``<Pause>`` and
``<Redirect>`` (anything else: 13238). The document becomes a media playlist. In wait and
hold music a ``<Redirect>`` is a new request once the document has played (see
:func:`_then_later`); in an announcement, one back to the same document loops it. When the
document runs out, silence follows. ``<Play>`` URLs are fetched once (HTTP through the router, ``file:``
and paths from disk) so the mixer never touches the network.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag

from ..errors import TwilioError
from ..policy import Refused, check_file
from ..webhooks import content
from ..webhooks.fetch import is_local, local_path
from ..webhooks.fetch import local_result as fetch_result
from ..webhooks.transport import OutboundRequest
from . import callbacks
from .actions import Stored, schedule, stored
from .conference.events import send_event
from .conference.lookups import participant_for_call
from .default_wait_url import DEFAULT
from .hosted_media import hosted_ref

if TYPE_CHECKING:  # annotations only
    from ..store.models import Conference, Participant
    from ..webhooks.wire import DeliveryResult
    from . import twiml
    from .core import Engine

HOLD_MUSIC = {"kind": "hold-music"}
INVALID_CONTENT_FOR_PLAY = 13420  # <Play> of something that is not audio
MAX_REDIRECTS = 10


def _duration(ref: dict[str, Any], config: Any) -> float | None:
    """``media.audio.audio_duration``, imported (with numpy) when a sound is first timed."""
    from ..media.audio import audio_duration

    return audio_duration(ref, config)


def _call_params(eng: Engine, part: Participant | None) -> list[tuple[str, str]]:
    from ..store.models import Call

    call = eng.db.get(Call, part.call_sid) if part is not None else None
    return callbacks.voice_params(call) if call is not None else []


def fetch_playlist(eng: Engine, account_sid: str, url: str, method: str,
                   params: list[tuple[str, str]], on_done: Callable[[Any, Any], None],
                   call_sid: str | None = None, conference_sid: str | None = None,
                   kind: str = "audio-url", hops: int = 0, redirect_later: bool = False) -> None:
    """Fetch ``url`` and call ``on_done(ref_or_None, error)`` with a playlist AudioRef.

    ``error`` is ``(code, message)`` when the URL failed or its TwiML is not allowed.
    With ``redirect_later`` (wait and hold music) a ``<Redirect>`` is not followed now: the
    playlist carries ``then`` = {url, method}, requested anew when it has played.
    """
    if is_local(url):
        try:
            ref = {"kind": "file", "path": local_path(url)}
            check_file(ref["path"], eng.config)
        except ValueError as err:
            error = (_local_code(err), f"{url}: {err}")
            _refused_locally(eng, account_sid, url, kind, error, call_sid, conference_sid)
            on_done(None, error)
            return
        on_done(ref, None)
        return
    hosted = hosted_ref(eng.config, url)
    if hosted is not None:  # Twilio's own hold music: generated here, never fetched
        on_done(hosted, None)
        return

    def got(result: Any) -> None:
        what = content.classify(result)
        if what == "error":
            code, message = content.content_error(result)
            on_done(None, (code, message))
            return
        if what == "audio":
            on_done(_bytes_ref(result.body), None)
            return
        from . import twiml  # the TwiML model loads with the first document

        try:
            if what == "text":
                doc = twiml.document_from_text(content.decode_text(result), result.final_url)
            else:
                doc = twiml.parse(result.body, result.final_url)
            twiml.check_allowed(doc)
        except TwilioError as err:
            on_done(None, (err.code, err.message))
            return
        _resolve_document(eng, account_sid, doc, result.final_url, params, on_done,
                          call_sid, conference_sid, kind, hops, redirect_later)

    eng.emit_request(OutboundRequest(url=url, method=method, params=list(params), kind=kind),
                     account_sid=account_sid, on_result=got, call_sid=call_sid,
                     conference_sid=conference_sid)


def _bytes_ref(body: bytes) -> dict[str, Any]:
    return {"kind": "bytes", "data_b64": base64.b64encode(body).decode("ascii")}


def _resolve_document(eng: Engine, account_sid: str, doc: twiml.Document, doc_url: str,
                      params: list[tuple[str, str]], on_done: Callable[[Any, Any], None],
                      call_sid: str | None, conference_sid: str | None, kind: str, hops: int,
                      redirect_later: bool = False) -> None:
    from . import twiml

    items: list[Any] = []
    loop = False
    pending: list[tuple[Any, str]] = []
    then: dict[str, str] | None = None
    for verb in doc.verbs:
        if isinstance(verb, twiml.Say):
            items.append({"kind": "say", "text": verb.text, "voice": verb.voice,
                          "language": verb.language, "loop": verb.loop or True})
        elif isinstance(verb, twiml.Pause):
            items.append({"kind": "silence", "seconds": float(verb.length)})
        elif isinstance(verb, twiml.Play):
            slot = {"kind": "silence", "seconds": 0.0, "loop": verb.loop or True}
            items.append(slot)
            if verb.digits:
                slot.update({"kind": "dtmf", "digits": verb.digits})
            elif verb.url:
                pending.append((slot, verb.url))
        elif isinstance(verb, twiml.Redirect):
            target = verb.url or doc_url
            if redirect_later:
                then = {"url": target, "method": verb.method or "POST"}
            elif urldefrag(target)[0] == urldefrag(doc_url)[0] or hops >= MAX_REDIRECTS:
                loop = True
            else:
                pending.append((("redirect", items), target))
            break

    def finish() -> None:
        ref = {"kind": "playlist", "items": items, "loop": loop}
        if then is not None:
            ref["then"] = then
        on_done(ref, None)

    def next_pending() -> None:
        if not pending:
            finish()
            return
        slot, url = pending.pop(0)
        if isinstance(slot, tuple):  # a Redirect to another document: play it after these
            def after_redirect(ref: dict[str, Any], error: Any) -> None:
                if ref is not None:
                    items.append(ref)
                finish()
            fetch_playlist(eng, account_sid, url, "POST", params, after_redirect, call_sid,
                           conference_sid, kind, hops + 1)
            return

        def got_audio(ref: dict[str, Any] | None, error: Any) -> None:
            loop_value = slot.get("loop", True)
            slot.clear()
            if ref is None:
                slot.update({"kind": "silence", "seconds": 0.0})
            else:
                slot.update(ref)
                slot["loop"] = loop_value
            next_pending()

        fetch_audio(eng, account_sid, url, got_audio, call_sid, conference_sid)

    next_pending()


def _refused_locally(eng: Engine, account_sid: str | None, url: str, kind: str, error: tuple[int, str],
                     call_sid: str | None, conference_sid: str | None) -> None:
    """A local file that cannot or may not be read: journaled (no status, the error code) with
    its alert, like a request the transport could not send."""
    from .actions import Outbound

    result = fetch_result(url, kind, None, b"", None, error[0], error[1])
    eng.journal_unsent(Outbound(request=OutboundRequest(url=url, method="GET", params=[],
                                                        kind=kind),
                                account_sid=account_sid, call_sid=call_sid,
                                conference_sid=conference_sid), result)


def _local_code(err: Exception) -> int:
    """A file the fetch policy refuses is a failed retrieval (11200); a bad file: URL 13420."""
    return 11200 if isinstance(err, Refused) else INVALID_CONTENT_FOR_PLAY


def fetch_audio(eng: Engine, account_sid: str | None, url: str,
                on_done: Callable[[dict[str, Any] | None, tuple[int, str] | None], object],
                call_sid: str | None = None, conference_sid: str | None = None) -> None:
    """The audio at a ``<Play>`` URL as an AudioRef: ``on_done(ref, None)``, or
    ``on_done(None, (code, message))`` after alerting. ``file:`` URLs and paths are read from
    disk (at once); http(s) is fetched through the router (later, outside the lock)."""
    hosted = hosted_ref(eng.config, url)
    if hosted is not None:
        on_done(hosted, None)
        return
    if is_local(url):
        try:
            ref = {"kind": "file", "path": local_path(url)}
            check_file(ref["path"], eng.config)  # policy.Refused is a ValueError
        except ValueError as err:
            error = (_local_code(err), f"<Play> {url}: {err}")
            _refused_locally(eng, account_sid, url, "play-media", error, call_sid,
                             conference_sid)
            on_done(None, error)
            return
        on_done(ref, None)
        return

    got: Callable[[DeliveryResult], object]
    if isinstance(on_done, Stored):
        # Stored with the request: after a restart the answer still reaches the verb waiting.
        got = stored(eng, "play.fetched", on_done={"kind": on_done.kind, "args": on_done.args})
    else:
        def got_answer(result: DeliveryResult) -> None:
            _audio_fetched(eng, result, on_done)

        got = got_answer

    eng.emit_request(OutboundRequest(url=url, method="GET", params=[], kind="play-media"),
                     account_sid=account_sid, on_result=got, call_sid=call_sid,
                     conference_sid=conference_sid)


def _audio_fetched(eng: Engine, result: DeliveryResult, on_done: Callable[..., object] | dict[str, Any]) -> None:
    """The answer to a ``<Play>`` fetch: ``on_done(ref, None)`` or ``on_done(None, error)``."""
    if isinstance(on_done, dict):  # a stored continuation
        on_done = Stored(eng, on_done["kind"], on_done["args"])
    if content.classify(result) == "audio":
        on_done(_bytes_ref(result.body), None)
        return
    if result.error_code is not None:  # the transport already journaled and alerted it
        on_done(None, (result.error_code, result.error_message))
        return
    if result.status is not None and not 200 <= result.status < 300:
        code, message = content.content_error(result)
    else:
        code = INVALID_CONTENT_FOR_PLAY
        message = (f"<Play> {result.final_url}: Content-Type "
                   f"{result.content_type or 'none'} is not audio")
    eng.fault(code, message or "")
    on_done(None, (code, message))


# -- wait, hold, announce -------------------------------------------------------------------------
def play_wait(eng: Engine, conf: Conference, part: Participant,
              on_fail: Callable[[str], bool] | None = None) -> None:
    """What a participant hears while the conference has not started. If the first request
    of the waitUrl fails, ``on_fail(call_sid)`` decides: True means the participant was taken
    out (nothing to play); otherwise it waits in silence."""
    opts = part.options or {}
    url = opts.get("wait_url")
    sid, conf_sid = part.call_sid, conf.sid
    gen = _new_music(part)
    if url is None or url is DEFAULT or url == "DEFAULT":
        eng.media_event("wait-audio", call_sid=sid, conference_sid=conf_sid, audio=HOLD_MUSIC)
        return
    if url == "":
        eng.media_event("wait-audio", call_sid=sid, conference_sid=conf_sid, audio=None)
        return
    music = {"which": "wait", "account_sid": conf.account_sid, "sid": sid,
             "conf_sid": conf_sid, "gen": gen, "first_url": url}
    _fetch_music(eng, music, url, opts.get("wait_method") or "POST", on_fail)


def _still_playing(eng: Engine, music: dict[str, Any]) -> bool:
    """Is the wait/hold document run ``music`` still what its participant hears?"""
    p = _participant(eng, music["sid"])
    if p is None or (p.options or {}).get("_music") != music["gen"]:
        return False
    if music["which"] == "wait":
        return p.status == "connected" and p.conference.status == "init"
    return bool(p.hold)


def _fetch_music(eng: Engine, music: dict[str, Any], target: str, method: str,
                 on_fail: Callable[[str], bool] | None = None) -> None:
    """Request a wait/hold URL of the run ``music`` (plain JSON: which, account_sid, sid,
    conf_sid, gen, first_url) and play what it answers."""
    sid, conf_sid = music["sid"], music["conf_sid"]

    def done(ref: dict[str, Any] | None, error: Any) -> None:
        if error is not None:
            eng.alert(music["account_sid"], error[0], error[1], call_sid=sid,
                      conference_sid=conf_sid, url=music["first_url"])
            if music["which"] == "hold" or (on_fail is not None and on_fail(sid)):
                return
        if music["which"] == "hold" and not _still_playing(eng, music):
            return
        ref = _then_later(eng, ref, music)
        event = "wait-audio" if music["which"] == "wait" else "hold"
        eng.media_event(event, call_sid=sid, conference_sid=conf_sid, audio=ref)

    fetch_playlist(eng, music["account_sid"], target, method, _params_of(eng, sid), done, sid,
                   conf_sid, kind=f"{music['which']}-url", redirect_later=True)


def _new_music(part: Participant) -> int:
    """A new wait/hold document run for ``part``: an earlier run's pending redirect is stale."""
    gen = int((part.options or {}).get("_music", 0)) + 1
    part.options = {**(part.options or {}), "_music": gen}
    return gen


def _params_of(eng: Engine, call_sid: str) -> list[tuple[str, str]]:
    from ..store.models import Call

    call = eng.db.get(Call, call_sid)
    return callbacks.voice_params(call) if call is not None else []


def _then_later(eng: Engine, ref: dict[str, Any] | None,
                music: dict[str, Any]) -> dict[str, Any] | None:
    """A wait/hold playlist that ends in ``<Redirect>``: when it has played, request the
    redirect's URL again (a new request each time, even to the same URL: apps count
    "you are caller number N"). A document that takes no time loops instead."""
    if ref is None or "then" not in ref:
        return ref
    ref = dict(ref)
    then = ref.pop("then")
    seconds = _duration(ref, eng.config)
    if seconds is None:
        return ref  # endless: the redirect is never reached
    if seconds <= 0:
        ref["loop"] = True
        return ref

    schedule(eng, seconds, "music.redirect", "wait/hold <Redirect>", music=music,
             url=then["url"], method=then["method"])
    return ref


def _music_redirect(eng: Engine, music: dict[str, Any], url: str, method: str) -> None:
    """Stored action: a wait/hold playlist ending in ``<Redirect>`` has played: request its
    URL again, if that document is still what the participant hears."""
    if _still_playing(eng, music):
        _fetch_music(eng, music, url, method)


def play_hold(eng: Engine, conf: Conference, part: Participant, url: str | None, method: str) -> None:
    sid, conf_sid = part.call_sid, conf.sid
    if part.status != "connected":
        return
    gen = _new_music(part)
    if url is None:
        eng.media_event("hold", call_sid=sid, conference_sid=conf_sid, audio=HOLD_MUSIC)
        return
    if url == "":
        eng.media_event("hold", call_sid=sid, conference_sid=conf_sid, audio=None)
        return
    # On hold at once (silence) until the hold document arrives.
    eng.media_event("hold", call_sid=sid, conference_sid=conf_sid, audio=None)

    music = {"which": "hold", "account_sid": conf.account_sid, "sid": sid,
             "conf_sid": conf_sid, "gen": gen, "first_url": url}
    _fetch_music(eng, music, url, method)


def _announcement_end(eng: Engine, conference_sid: str, call_sid: str | None, url: str) -> None:
    from ..store.models import Conference

    c = eng.db.get(Conference, conference_sid)
    assert c is not None  # conferences outlive their announcements
    p = participant_for_call(eng, call_sid) if call_sid else None
    send_event(eng, c, "announcement-end", p, extra=(("AnnounceUrl", url),))


def _participant(eng: Engine, call_sid: str) -> Participant | None:  # noqa: D401
    return participant_for_call(eng, call_sid)


def announce(eng: Engine, conf: Conference, part: Participant | None, url: str, method: str) -> None:
    """Play ``url`` to the whole conference (``part`` None) or to one participant; send
    announcement-end when its audio has played on the virtual clock, or announcement-fail."""
    sid = part.call_sid if part is not None else None
    conf_sid = conf.sid
    params = (_call_params(eng, part) if part is not None else [
        ("AccountSid", conf.account_sid), ("ConferenceSid", conf.sid),
        ("FriendlyName", conf.friendly_name)])

    def event(name: str, extra: Iterable[tuple[str, str]] = ()) -> None:
        from ..store.models import Conference

        c = eng.db.get(Conference, conf_sid)
        assert c is not None  # announced while it runs
        p = _participant(eng, sid) if sid else None
        send_event(eng, c, name, p, extra=(("AnnounceUrl", url),) + tuple(extra))

    def done(ref: dict[str, Any], error: Any) -> None:
        if error is not None:
            eng.alert(conf.account_sid, error[0], error[1], call_sid=sid, conference_sid=conf_sid,
                      url=url)
            event("announcement-fail", (("ReasonAnnouncementFailed", error[1] or str(error[0])),))
            return
        eng.media_event("announce", call_sid=sid, conference_sid=conf_sid, audio=ref)
        seconds = _duration(ref, eng.config)
        if seconds is None:
            return  # an endless announcement never ends on its own
        schedule(eng, seconds, "announcement.end", f"announcement-end {conf_sid}",
                 conference_sid=conf_sid, call_sid=sid, url=url)

    fetch_playlist(eng, conf.account_sid, url, method, params, done, sid, conf_sid,
                   kind="announce-url")
