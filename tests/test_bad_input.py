"""Bad input is a 4xx with Twilio's body, never a 500 or an exception text, and the server
stays healthy after each (issue 8 done-when 8; issue 9 "bad input")."""

import base64
import json

import pytest
from twilio.base.exceptions import TwilioRestException

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig

TWILIO_KEYS = {"code", "message", "more_info", "status"}


@pytest.fixture
def http(emu):
    return emu.app.test_client()


def auth(emu):
    raw = f"{emu.account_sid}:{emu.auth_token}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def twilio_error(resp, status):
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    assert set(body) == TWILIO_KEYS and body["status"] == status
    assert "Traceback" not in body["message"] and "Error:" not in body["message"]
    return body


def still_healthy(emu, http):
    assert http.get("/_emulator/health").status_code == 200
    assert http.post("/_emulator/clock/advance", json={"seconds": 1}).status_code == 200
    emu.client.incoming_phone_numbers.create(phone_number="+15557770000")
    assert emu.client.incoming_phone_numbers.list(phone_number="+15557770000")


JSON = "application/json"
CONTROL_BODIES = [
    ("deep JSON", "/_emulator/clock/advance", "[" * 100000 + "]" * 100000, JSON, "nests"),
    ("NaN", "/_emulator/clock/advance", '{"seconds": NaN}', JSON, "NaN"),
    ("Infinity", "/_emulator/clock/advance", '{"seconds": Infinity}', JSON, "Infinity"),
    ("-Infinity", "/_emulator/phones", '{"number": "+1", "answer_after": -Infinity}', JSON,
     "Infinity"),
    ("not an object", "/_emulator/clock/advance", "[1, 2]", JSON, "JSON object"),
    ("a form", "/_emulator/phones", "number=%2B15550001111", "application/x-www-form-urlencoded",
     "not a form"),
    ("empty object", "/_emulator/clock/advance", "{}", JSON, "seconds"),
    ("not JSON", "/_emulator/calls", "{from: 1", JSON, "not valid JSON"),
    ("no from", "/_emulator/calls", '{"to": "+15550001111"}', JSON, "from"),
    ("2 MB", "/_emulator/phones", '{"number": "' + "1" * 2_000_000 + '"}', JSON, "bytes"),
    ("not UTF-8", "/_emulator/phones", b'{"number": "\xff"}', JSON, "UTF-8"),
    ("NUL", "/_emulator/phones", '{"number": "+1555\\u0000"}', JSON, "NUL"),
]


@pytest.mark.parametrize("what,path,data,ctype,says", CONTROL_BODIES,
                         ids=[c[0] for c in CONTROL_BODIES])
def test_control_bodies_that_are_not_a_usable_json_object_are_400(emu, http, what, path, data,
                                                                  ctype, says):
    body = twilio_error(http.post(path, data=data, content_type=ctype), 400)
    assert says in body["message"]
    still_healthy(emu, http)


def test_since_id_that_is_not_a_number_is_400(emu, http):
    assert "since_id" in twilio_error(http.get("/_emulator/webhooks?since_id=abc"), 400)["message"]
    assert http.get("/_emulator/webhooks?since_id=0").status_code == 200
    still_healthy(emu, http)


def test_advance_past_what_the_clock_can_represent_is_400_and_later_requests_work(emu, http):
    before = http.get("/_emulator/clock").get_json()["epoch"]
    body = twilio_error(http.post("/_emulator/clock/advance", json={"seconds": 2.6e11}), 400)
    assert "represent" in body["message"]
    assert http.get("/_emulator/clock").get_json()["epoch"] == before
    p = emu.client.conferences("Room").participants.create(from_="+15550000001",
                                                           to="+15550000002")
    still_healthy(emu, http)
    assert emu.client.calls(p.call_sid).fetch().date_created is not None


def test_a_non_utf8_form_is_400_naming_the_field_not_a_missing_from(emu, http):
    path = f"/2010-04-01/Accounts/{emu.account_sid}/Calls.json"
    resp = http.post(path, data=b"To=%2B15550001111&From=%2B15550002222&Url=http%3A%2F%2Fa.b%2F"
                                 b"&FriendlyName=%FF%FE", headers=auth(emu),
                     content_type="application/x-www-form-urlencoded")
    body = twilio_error(resp, 400)
    assert "UTF-8" in body["message"] and "FriendlyName" in body["message"]
    still_healthy(emu, http)


def test_a_nul_in_a_form_value_is_400_not_a_database_error(emu, http):
    path = f"/2010-04-01/Accounts/{emu.account_sid}/IncomingPhoneNumbers.json"
    resp = http.post(path, data=b"PhoneNumber=%2B15557770009&FriendlyName=a%00b",
                     headers=auth(emu), content_type="application/x-www-form-urlencoded")
    assert "FriendlyName" in twilio_error(resp, 400)["message"]
    still_healthy(emu, http)


def test_a_1mb_value_is_cut_in_the_error_body(emu, http):
    huge = "9" * 1_000_000
    with pytest.raises(TwilioRestException) as exc:
        emu.client.calls.create(to="+15550001111", from_=huge, url="http://a.b/")
    assert exc.value.status == 400
    assert len(exc.value.msg) < 2000 and "1000000 characters" in exc.value.msg
    still_healthy(emu, http)


def test_a_405_carries_allow(emu, http):
    resp = http.delete(f"/2010-04-01/Accounts/{emu.account_sid}/Calls.json", headers=auth(emu))
    twilio_error(resp, 405)
    allow = {m.strip() for m in resp.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allow and "DELETE" not in allow
    still_healthy(emu, http)


def test_an_unknown_page_token_is_400(emu, http):
    emu.client.incoming_phone_numbers.create(phone_number="+15557770001")
    from twilio.base.exceptions import TwilioException

    with pytest.raises(TwilioException) as exc:  # twilio-python: "Unable to fetch page"
        emu.client.incoming_phone_numbers.page(page_token="PAPNdeadbeef")
    response = exc.value.args[1]
    assert response.status_code == 400
    assert json.loads(response.text)["message"] == "Invalid PageToken: PAPNdeadbeef"
    # Tokens the API hands out still work.
    for n in range(2, 5):
        emu.client.incoming_phone_numbers.create(phone_number=f"+1555777000{n}")
    assert len(list(emu.client.incoming_phone_numbers.stream(page_size=2))) == 4
    still_healthy(emu, http)


@pytest.mark.parametrize("audio,says", [
    ("/no/such/file.wav", "No such file"),
    ({"kind": "bogus"}, "unknown kind 'bogus'"),
    ({"kind": "playlist", "items": [{"kind": "tone", "hz": 440, "seconds": 1}, {"x": 1}]},
     "unknown kind"),
    ({"kind": "tone", "hz": 440}, "seconds"),
    ({"kind": "tone", "hz": 440, "seconds": 1e9}, "max_audio_seconds"),
    ({"kind": "silence", "seconds": 1, "loop": 10**9}, "max_audio_seconds"),
    ("/dev/zero", "not a regular file"),
])
def test_audio_is_checked_when_a_phone_or_caller_is_made(emu, http, audio, says):
    for path, body in (("/_emulator/phones", {"number": "+15550001111", "audio": audio}),
                       ("/_emulator/calls", {"from": "+15550002222", "to": "+15550001111",
                                             "audio": audio})):
        msg = twilio_error(http.post(path, json=body), 400)["message"]
        assert says in msg and "audio" in msg
    still_healthy(emu, http)


def test_an_unreadable_or_named_pipe_audio_file_is_400_at_once(emu, http, tmp_path):
    import os

    fifo = tmp_path / "voice.wav"
    os.mkfifo(fifo)  # opening it would block forever
    msg = twilio_error(http.post("/_emulator/phones", json={"number": "+15550001111",
                                                             "audio": str(fifo)}), 400)["message"]
    assert "not a regular file" in msg
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio at all" * 10)
    msg = twilio_error(http.post("/_emulator/calls", json={"from": "+1", "to": "+2",
                                                            "audio": str(junk)}), 400)["message"]
    assert "cannot decode" in msg
    still_healthy(emu, http)


def test_audio_larger_than_the_bound_is_refused(tmp_path):
    from audio_helpers import tone

    from twilio_conf_emulator.media.audio import encode_wav

    emu = Emulator(config=EmulatorConfig(max_audio_bytes=1000))
    try:
        path = tmp_path / "long.wav"
        path.write_bytes(encode_wav(tone(440, 2)))
        msg = twilio_error(emu.app.test_client().post(
            "/_emulator/phones", json={"number": "+15550001111", "audio": str(path)}),
            400)["message"]
        assert "max_audio_bytes" in msg
    finally:
        emu.stop()


def test_good_audio_of_every_documented_kind_is_accepted(emu, http):
    for audio in ({"kind": "tone", "hz": 440, "seconds": 1},
                  {"kind": "silence", "seconds": 2},
                  {"kind": "playlist", "items": [{"kind": "tone", "hz": 300, "seconds": 1},
                                                 {"kind": "silence", "seconds": 1}]}):
        resp = http.post("/_emulator/phones", json={"number": "+15550001111", "audio": audio})
        assert resp.status_code == 201, resp.get_json()
