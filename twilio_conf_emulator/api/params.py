"""Request parsing with marshmallow, the Twilio way.

- Form and query keys are PascalCase; unknown keys, and fields marked ``ignored``, are
  accepted and reported by a warning alert (api.ignored).
- Booleans: ``true``/``false`` in any case; anything else is false, as Twilio documents for
  ``Muted``.
- Event lists arrive as repeated keys or space-separated values; both are accepted.
- A bad value becomes a 400 with the Twilio code the field carries (``metadata["code"]``).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from ..errors import BadRequest
from ..sids import is_sid
from .ignored import Usage, consume, ignore

if TYPE_CHECKING:  # annotations only
    from werkzeug.datastructures import MultiDict

E164_LIKE = re.compile(r"^\+?[0-9][0-9\-\.\(\) ]{1,30}$")
HTTP_METHODS = ("GET", "POST")


class TBool(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        return str(value).strip().lower() == "true"


class TString(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        max_len = self.metadata.get("max_length")
        if max_len and len(value) > max_len:
            raise ValidationError(f"{self.data_key} must be at most {max_len} characters")
        return value


class TList(fields.Field):
    """Repeated keys and space-separated values, flattened, first occurrence kept."""

    def _deserialize(self, value, attr, data, **kwargs):
        values = value if isinstance(value, list) else [value]
        out = []
        for v in values:
            for item in str(v).replace(",", " ").split():
                if item not in out:
                    out.append(item)
        allowed = self.metadata.get("choices")
        if allowed:
            bad = [v for v in out if v not in allowed]
            if bad:
                raise ValidationError(
                    f"{self.data_key} has invalid value(s) {' '.join(bad)}; "
                    f"allowed: {' '.join(allowed)}")
        return out


class TMethod(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        v = str(value).strip().upper()
        if v not in HTTP_METHODS:
            raise ValidationError(f"{self.data_key} must be GET or POST, not {value!r}")
        return v


class TUrl(fields.Field):
    """An absolute http(s) URL; ``''`` where the field allows it (WaitUrl: play nothing)."""

    def _deserialize(self, value, attr, data, **kwargs):
        v = str(value).strip()
        if v == "" and self.metadata.get("allow_empty"):
            return ""
        try:
            parts = urlsplit(v)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname)
            if ok and "_" in (parts.hostname or "") and self.metadata.get("no_underscore"):
                ok = False
        except ValueError:
            ok = False
        if not ok:
            raise ValidationError(f"{self.data_key} is not a valid URL: {value!r}")
        return v


class TInt(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            v = int(str(value).strip())
        except ValueError:
            raise ValidationError(f"{self.data_key} must be an integer, not {value!r}") from None
        lo, hi = self.metadata.get("min"), self.metadata.get("max")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ValidationError(f"{self.data_key} must be between {lo} and {hi}, not {v}")
        return v


class TChoice(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        v = str(value).strip()
        choices = self.metadata["choices"]
        if v not in choices:
            raise ValidationError(f"{self.data_key} must be one of {', '.join(choices)}, "
                                  f"not {value!r}")
        return v


class TSid(fields.Field):
    """A Twilio SID with the prefix in ``metadata["prefix"]``; ``''`` clears it (null)."""

    def _deserialize(self, value, attr, data, **kwargs):
        v = str(value).strip()
        if v == "":
            return None
        prefix = self.metadata["prefix"]
        if not is_sid(v, prefix):
            raise ValidationError(f"{self.data_key} must be a {prefix} SID, not {value!r}")
        return v


class TEndpoint(fields.Field):
    """A phone number, ``client:``, ``sip:`` or ``app:AP…``; custom ``?k=v`` params allowed."""

    def _deserialize(self, value, attr, data, **kwargs):
        v = str(value).strip()
        base = v.split("?", 1)[0]
        low = base.lower()
        if low.startswith("client:") and len(base) > 7:
            return v
        if low.startswith("sip:") and "@" in base:
            return v
        if low.startswith("app:") and is_sid(base[4:], "AP"):
            return v
        if E164_LIKE.match(base) and sum(c.isdigit() for c in base) >= 2:
            digits = re.sub(r"[^0-9]", "", base)
            return ("+" + digits) if base.startswith("+") else digits
        raise ValidationError(f"The '{self.data_key}' number {v} is not a valid phone number.")


def field(kind: type[fields.Field], key: str, code: int = 21200, required: bool = False,
          required_code: int | None = None, required_message: str | None = None,
          **meta: Any) -> fields.Field:
    return kind(data_key=key, required=required,
                metadata={"code": code, "required_code": required_code,
                          "required_message": required_message, **meta})


class TwilioSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    def parse(self, multidict: MultiDict[str, str], usage: Usage | None = None) -> dict[str, Any]:
        """Load from a werkzeug MultiDict; raise :class:`BadRequest` with the field's code.
        What it uses and ignores goes to ``usage`` (a request served without Flask), else
        to the Flask request's."""
        if usage is None:
            consume(*self._keys)
        else:
            usage.consumed.update(self._keys)
        raw = []
        for name, f, key, is_list in self._plan:
            if key in multidict:
                if f.metadata.get("ignored"):
                    if usage is None:
                        ignore(key, f.metadata["ignored"])
                    else:
                        usage.ignored[key] = f.metadata["ignored"]
                raw.append((name, f, key, multidict.getlist(key) if is_list else multidict.get(key)))
            elif f.required:
                raise BadRequest(f.metadata.get("required_message") or f"A '{key}' is required",
                                 code=f.metadata.get("required_code") or f.metadata["code"])
        # Each field deserialised in declared order, as ``Schema.load`` would (these schemas
        # have no hooks or schema validators), without load's per-call machinery; the first
        # bad field is the 400, as _to_twilio picks it from load's errors.
        out: dict[str, Any] = {}
        for name, f, key, value in raw:
            try:
                out[name] = f.deserialize(value, name, multidict)
            except ValidationError as err:
                raise self._to_twilio(ValidationError({key: err.messages})) from None
        return out

    @functools.cached_property
    def _plan(self) -> list[tuple[str, fields.Field, str, bool]]:
        return [(name, f, cast(str, f.data_key), isinstance(f, TList))  # field() sets data_key
                for name, f in self.fields.items()]

    @functools.cached_property
    def _keys(self) -> tuple[str, ...]:
        return tuple(key for _, _, key, _ in self._plan)

    def _to_twilio(self, err):
        messages = err.normalized_messages()
        for f in self.fields.values():
            if f.data_key in messages:
                msg = messages[f.data_key]
                msg = msg[0] if isinstance(msg, list) else str(msg)
                return BadRequest(msg, code=f.metadata.get("code", 21200))
        return BadRequest("Invalid request parameters", code=21200)


class TPageSize(TInt):
    """1..1000; larger values are clamped (twilio-python sends PageSize=limit unchecked)."""

    def _deserialize(self, value, attr, data, **kwargs):
        v = super()._deserialize(value, attr, data, **kwargs)
        return max(1, min(1000, v))


# Answering Machine Detection, as the Calls and the Participants APIs both take it (each adds
# its own callback parameters).
AMD = {
    "machine_detection": field(TString, "MachineDetection"),
    "machine_detection_timeout": field(TInt, "MachineDetectionTimeout", min=3, max=59),
    "machine_detection_speech_threshold": field(TInt, "MachineDetectionSpeechThreshold",
                                                min=1000, max=6000),
    "machine_detection_speech_end_threshold": field(TInt, "MachineDetectionSpeechEndThreshold",
                                                    min=500, max=5000),
    "machine_detection_silence_timeout": field(TInt, "MachineDetectionSilenceTimeout",
                                               min=2000, max=10000),
}

PAGING = {
    "page_size": field(TPageSize, "PageSize", code=20001),
    "page": field(TInt, "Page", code=20001, min=0, max=10**9),
    "page_token": field(TString, "PageToken", code=20001),
}


def schema_class(name: str, spec: dict[str, fields.Field]) -> TwilioSchema:
    """The parameter schema ``name``, built once: marshmallow's construction (copying every
    field, binding it) costs more than the load itself, and a schema holds no per-request
    state, so one instance serves every request."""
    return type(name, (TwilioSchema,), dict(spec))()
