"""api.fields: the declared fields the parameter schemas and representations are built on
(marshmallow's semantics, without marshmallow: issue 11)."""

import subprocess
import sys
from types import SimpleNamespace

import pytest

from twilio_conf_emulator.api import fields
from twilio_conf_emulator.api.render import RecordingSchema, recording


class Base(fields.Schema):
    sid = fields.String()
    uri = fields.Function(lambda r: f"/base/{r.sid}")
    count = fields.Integer()


class Child(Base):
    uri = fields.Function(lambda r: f"/child/{r.sid}")  # named again: keeps its place
    kind = fields.Constant("child")
    from_ = fields.String(attribute="from_", data_key="from")


def test_a_subclass_dumps_its_bases_fields_first_and_an_override_keeps_its_place():
    row = SimpleNamespace(sid=b"XX1", count="7", from_="+15550001111")
    assert list(Child().dump(row).items()) == [
        ("sid", "XX1"), ("uri", "/child/b'XX1'"), ("count", 7), ("kind", "child"),
        ("from", "+15550001111")]
    assert Base().dump(row) == {"sid": "XX1", "uri": "/base/b'XX1'", "count": 7}


def test_an_attribute_the_row_lacks_is_left_out_and_none_stays_none():
    assert Child().dump(SimpleNamespace(sid=None, from_="x")) == {
        "sid": None, "uri": "/child/None", "kind": "child", "from": "x"}  # no count
    class Keys(fields.Schema):
        sid = fields.String()
        count = fields.Integer()
        missing = fields.String()

    # A mapping's items are read as a row's attributes.
    assert Keys().dump({"sid": "XX2", "count": None}) == {"sid": "XX2", "count": None}


def test_a_recording_renders_in_twilios_field_order():
    assert list(RecordingSchema.declared_fields)[-4:] == [
        "encryption_details", "uri", "media_url", "subresource_uris"]
    assert list(RecordingSchema.declared_fields).index("uri") == list(
        type(recording).__mro__[1].declared_fields).index("uri")


def test_a_bad_value_is_a_validation_error_with_marshmallows_messages():
    with pytest.raises(fields.ValidationError) as err:
        fields.String().deserialize(5)
    assert err.value.messages == ["Not a valid string."]
    assert fields.String().deserialize(b"caf\xc3\xa9") == "café"


def test_the_api_imports_no_marshmallow():
    code = ("import sys; from twilio_conf_emulator.app import shared_app; shared_app(); "
            "print('marshmallow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
