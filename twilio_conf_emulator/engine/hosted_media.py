"""Twilio-hosted media, served offline.

Apps set Twilio's own media explicitly: the documented default wait music
``http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical`` (and the other
``com.twilio.music.*`` buckets), the MP3s those documents play from the buckets' S3 hosts, and
the ``demo.twilio.com`` sounds. CI has no network, so with ``config.hosted_media_offline`` (the
default) these URLs never leave the process: they become the emulator's generated music.
A twimlets hold-music document loops, as the real one does (it ends in a ``<Redirect>`` to
itself); a single hosted MP3 plays once, like any audio file. Twilio's quick-start voice URL
(``demo.twilio.com/docs/voice.xml``) answers its documented TwiML without a request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:  # annotations only
    from ..config import EmulatorConfig

AUDIO_SUFFIXES = (".mp3", ".wav", ".ogg", ".aiff", ".gsm")
MUSIC_BUCKET_PREFIXES = ("com.twilio.music.", "com.twilio.sounds.music")
# What http://demo.twilio.com/docs/voice.xml answers (the Calls API quick start's Url).
DEMO_VOICE_XML = ('<?xml version="1.0" encoding="UTF-8"?><Response>'
                  '<Say voice="alice">Thanks for trying our documentation. Enjoy!</Say>'
                  '<Play>http://demo.twilio.com/docs/classic.mp3</Play></Response>')


def hosted_twiml(config: EmulatorConfig | None, url: str | None) -> str | None:
    """The TwiML a Twilio-hosted voice document answers, or None for any other URL."""
    if not getattr(config, "hosted_media_offline", False):
        return None
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return None
    if (parts.scheme in ("http", "https") and (parts.hostname or "").lower() == "demo.twilio.com"
            and parts.path == "/docs/voice.xml"):
        return DEMO_VOICE_XML
    return None


def hosted_ref(config: EmulatorConfig | None, url: str | None) -> dict[str, Any] | None:
    """The generated AudioRef that stands in for ``url``, or None for any other URL."""
    if not getattr(config, "hosted_media_offline", False):
        return None
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    path = parts.path.lower()
    if host in ("twimlets.com", "www.twimlets.com") and path.rstrip("/") == "/holdmusic":
        bucket = (parse_qs(parts.query).get("Bucket") or [""])[0]
        if bucket.startswith(MUSIC_BUCKET_PREFIXES):
            return {"kind": "hold-music", "loop": True}
        return None
    if host.endswith(".s3.amazonaws.com") and host.startswith(MUSIC_BUCKET_PREFIXES):
        return {"kind": "hold-music", "loop": 1} if path.endswith(AUDIO_SUFFIXES) else None
    if host == "s3.amazonaws.com" and path.lstrip("/").startswith(MUSIC_BUCKET_PREFIXES):
        return {"kind": "hold-music", "loop": 1} if path.endswith(AUDIO_SUFFIXES) else None
    if host == "demo.twilio.com" and path.endswith(AUDIO_SUFFIXES):
        return {"kind": "hold-music", "loop": 1}
    return None
