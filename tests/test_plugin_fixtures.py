"""The pytest plugin, as a user meets it: a test file that uses only the plugin's fixtures,
no conftest, run in-process and against a ``serve`` subprocess."""

import pytest
from engine_harness import serve_process

pytest_plugins = ["pytester"]

USER_TEST = '''
import pytest
from twilio.base.exceptions import TwilioException


def test_two_people_meet(twilio_emulator, twilio_client):
    twilio_emulator.phone("+15550000001", hangup_after=40)
    twilio_emulator.phone("+15550000002", answer_after=2, hangup_after=30)
    first = twilio_client.conferences("Room").participants.create(
        from_="+15550100000", to="+15550000001",
        conference_status_callback="http://127.0.0.1:9/never",
        conference_status_callback_event=["join", "start", "leave", "end"])
    twilio_client.conferences("Room").participants.create(
        from_="+15550100000", to="+15550000002")
    twilio_emulator.advance(5)
    conf = twilio_client.conferences(first.conference_sid).fetch()
    assert conf.status == "in-progress"
    assert conf.sid.startswith("CF")
    twilio_emulator.webhooks.assert_events(
        ["participant-join", "participant-join", "conference-start"])
    twilio_emulator.advance(60)
    twilio_emulator.webhooks.assert_events(
        ["participant-join", "participant-join", "conference-start", "participant-leave",
         {"StatusCallbackEvent": "participant-leave"},
         {"StatusCallbackEvent": "conference-end", "ReasonConferenceEnded": "last-participant-kicked"}],
        exact=False)


def test_each_test_gets_a_fresh_emulator(twilio_emulator, twilio_client):
    assert twilio_client.conferences.list() == []
    assert twilio_emulator.webhooks.all() == []


def test_another_account(twilio_emulator):
    sid, token = twilio_emulator.create_account()
    assert sid.startswith("AC") and sid != twilio_emulator.account_sid
    client = twilio_emulator.make_client(sid, token)
    client.conferences("Mine").participants.create(from_="+15550100000", to="+15550000001")
    assert twilio_emulator.client.conferences.list() == []
    with pytest.raises(TwilioException):
        twilio_emulator.make_client(sid, "wrong").conferences.list()


def test_one_face_in_process_and_remote(twilio_emulator, twilio_client):
    from twilio_conf_emulator.faces import EmulatorFace

    assert isinstance(twilio_emulator, EmulatorFace)
    # A virtual caller to a number whose VoiceUrl refuses the connection: the caller hears
    # the application-error message, presses a key, then hangs up.
    twilio_client.incoming_phone_numbers.create(phone_number="+15550003333",
                                                voice_url="http://127.0.0.1:9/voice")
    sid = twilio_emulator.call("+15550004444", "+15550003333", digits=[(1, "5")])
    t0 = twilio_emulator.now()
    assert twilio_emulator.advance(2) == t0 + 2
    twilio_emulator.press(sid, "7")
    twilio_emulator.hangup(sid)
    twilio_emulator.advance(1)
    assert twilio_client.calls(sid).fetch().status == "completed"
    assert [a["call_sid"] for a in twilio_emulator.alerts()] == [sid]
    wav = twilio_emulator.call_audio(sid)
    assert wav[:4] == b"RIFF" and len(wav) > 44 + 8000  # two seconds of the message, at least
    sent = [e["id"] for e in twilio_emulator.webhooks.all()]
    assert [e["kind"] for e in twilio_emulator.replay_webhooks(sent)] == ["replay"]


def test_assert_events_prints_a_diff(twilio_emulator, twilio_client):
    with pytest.raises(AssertionError) as err:
        twilio_emulator.webhooks.assert_events(["conference-start"])
    assert "conference-start" in str(err.value)
'''


def test_the_wrong_reason_fails_with_a_readable_diff(pytester):
    """The user test above asserts a wrong ReasonConferenceEnded: prove it fails, then fix it."""
    pytester.makepyfile(test_user=USER_TEST)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*webhook journal does not match*",
                                 "*last-participant-kicked*"])


def _fixed():
    return USER_TEST.replace("last-participant-kicked", "last-participant-left")


def test_user_tests_pass_in_process_with_no_conftest(pytester):
    pytester.makepyfile(test_user=_fixed())
    assert not list(pytester.path.glob("conftest.py"))
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


@pytest.fixture(scope="module")
def server():
    proc, url = serve_process()
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_user_tests_pass_against_a_running_server(pytester, server):
    pytester.makepyfile(test_user=_fixed())
    result = pytester.runpytest("-p", "no:cacheprovider", "--twilio-emulator-url", server)
    result.assert_outcomes(passed=5)


def test_the_server_url_may_come_from_the_environment(pytester, server, monkeypatch):
    monkeypatch.setenv("TWILIO_EMULATOR_URL", server)
    pytester.makepyfile(test_user=_fixed() + '''

def test_it_is_remote(twilio_emulator):
    from twilio_conf_emulator.remote import RemoteEmulator
    assert isinstance(twilio_emulator, RemoteEmulator)
''')
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)


def test_the_option_is_listed_in_help(pytester):
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--twilio-emulator-url=URL*"])
