"""Twilio errors as exceptions that carry their own code, message and HTTP status (as moto does).

The REST layer renders any :class:`TwilioError` as Twilio's body
``{"code", "message", "more_info", "status"}``.
"""

from __future__ import annotations

from typing import Any

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"


class TwilioError(Exception):
    code = 20500
    status = 500
    message = "An internal server error has occurred"

    def __init__(self, message: str | None = None, code: int | None = None,
                 status: int | None = None) -> None:
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        """Twilio's error body."""
        return {
            "code": self.code,
            "message": self.message,
            "more_info": MORE_INFO.format(code=self.code),
            "status": self.status,
        }


class BadRequest(TwilioError):
    """A 400 with a Twilio code; the message says which parameter is wrong."""

    status = 400
    code = 21200

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message, code=code)


class Unauthorized(TwilioError):
    code = 20003
    status = 401
    message = "Authenticate"


class NotFound(TwilioError):
    code = 20404
    status = 404

    def __init__(self, path: str) -> None:
        super().__init__(f"The requested resource {path} was not found")


class MethodNotAllowed(TwilioError):
    code = 20004
    status = 405

    def __init__(self, method: str) -> None:
        super().__init__(f"Method {method} not allowed")


class NotImplementedYet(TwilioError):
    """A feature the emulator does not build yet: an honest 501, never a fake 200."""

    code = 20501
    status = 501

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} is not implemented by twilio-conf-emulator yet")


class AudioUnavailable(TwilioError):
    """Audio that cannot be rendered (a virtual party's file vanished or is unreadable):
    a 422 naming the reason, never a 500.  The code is the emulator's choice (README)."""

    code = 16100
    status = 422
