"""A CLI a person can trust: every user error is one line on stderr naming the option, file
or field, with a non-zero exit and no traceback; scenario files are checked against the
shipped JSON Schema; --fail-on-alert sets the exit status; scenario --server resets first."""

import json
import os
import socket

import pytest
from click.testing import CliRunner
from serve_helpers import Served

from twilio_conf_emulator.cli import main

ROOT = os.path.join(os.path.dirname(__file__), "..")
SCENARIO = os.path.abspath(os.path.join(ROOT, "fixtures", "scenario_conference.yaml"))


def fails(args, code=1):
    """Run the CLI; it must exit ``code`` with exactly one line on stderr, no traceback."""
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code, (result.output, result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.stderr
    assert lines[0].startswith("twilio-conf-emulator: error: ")
    return lines[0]


def test_port_in_use():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        line = fails(["serve", "--port", str(port), "--db", "sqlite://"])
    assert f"--port {port}" in line and "in use" in line


@pytest.mark.parametrize("url,words", [
    ("not a url", "is not a database URL"),
    ("nosuchdb://x/y", "unknown database kind 'nosuchdb'"),
    ("postgresql+pg8000://user@localhost/db", "driver for postgresql+pg8000 is not installed"),
])
def test_bad_db_urls(url, words):
    line = fails(["serve", "--port", "0", "--db", url])
    assert f"--db {url!r}" in line and words in line


def test_db_never_creates_directories(tmp_path):
    missing = tmp_path / "no" / "such"
    line = fails(["serve", "--port", "0", "--db", f"sqlite:///{missing}/x.db"])
    assert str(missing) in line and "does not exist" in line
    assert not (tmp_path / "no").exists()


def test_malformed_yaml_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text('run: 10\ncallers:\n  - {from: "+1", to: "+2"\n')
    line = fails(["scenario", "run", str(bad)])
    assert str(bad) in line and "line 4" in line and "not valid YAML" in line


def test_malformed_json_names_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"run": 1,}')
    line = fails(["scenario", "run", str(bad)])
    assert str(bad) in line and "not valid JSON" in line and "line 1" in line


@pytest.mark.parametrize("text,where", [
    ("run: 10\ncalers: []\n", "calers: unknown key 'calers'"),
    ("callers:\n  - {from: '+1', to: '+2'}\n  - {from: '+1', to: '+2', hangup_afer: 3}\n",
     "callers[1].hangup_afer: unknown key 'hangup_afer'"),
    ("phones:\n  - {number: '+1', outcome: maybe}\n", "phones[0].outcome: 'maybe' is not one of"),
    ("callers:\n  - {from: '+1', to: '+2', digits: ['soon']}\n",
     "callers[0].digits[0]: 'soon' is not SECONDS:KEYS"),
    ("run: -5\n", "run: -5 is less than the minimum of 0"),
    ("taskrouter:\n  workspace: {friendly_name: W}\n  wokers: []\n",
     "taskrouter.wokers: unknown key 'wokers'"),
    ("taskrouter:\n  workspace: {friendly_name: W}\n  workers:\n"
     "    - {friendly_name: a, phone: {number: '+1', answr_after: 2}}\n",
     "taskrouter.workers[0].phone.answr_after: unknown key 'answr_after'"),
])
def test_scenario_schema_errors_give_the_path(tmp_path, text, where):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    line = fails(["scenario", "run", str(path)])
    assert f"{path}: {where}" in line


def test_the_shipped_schema_accepts_the_shipped_example():
    from twilio_conf_emulator import scenario

    assert scenario.load(SCENARIO)["run"] == 420


def test_call_to_a_dead_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: connections are refused
        line = fails(["call", "--server", f"http://127.0.0.1:{port}", "--to", "+15550001000"])
    assert f"--server http://127.0.0.1:{port}: cannot reach" in line


def test_an_unexpected_error_is_one_line_too(monkeypatch):
    from twilio_conf_emulator import proxy

    def boom(*args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(proxy, "env_lines", boom)
    line = fails(["env", "--state-dir", "/tmp/twilio-conf-emulator-test-state"])
    assert "unexpected RuntimeError: disk on fire" in line


def test_usage_errors_are_one_line_with_status_2():
    line = fails(["serve", "--port", "abc"], code=2)
    assert "'--port'" in line and "serve --help" in line


def _alerting_scenario(tmp_path):
    # In-process with no app: http://app.local answers nothing, an error alert.
    spec = {"run": 10, "numbers": [{"number": "+15550001000",
                                    "voice_url": "http://app.local/voice"}],
            "callers": [{"name": "a", "from": "+15551112222", "to": "+15550001000"}]}
    path = tmp_path / "alerting.json"
    path.write_text(json.dumps(spec))
    return str(path)


def test_fail_on_alert_sets_the_exit_status(tmp_path):
    path = _alerting_scenario(tmp_path)
    result = CliRunner().invoke(main, ["scenario", "run", path])
    assert result.exit_code == 3 and "(error)" in result.stdout
    assert "alert(s) at level error" in result.stderr
    assert CliRunner().invoke(main, ["scenario", "run", path,
                                     "--fail-on-alert", "never"]).exit_code == 0


def test_call_fails_on_an_error_alert(tmp_path):
    result = CliRunner().invoke(main, ["call", "--to", "+15550001000",
                                       "--voice-url", "http://app.local/voice"])
    assert result.exit_code == 3 and "(error): HTTP connection failure" in result.stdout


def test_scenario_paths_resolve_relative_to_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the repository root: the file's 'app' still imports
    result = CliRunner().invoke(main, ["scenario", "run", SCENARIO])
    assert result.exit_code == 0, result.output
    assert "52 webhooks, 10 callers, 0 error alerts" in result.stdout


def test_scenario_against_a_server_resets_it_first(tmp_path):
    served = Served(tmp_path, proxy=False)
    try:
        spec = {"run": 20, "phones": [{"number": "+15550002000", "answer_after": 1}],
                "actions": [{"at": 1, "method": "POST", "path": "Calls.json",
                             "data": {"From": "+15550001111", "To": "+15550002000",
                                      "Url": "http://127.0.0.1:9/unreachable"}}]}
        path = tmp_path / "s.json"
        path.write_text(json.dumps(spec))
        runs = [CliRunner().invoke(main, ["scenario", "run", str(path), "--server", served.url,
                                          "--fail-on-alert", "never"]) for _ in range(2)]
        assert [r.exit_code for r in runs] == [0, 0], runs[1].output
        # The second run sees only its own webhooks and alerts, not the first run's too.
        assert runs[0].stdout == runs[1].stdout
        assert runs[1].stdout.count("(error): HTTP connection failure") == 1
    finally:
        served.stop()


def test_help_has_no_rst_markup():
    commands = [[], ["serve"], ["call"], ["scenario"], ["scenario", "run"], ["timeline"],
                ["proxy"], ["env"]]
    for args in commands:
        out = CliRunner().invoke(main, args + ["--help"]).output
        assert "``" not in out and ":class:" not in out and ".. " not in out, args


def test_an_api_error_is_told_in_words_not_bytes(tmp_path):
    spec = {"run": 5, "numbers": [{"number": "not-a-number"}]}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(spec))
    line = fails(["scenario", "run", str(path)])
    assert "number not-a-number: HTTP 400 21" in line and "b'" not in line
