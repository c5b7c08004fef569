"""A phone's or caller's ``audio`` checked when it is given, not when the call is rendered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import BadRequest
from ..media import audio as media_audio

if TYPE_CHECKING:  # annotations only
    from ..world import World

# Kinds a user may give (README "Audio"); "pending" and "beep" are the engine's own.
USER_KINDS = ("file", "tone", "silence", "playlist", "say", "dtmf", "hold-music", "bytes")


def checked_audio(emu: World, audio: object) -> None:
    """Raise a 400 naming the reason when ``audio`` cannot be played: a missing, unreadable,
    disallowed, too large or too long file, or an unknown kind."""
    if audio is None:
        return
    if isinstance(audio, str):
        ref = {"kind": "file", "path": audio}
    elif isinstance(audio, dict):
        ref = audio
    else:
        raise BadRequest("audio must be a file path or an object with a 'kind'", code=20001)
    _check_kinds(ref)
    try:
        media_audio.load_sound(ref, emu.config)
    except (media_audio.AudioError, KeyError, TypeError, ValueError) as err:
        reason = f"missing field {err}" if isinstance(err, KeyError) else str(err)
        raise BadRequest(f"audio cannot be played: {reason}", code=20001) from None


def _check_kinds(ref: object, depth: int = 0) -> None:
    if not isinstance(ref, dict):
        raise BadRequest("audio: every playlist item must be an object with a 'kind'",
                         code=20001)
    kind = ref.get("kind")
    if kind not in USER_KINDS:
        raise BadRequest(f"audio: unknown kind {kind!r} (one of {', '.join(USER_KINDS)})",
                         code=20001)
    if kind == "playlist":
        items = ref.get("items")
        if not isinstance(items, list) or not items or depth > 4:
            raise BadRequest("audio: a playlist needs a non-empty 'items' list", code=20001)
        for item in items:
            _check_kinds(item, depth + 1)
