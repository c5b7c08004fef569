"""Every choice the emulator makes where Twilio is silent, in one place.

Each field is listed in README.rst under "Assumptions"; change one with
``Emulator(config=EmulatorConfig(...))``, ``serve --set NAME=VALUE`` or
``POST /_emulator/config``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any

DEFAULT_ACCOUNT_SID = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
DEFAULT_AUTH_TOKEN = "emulator-auth-token"
# Virtual time starts here in manual mode, so dates in bodies are the same on every run.
DEFAULT_EPOCH = 1767225600.0  # 2026-01-01T00:00:00Z


# Settings of the whole server: a world's POST /_emulator/config cannot change them.
SERVER_SETTINGS = ("loopback_only",)


@dataclass
class EmulatorConfig:
    # --- call legs ---------------------------------------------------------------
    # A virtual phone nobody configured answers after this many seconds of ringing.
    default_answer_after: float = 1.0
    # Seconds from "initiated" to "ringing" for a dialled leg.
    ring_delay: float = 1.0
    # Twilio adds a buffer to every ring Timeout ("10 behaves like ~15").
    ring_timeout_buffer: float = 5.0
    # What Participant create reports as queue_time (ms, a string on the wire).
    participant_queue_time_ms: int = 1000
    # Answering machine detection: what a virtual phone with no ``answered_by`` is, and the
    # greeting length of one that gives none (seconds); a fax is recognised after
    # ``amd_fax_seconds`` (its CNG tone repeats every 3.5 s; Twilio gives no figure).
    amd_default_answered_by: str = "human"
    amd_human_greeting_seconds: float = 1.0
    amd_machine_greeting_seconds: float = 10.0
    amd_fax_seconds: float = 2.0
    # A Participants-API leg with MachineDetection joins its conference once detection is
    # over (like synchronous AMD holding a call's TwiML); False: it joins at answer.
    participant_amd_holds_join: bool = True
    # --- conference lifecycle -------------------------------------------------------
    # Where conference-start sits relative to the participant-join that caused it.
    start_event_after_join: bool = True
    # First SequenceNumber of a conference's status callbacks.
    conference_sequence_start: int = 1
    # Do unsubscribed events consume SequenceNumbers?  (Twilio: undocumented.)
    sequence_counts_unsubscribed: bool = False
    # A lone participant with startConferenceOnEnter never starts a conference (current docs).
    start_with_single_participant: bool = False
    # DialCallStatus sent to <Dial action> when a conference leg ends.
    dial_call_status_after_conference: str = "answered"
    # Free-text ``Reason`` sent with conference-end.
    send_reason_text: bool = True
    # DialCallStatus sent to <Dial action> when <Conference maxParticipants> is reached
    # (16020; Twilio only says the call is not added).
    dial_call_status_when_full: str = "failed"
    # --- TwiML -----------------------------------------------------------------------
    # What the caller hears when no usable TwiML came back and there is no fallback URL.
    application_error_message: str = "An application error has occurred."
    # A call whose TwiML is fetched more than this many times at one virtual instant (a
    # <Redirect> loop with no verb taking time) is ended with an 11215 alert.
    twiml_max_fetches_per_instant: int = 50
    # Twilio-hosted media (twimlets holdmusic com.twilio.music.* buckets, their S3 MP3s,
    # demo.twilio.com sounds) is served as generated music, never fetched over the network.
    hosted_media_offline: bool = True
    # --- audio ---------------------------------------------------------------------
    sample_rate: int = 8000
    frame_ms: int = 20
    beep_seconds: float = 0.5
    beep_hz: float = 1000.0
    # Extra one-way delay per jitterBufferSize (ms), applied to that participant's path.
    jitter_buffer_ms: dict[str, int] = field(
        default_factory=lambda: {"off": 0, "small": 20, "medium": 40, "large": 60}
    )
    # Speaker detection: an energy gate per 20 ms frame.
    speech_threshold_dbfs: float = -40.0
    speech_attack_ms: int = 60
    speech_hangover_ms: int = 800
    # <Say> duration when synthesised without espeak-ng: seconds per word, plus a floor.
    say_seconds_per_word: float = 0.4
    # Speech <Gather>: the Confidence posted with a declared utterance, and how long
    # speechTimeout="auto" waits after its last word.
    speech_confidence: float = 0.9
    speech_auto_timeout: float = 1.0
    say_min_seconds: float = 0.6
    # Speaker events: voices are analysed in windows of this many virtual seconds (a looped
    # voice is analysed window by window as the conference goes on, never as a whole).
    speech_window_seconds: float = 300.0
    # A participant muted, held or leaving while speaking gets participant-speech-stop at
    # that moment (Twilio is silent); False = no stop is sent for that utterance.
    speech_stop_when_silenced: bool = True
    # --- recordings -------------------------------------------------------------------
    # Recording media (.wav/.mp3/no extension) needs HTTP Basic auth like the rest of the
    # API. Twilio serves media unauthenticated unless the account enforces auth on media.
    recording_media_requires_auth: bool = True
    # RecordingDuration / duration: the length of the served file (after trim-silence), as
    # Twilio reports it; False = the virtual seconds recorded, before trimming.
    recording_duration_after_trim: bool = True
    # What calls heard is rendered for a whole conference at once and kept until the
    # conference changes; at most this many MB (a bigger conference renders per call).
    audio_cache_mb: int = 64
    # --- TaskRouter -------------------------------------------------------------------
    # TaskCanceledReason / reason when a caller hangs up while enqueued (<Enqueue workflowSid>).
    taskrouter_hangup_reason: str = "hangup"
    # What a pending reservation becomes when the worker's conference-instruction leg is not
    # answered (busy, no-answer, failed): "rejected" (not offered that task again), "timeout"
    # (the worker moves to the workspace's TimeoutActivity) or "canceled".
    taskrouter_worker_no_answer: str = "rejected"
    # --- webhooks -------------------------------------------------------------------
    webhook_connect_timeout: float = 10.0
    webhook_read_timeout: float = 15.0
    webhook_max_redirects: int = 10
    # --- bounds and outbound fetch policy (README "Bounds" / "Fetch policy") ----------------
    # loopback_only (below) also decides: any local file may be read as audio or TwiML unless
    # allow_files is set; on any other bind, none unless allowed.
    # Directories local audio / file: URLs may be read from (serve --allow-files, repeatable).
    allow_files: list[str] = field(default_factory=list)
    # When not empty, the only HOST or HOST:PORT webhooks, TwiML and <Play> audio go to
    # (serve --fetch-allow, repeatable); any other is refused with an 11200 alert.
    fetch_allow: list[str] = field(default_factory=list)
    # An audio input (a phone's voice file, a file: <Play>) larger or longer is refused.
    max_audio_bytes: int = 64 * 1024 * 1024
    max_audio_seconds: float = 4 * 3600.0
    # A webhook answer is journaled up to this many bytes (body_size keeps the true size).
    journal_body_max_bytes: int = 64 * 1024
    # --- security (server-wide; not changeable through POST /_emulator/config) ---------------
    # True while the server listens on loopback only (``serve`` sets it from --host): control
    # routes without credentials act on the default account's world, and anyone may create
    # accounts. False: control routes need the REST credentials (401/20003 without), and
    # creating accounts needs the admin token.
    loopback_only: bool = True
    # --- robustness -------------------------------------------------------------------------
    # A scheduled action that raises is rolled back and journaled as an alert (20500); with
    # strict_actions it propagates out of advance() instead (the project's own tests use it).
    strict_actions: bool = False
    # Every scheduled action must be a stored record (``engine.actions.Stored``), so a restart
    # on the same store carries on; a closure given to the scheduler is then a
    # NotStoredAction error instead of an action lost on restart. The project's tests turn it
    # on (environment variable TWILIO_EMULATOR_REQUIRE_STORED_ACTIONS=1 sets the default).
    require_stored_actions: bool = field(
        default_factory=lambda: os.environ.get("TWILIO_EMULATOR_REQUIRE_STORED_ACTIONS") == "1")

    def update(self, **changes: Any) -> EmulatorConfig:
        """Change settings at once or not at all: an unknown name is a KeyError, a value of
        the wrong type (a number where a number is due, ...) a ValueError."""
        defaults = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        unknown = set(changes) - set(defaults)
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        checked = {k: _checked(k, v, defaults[k]) for k, v in changes.items()}
        for k, v in checked.items():
            setattr(self, k, v)
        return self

    def as_dict(self) -> dict[str, Any]:
        """Every setting by name (``GET /_emulator/config``)."""
        return dataclasses.asdict(self)


def _checked(name: str, value: Any, current: Any) -> Any:
    """``value`` as the type of the setting's current value, or ValueError."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(current, bool):
        ok = isinstance(value, bool)
    elif isinstance(current, float):
        ok, value = number, float(value) if number else value
    elif isinstance(current, int):
        ok = number and value == int(value)
        value = int(value) if ok else value
    else:
        ok = isinstance(value, type(current))
    if not ok:
        raise ValueError(f"{name} must be {type(current).__name__}, not {value!r}")
    return value
