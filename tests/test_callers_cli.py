"""The CLI: ``scenario run`` (ten callers through a conference, twice -> the same journal) and
``call`` in-process against a WSGI app."""

import json
import os

from click.testing import CliRunner

from twilio_conf_emulator.cli import main

ROOT = os.path.join(os.path.dirname(__file__), "..")
SCENARIO = os.path.join(ROOT, "fixtures", "scenario_conference.yaml")


def run_cli(args, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    run_cli.stderr = result.stderr
    return result.stdout


def test_scenario_ten_callers_twice_prints_the_same_journal(monkeypatch, tmp_path):
    first = run_cli(["scenario", "run", SCENARIO, "--out", str(tmp_path / "a")], monkeypatch)
    # Progress of the long phases goes to stderr, with sizes.
    assert "rendering audio 10/10: host" in run_cli.stderr
    assert "journal.json (" in run_cli.stderr and " MB)" in run_cli.stderr
    second = run_cli(["scenario", "run", SCENARIO], monkeypatch)
    table = lambda out: out.split("saved journal.json")[0]  # noqa: E731
    assert table(first) == second
    lines = second.splitlines()
    # The host hangs up: nine listeners fall out of <Dial> to its action, and the host's own
    # action is requested too.
    assert "52 webhooks, 10 callers, 0 error alerts" in lines
    assert sum("DialCallStatus=answered" in line for line in lines) == 10
    assert sum("StatusCallbackEvent=participant-join" in line for line in lines) == 10
    assert any(line.endswith("StatusCallbackEvent=conference-end") for line in lines[-3:])
    saved = json.loads((tmp_path / "a" / "journal.json").read_text())
    assert len(saved["calls"]) == 10 and len(saved["journal"]) == 52
    wavs = [p for p in os.listdir(tmp_path / "a") if p.endswith(".wav")]
    assert len(wavs) == 10 and all((tmp_path / "a" / w).stat().st_size > 44 for w in wavs)


def test_scenario_json_output_is_the_journal(monkeypatch, tmp_path):
    spec = {"run": 30, "numbers": [{"number": "+15550001000",
                                    "voice_url": "http://app.local/voice"}],
            "callers": [{"name": "solo", "from": "+15551112222", "to": "+15550001000",
                         "digits": ["2:1"], "hangup_after": 20}]}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(spec))
    out = run_cli(["scenario", "run", str(path), "--app", "fixtures.conference_app:app",
                   "--json"], monkeypatch)
    journal = json.loads(out[: out.rindex("]") + 1])
    # The solo caller hangs up inside <Dial action>: its action comes after the conference ends.
    assert [e["kind"] for e in journal] == (["voice", "gather"] + ["conference-status"] * 3
                                            + ["action"])
    events = [dict(map(tuple, e["params"])).get("StatusCallbackEvent") for e in journal[2:5]]
    assert events == ["participant-join", "participant-leave", "conference-end"]


def test_call_command_in_process(monkeypatch):
    out = run_cli(["call", "--app", "fixtures.conference_app:app",
                   "--voice-url", "http://app.local/voice", "--to", "+15550001000",
                   "--digits", "3:1", "--hangup-after", "30"], monkeypatch)
    assert out.startswith("call CA")
    assert "Digits=1" in out and "CallStatus=ringing" in out


def test_help_reads_like_documentation():
    for args in (["call", "--help"], ["scenario", "run", "--help"]):
        out = CliRunner().invoke(main, args).output
        assert "Examples:" in out or "A scenario lists:" in out


def test_call_command_speaks(monkeypatch):
    out = run_cli(["call", "--app", "test_voice_gather_speech:app()",
                   "--voice-url", "http://app.test/in?input=speech", "--to", "+15550001000",
                   "--speech", "2:pay my bill", "--advance", "15"], monkeypatch)
    assert "SpeechResult=pay my bill" in out
    bad = CliRunner().invoke(main, ["call", "--app", "test_voice_gather_speech:app()",
                                    "--to", "+15550001000", "--speech", "soon"])
    assert bad.exit_code != 0 and "--speech" in bad.output
