"""X-Twilio-Signature: the emulator signs exactly what twilio-python's RequestValidator checks."""

import pytest
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from twilio_conf_emulator.webhooks.signer import compute_signature, signing_string

TOKEN = "12345"
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
    ("Caller", "+14158675309"),
]


def test_twilio_python_test_vector():
    assert compute_signature(TOKEN, DOC_URL, DOC_PARAMS) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_repeated_names_are_sorted_and_deduplicated():
    params = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234"), ("Digits", "1234")]
    assert compute_signature(TOKEN, DOC_URL, params) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="
    # The duplicate "1234" is signed once, values in code-point order.
    assert signing_string(DOC_URL, params).endswith("Digits1234Digits5678SidCA123SidAccountAC123")


def test_parameter_order_does_not_matter():
    assert compute_signature(TOKEN, DOC_URL, DOC_PARAMS) == compute_signature(TOKEN, DOC_URL, DOC_PARAMS[::-1])


@pytest.mark.parametrize(
    "url, params",
    [
        ("http://127.0.0.1:5000/voice", [("CallSid", "CA1"), ("CallStatus", "ringing")]),  # explicit port
        ("https://app.example.com/conf/events?tenant=7", [("StatusCallbackEvent", "participant-join")]),
        (
            "http://localhost:8080/menu",
            [("Digits", "1"), ("Digits", "2"), ("Digits", "1"), ("From", "+15550001111")],  # repeated keys
        ),
        ("https://app.example.com/voice", [("CallerName", "Zoë Ångström"), ("FromCity", "MÜNCHEN")]),  # unicode
    ],
)
def test_post_round_trips_through_request_validator(url, params):
    signature = compute_signature("auth-token-x", url, params)
    # Flask hands the validator a MultiDict (request.form); repeated keys must survive.
    assert RequestValidator("auth-token-x").validate(url, MultiDict(params), signature)


def test_get_signs_the_url_alone():
    url = "http://127.0.0.1:5000/wait?CallSid=CA1&CallStatus=in-progress"
    signature = compute_signature("auth-token-x", url, [])
    assert RequestValidator("auth-token-x").validate(url, {}, signature)
    assert compute_signature("auth-token-x", url, ()) == compute_signature("auth-token-x", url, [])


def test_wrong_token_or_tampered_params_do_not_validate():
    signature = compute_signature("right", DOC_URL, DOC_PARAMS)
    validator = RequestValidator("right")
    assert not validator.validate(DOC_URL, MultiDict(DOC_PARAMS[:-1]), signature)
    assert not RequestValidator("wrong").validate(DOC_URL, MultiDict(DOC_PARAMS), signature)
