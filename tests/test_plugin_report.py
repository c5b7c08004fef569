"""A failing test that used twilio_emulator shows what happened on the call: the timeline of
each conference (written to a file, embedded in pytest-html's report) and the journal tail."""

import os

pytest_plugins = ["pytester"]

FAILING = '''
def test_room_fails(twilio_emulator, twilio_client):
    twilio_emulator.phone("+15550000002", answer_after=1, hangup_after=30)
    twilio_client.conferences("Standup").participants.create(
        from_="+15550100000", to="+15550000002",
        conference_status_callback="http://127.0.0.1:9/never",
        conference_status_callback_event=["join", "start", "leave", "end"])
    twilio_emulator.advance(60)
    assert False, "the app expected two people"


def test_passes(twilio_emulator, twilio_client):
    twilio_client.conferences("Quiet").participants.create(from_="+15550100000",
                                                           to="+15550000003")


def test_fails_without_the_emulator():
    assert 1 == 2
'''


def test_failure_report_has_timeline_and_journal(pytester, tmp_path):
    pytester.makepyfile(test_user=FAILING)
    artifacts = tmp_path / "artifacts"
    result = pytester.runpytest("-p", "no:randomly", "--twilio-emulator-artifacts",
                                str(artifacts))
    result.assert_outcomes(passed=1, failed=2)
    out = result.stdout.str()
    assert "twilio-conf-emulator timelines" in out and "twilio-conf-emulator journal" in out
    # Only the failing test that used the emulator has them.
    assert out.count("twilio-conf-emulator timelines") == 1
    written = [os.path.join(root, f) for root, _, files in os.walk(artifacts) for f in files]
    assert len(written) == 1 and written[0].endswith(".timeline.html")
    assert os.path.basename(written[0]).startswith("Standup-CF")
    assert written[0] in out
    page = open(written[0], encoding="utf-8").read()
    assert "<html" in page.lower() and "Standup" in page
    # The journal is a readable table: a header and the conference events in order.
    result.stdout.fnmatch_lines(["*t(s)*kind*call*request*answer*",
                                 "*conference-status*StatusCallbackEvent=participant-join*",
                                 "*conference-status*StatusCallbackEvent=conference-end*"])


def test_timeline_goes_under_tmp_path_by_default(pytester):
    pytester.makepyfile(test_user='''
def test_uses_tmp(twilio_emulator, twilio_client, tmp_path):
    twilio_client.conferences("Room").participants.create(from_="+15550100000",
                                                          to="+15550000003")
    print("TMP", tmp_path)
    assert False
''')
    result = pytester.runpytest("-p", "no:randomly", "-rA")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    tmp = [line.split("TMP ", 1)[1].strip() for line in out.splitlines() if "TMP /" in line][0]
    timelines = os.listdir(os.path.join(tmp, "twilio-emulator"))
    assert len(timelines) == 1 and timelines[0].startswith("Room-CF")


def test_pytest_html_embeds_the_timeline(pytester, tmp_path):
    pytester.makepyfile(test_user=FAILING)
    report = tmp_path / "report.html"
    result = pytester.runpytest("-p", "no:randomly", f"--html={report}",
                                "--self-contained-html")
    result.assert_outcomes(passed=1, failed=2)
    text = report.read_text(encoding="utf-8")
    assert "iframe" in text and "srcdoc" in text and "Conference CF" in text


def test_report_against_a_running_server(pytester, tmp_path):
    from serve_helpers import Served

    (tmp_path / "srv").mkdir()
    served = Served(tmp_path / "srv", proxy=False)
    try:
        pytester.makepyfile(test_user=FAILING)
        artifacts = tmp_path / "artifacts"
        result = pytester.runpytest("-p", "no:randomly", "--twilio-emulator-url", served.url,
                                    "--twilio-emulator-artifacts", str(artifacts))
        result.assert_outcomes(passed=1, failed=2)
        result.stdout.fnmatch_lines(["*twilio-conf-emulator timelines*",
                                     "*Standup-CF*.timeline.html",
                                     "*conference-status*StatusCallbackEvent=conference-end*"])
        written = [f for _, _, files in os.walk(artifacts) for f in files]
        assert len(written) == 1
    finally:
        served.stop()
