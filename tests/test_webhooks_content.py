"""classify (Twilio's MIME rules) and fetch_resource (local fixtures and http)."""

import pytest
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator

from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.webhooks.content import content_error, decode_text
from twilio_conf_emulator.webhooks.transport import (
    DeliveryResult,
    Router,
    WsgiTransport,
    classify,
    fetch_resource,
)

TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response><Say>hi</Say></Response>'


def answer(body=b"", content_type="text/xml", status=200, error_code=None, charset=None):
    header = content_type + (f"; charset={charset}" if charset else "") if content_type else None
    return DeliveryResult(
        url="https://app.test/x", method="POST", params=[], signature="", status=status,
        headers={"Content-Type": header} if header else {}, body=body, content_type=content_type,
        error_code=error_code, error_message=None, final_url="https://app.test/x",
    )


@pytest.mark.parametrize("content_type", ["text/xml", "application/xml", "text/html"])
def test_xml_and_html_types_run_as_twiml(content_type):
    assert classify(answer(TWIML, content_type)) == "twiml"


def test_a_broken_document_with_an_xml_type_is_still_twiml_so_the_parser_reports_12100():
    assert classify(answer(b"<Response>", "text/xml")) == "twiml"


@pytest.mark.parametrize("content_type", ["audio/mpeg", "audio/x-wav", "audio/wav", "audio/ogg"])
def test_audio_types_are_played(content_type):
    assert classify(answer(b"RIFF....", content_type)) == "audio"


def test_text_plain_is_twiml_only_if_it_is_a_twiml_document():
    assert classify(answer(TWIML, "text/plain")) == "twiml"
    assert classify(answer(b"Please hold, an agent will be with you shortly.", "text/plain")) == "text"
    assert classify(answer(b"<Html><body>hi</body></Html>", "text/plain")) == "text"
    assert classify(answer(b'  <?xml version="1.0"?><Response/>', "text/plain")) == "text"


@pytest.mark.parametrize(
    "result",
    [
        answer(b'{"a": 1}', "application/json"),
        answer(TWIML, None),
        answer(TWIML, "text/xml", status=500, error_code=11217),
        answer(b"", None, status=None, error_code=11205),
    ],
)
def test_everything_else_is_an_error(result):
    assert classify(result) == "error"
    assert content_error(result)[0] in (12300, 11217, 11205)


def test_unknown_type_is_12300():
    assert content_error(answer(b"{}", "application/json"))[0] == 12300


def test_text_is_decoded_with_the_declared_charset():
    assert decode_text(answer("Grüß Gott".encode("latin-1"), "text/plain", charset="iso-8859-1")) == "Grüß Gott"
    assert decode_text(answer("Grüß Gott".encode(), "text/plain")) == "Grüß Gott"


def test_fetch_a_local_file_by_path_and_by_file_url(tmp_path):
    wav = tmp_path / "hold music.wav"
    wav.write_bytes(b"RIFF0000WAVE")
    by_path = fetch_resource("hold music.wav", base_dir=str(tmp_path))
    by_url = fetch_resource(wav.as_uri())
    for result in (by_path, by_url):
        assert (result.status, result.error_code, result.body) == (200, None, b"RIFF0000WAVE")
        assert result.content_type == "audio/x-wav"
        assert classify(result) == "audio"


def test_fetch_a_local_twiml_fixture(tmp_path):
    (tmp_path / "wait.xml").write_bytes(TWIML)
    assert classify(fetch_resource(str(tmp_path / "wait.xml"))) == "twiml"


def test_missing_local_file_is_11200(tmp_path):
    result = fetch_resource(str(tmp_path / "nope.mp3"))
    assert (result.status, result.error_code) == (None, 11200)
    assert classify(result) == "error"


def test_http_resources_go_through_the_router_signed():
    app = Flask("media")
    seen = []

    @app.get("/music.mp3")
    def music():
        seen.append(RequestValidator("tok").validate(request.url, {}, request.headers["X-Twilio-Signature"]))
        return Response(b"ID3...", content_type="audio/mpeg")

    router = Router(EmulatorConfig())
    router.route_all(WsgiTransport(app))
    result = fetch_resource("https://media.test/music.mp3", router=router, auth_token="tok", kind="play")
    assert seen == [True]
    assert (result.status, result.content_type, result.kind, classify(result)) == (200, "audio/mpeg", "play", "audio")
