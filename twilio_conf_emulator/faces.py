"""The one contract both emulator faces keep: :class:`~twilio_conf_emulator.Emulator`
(in-process) and :class:`~twilio_conf_emulator.remote.RemoteEmulator` (a running server, over
``/_emulator/*``). Code and fixtures written against :class:`EmulatorFace` run on either; mypy
checks both classes against it (``tests/typing_faces.py``) and the plugin's example tests run
against both (``tests/test_plugin_fixtures.py``).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from .journal import JournalView

Digits = list[dict[str, Any]] | list[tuple[float, str]]


@runtime_checkable
class EmulatorFace(Protocol):
    """What a test drives: the virtual clock, virtual phones and callers, the journal."""

    account_sid: str
    auth_token: str

    # -- the clock
    def advance(self, seconds: float = 0.0) -> float:
        """Run everything due in the next ``seconds`` of virtual time; the new virtual time."""

    def now(self) -> float:
        """The virtual time, epoch seconds."""

    # -- state
    def reset(self) -> None:
        """Drop all state but accounts and config."""

    def create_account(self, sid: str | None = None, auth_token: str | None = None,
                       friendly_name: str | None = None) -> tuple[str, str]:
        """A fresh, isolated account: ``(sid, auth_token)``."""

    def phone(self, number: str, account_sid: str | None = None,
              **behaviour: Any) -> dict[str, Any]:
        """How ``number`` behaves when the emulator dials it."""

    # -- virtual callers
    def call(self, from_: str, to: str, audio: str | dict[str, Any] | None = None,
             digits: Digits | None = None,
             hangup_after: float | None = None,
             speech: list[dict[str, Any]] | None = None) -> str:
        """A virtual caller dials ``to``; its Call SID."""

    def press(self, call_sid: str, digits: str) -> None:
        """The party on ``call_sid`` presses ``digits`` now."""

    def hangup(self, call_sid: str) -> None:
        """The party on ``call_sid`` hangs up now."""

    def call_audio(self, call_sid: str) -> bytes:
        """What ``call_sid`` heard, as WAV bytes."""

    # -- webhooks and alerts
    @property
    def webhooks(self) -> JournalView:
        """The journal of every request the emulator sent."""

    def replay_webhooks(self, ids: list[int], url: str | None = None) -> list[dict[str, Any]]:
        """Re-send journal entries now, re-signed; the new entries."""

    def alerts(self) -> list[dict[str, Any]]:
        """Debugger notifications, in order."""

    def deliver_webhooks_to(self, wsgi_app: Any, host: str | None = None) -> Any:
        """Send webhooks straight into a WSGI app (in-process only)."""

    # -- clients
    @property
    def client(self) -> Any:
        """A twilio-python ``Client`` for the default account."""

    def make_client(self, account_sid: str | None = None, auth_token: str | None = None) -> Any:
        """A twilio-python ``Client`` for another account or key."""

    def stop(self) -> None:
        """Release threads, sockets and transports."""
