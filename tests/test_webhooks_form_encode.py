"""A webhook's form encoding (body and idempotency token) is exactly ``urlencode``'s, though
it is built once per webhook with memoised quoting."""

import random
from urllib.parse import urlencode

from twilio_conf_emulator.webhooks.transport import OutboundRequest, sign_and_build
from twilio_conf_emulator.webhooks.wire import encode_body, form_encode, form_params, idempotency_token

TRICKY = ["", " ", "a b", "a+b", "a&b=c", "~_.-", "é", "日本", "100%", "/path?x=1#f", "\n\t",
          "Mon, 30 Nov 2026 23:00:00 +0000", "CA" + "0" * 32, "😀", "a\x00b", "\x01", "=\x00&"]


def test_form_encode_is_urlencode_for_every_kind_of_text():
    rng = random.Random(7)
    for _ in range(300):
        params = [(rng.choice(TRICKY) + str(rng.randint(0, 9)), rng.choice(TRICKY) + rng.choice(TRICKY))
                  for _ in range(rng.randint(0, 6))]
        assert form_encode(params) == urlencode(params)
    assert form_encode([("n", 5)]) == urlencode([("n", 5)])
    every_ascii = [(chr(c), chr(c) * 2) for c in range(128)]  # each quoted by its own rule
    assert form_encode(every_ascii) == urlencode(every_ascii)


def test_the_body_an_app_receives_is_urlencode_of_the_params_and_the_token_hashes_the_same_text():
    params = [("CallSid", "CA1"), ("Friendly Name", "Town hall & co"), ("Digits", "1+2"), ("A", "é")]
    url, body, headers = sign_and_build(OutboundRequest("https://app.test/cb", "POST", params), "tok")
    assert encode_body(body) == urlencode(params).encode("ascii")
    assert headers["I-Twilio-Idempotency-Token"] == idempotency_token(url, params)
    assert idempotency_token(url, form_params(params)) == idempotency_token(url, list(params))
