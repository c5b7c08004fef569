"""Declared fields and schemas: a form parameter loaded, a row's attribute dumped.

The API's parameter schemas (``params``) and representations (``render``) were marshmallow
schemas using a small part of it: per field, a ``data_key``, ``required``, ``metadata`` and
one ``_deserialize`` or ``_serialize``; per schema, the declared fields in order. This is
that part, with marshmallow's semantics (a schema's fields are its bases' in their order, then
its own; a field named again keeps its place and takes the new value; an attribute a row does
not have is left out of the dump). Importing marshmallow and building its schemas held about
0.8 MB of a served process's memory (issue 11).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

_MISSING: Any = object()


class ValidationError(Exception):
    """A bad value of one field; ``messages`` as marshmallow gave them (a list)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.messages = [message]


class Field:
    """A field as loaded from a form (``data_key``, ``required``, ``metadata``) and dumped
    from a row (``attribute``, else the field's name; ``data_key``, else the name)."""

    check_attribute: ClassVar[bool] = True  # False: dumped without reading the row

    def __init__(self, *, data_key: str | None = None, attribute: str | None = None,
                 required: bool = False, allow_none: bool = False,
                 metadata: dict[str, Any] | None = None) -> None:
        self.data_key = data_key
        self.attribute = attribute
        self.required = required
        self.allow_none = allow_none  # documents a nullable value; dumping passes None as is
        self.metadata = metadata or {}

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None) -> Any:
        """The loaded value of a present key (raises :class:`ValidationError`)."""
        return self._deserialize(value, attr, data)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return value

    def serialize(self, attr: str, obj: Any) -> Any:
        """The dumped value of ``obj``'s attribute, or ``_MISSING`` if it has none."""
        if not self.check_attribute:
            return self._serialize(None, attr, obj)
        value = _get_value(obj, self.attribute or attr)
        if value is _MISSING:
            return _MISSING
        return self._serialize(value, attr, obj)

    def _serialize(self, value: Any, attr: str, obj: Any, **kwargs: Any) -> Any:
        return value


def _get_value(obj: Any, key: str) -> Any:
    # As marshmallow.utils.get_value: an item if ``obj`` has items, else an attribute.
    if not hasattr(obj, "__getitem__"):
        return getattr(obj, key, _MISSING)
    try:
        return obj[key]
    except (KeyError, IndexError, TypeError, AttributeError):
        return getattr(obj, key, _MISSING)


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class String(Field):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, (str, bytes)):
            raise ValidationError("Not a valid string.")
        try:
            return _text(value)
        except UnicodeDecodeError:
            raise ValidationError("Not a valid utf-8 string.") from None

    def _serialize(self, value: Any, attr: str, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else _text(value)


class Integer(Field):
    def _serialize(self, value: Any, attr: str, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else int(value)


class Constant(Field):
    """Always ``constant``, whatever the row holds."""

    check_attribute = False

    def __init__(self, constant: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.constant = constant

    def _serialize(self, value: Any, attr: str, obj: Any, **kwargs: Any) -> Any:
        return self.constant


class Function(Field):
    """``serialize(row)``."""

    check_attribute = False

    def __init__(self, serialize: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.serialize_func = serialize

    def _serialize(self, value: Any, attr: str, obj: Any, **kwargs: Any) -> Any:
        return self.serialize_func(obj)


class Schema:
    """Fields declared as class attributes; ``fields`` in order (a base's first)."""

    declared_fields: ClassVar[dict[str, Field]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared: dict[str, Field] = {}
        for base in reversed(cls.__mro__[1:]):
            declared.update(base.__dict__.get("declared_fields", {}))
        declared.update((name, value) for name, value in cls.__dict__.items()
                        if isinstance(value, Field))
        cls.declared_fields = declared

    @property
    def fields(self) -> dict[str, Field]:
        return self.declared_fields

    def dump(self, obj: Any) -> dict[str, Any]:
        """``obj`` as a dict: each field's data key (else its name) and dumped value."""
        out: dict[str, Any] = {}
        for name, f in self.declared_fields.items():
            value = f.serialize(name, obj)
            if value is not _MISSING:
                out[f.data_key or name] = value
        return out
