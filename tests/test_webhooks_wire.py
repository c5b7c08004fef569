"""sign_and_build: the request an app receives, before any transport is involved."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from twilio_conf_emulator.webhooks.transport import InvalidUrl, OutboundRequest, sign_and_build
from twilio_conf_emulator.webhooks.urls import split_fragment

TOKEN = "wire-token"
PARAMS = [("CallSid", "CA0001"), ("CallStatus", "in-progress"), ("Digits", "1"), ("Digits", "2")]


def test_post_puts_params_in_a_form_body_and_signs_them():
    url, body, headers = sign_and_build(OutboundRequest("https://app.test/voice?tenant=1", "POST", PARAMS, "voice"), TOKEN)
    assert url == "https://app.test/voice?tenant=1"
    assert body == PARAMS  # order kept, repeats kept
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert headers["User-Agent"] == "TwilioProxy/1.1"
    assert headers["Accept"] == "*/*"
    assert RequestValidator(TOKEN).validate(url, MultiDict(body), headers["X-Twilio-Signature"])


def test_get_appends_params_to_the_query_string_in_order_and_signs_the_url_alone():
    url, body, headers = sign_and_build(OutboundRequest("https://app.test/wait?tenant=1", "GET", PARAMS), TOKEN)
    assert body == []
    assert "Content-Type" not in headers
    assert parse_qsl(urlsplit(url).query) == [("tenant", "1"), *PARAMS]
    assert RequestValidator(TOKEN).validate(url, {}, headers["X-Twilio-Signature"])


def test_get_without_existing_query_starts_one():
    url, _, _ = sign_and_build(OutboundRequest("https://app.test/wait", "GET", [("A", "b c")]), TOKEN)
    assert url == "https://app.test/wait?A=b+c"


def test_fragment_connection_overrides_are_stripped_before_signing():
    url, _, headers = sign_and_build(OutboundRequest("https://app.test/voice#ct=2000&rt=3000", "POST", PARAMS), TOKEN)
    assert url == "https://app.test/voice"
    assert RequestValidator(TOKEN).validate("https://app.test/voice", MultiDict(PARAMS), headers["X-Twilio-Signature"])
    assert split_fragment("https://app.test/voice#ct=2000&rt=3000&rc=2") == (
        "https://app.test/voice",
        {"connect": 2.0, "read": 3.0},
    )


def test_the_signed_url_is_the_one_on_the_wire():
    # An HTTP client sends "/" for an empty path and lower-cases the host; the app validates
    # against what it received, so that is what must be signed.
    url, _, headers = sign_and_build(OutboundRequest("http://APP.test:8080", "POST", PARAMS), TOKEN)
    assert url == "http://app.test:8080/"
    assert RequestValidator(TOKEN).validate(url, MultiDict(PARAMS), headers["X-Twilio-Signature"])


def test_idempotency_token_is_deterministic():
    def token(params):
        return sign_and_build(OutboundRequest("https://app.test/cb", "POST", params), TOKEN)[2]["I-Twilio-Idempotency-Token"]

    assert token(PARAMS) == token(list(PARAMS))
    assert token(PARAMS) != token(PARAMS[:-1])


@pytest.mark.parametrize("url", ["ftp://app.test/voice", "/voice", "app.test/voice", "http://", "mailto:x@y"])
def test_not_an_absolute_http_url(url):
    with pytest.raises(InvalidUrl):
        sign_and_build(OutboundRequest(url, "POST", PARAMS), TOKEN)
