"""The timeline over the control API and from the CLI."""

from click.testing import CliRunner
from test_timeline_view import scenario, tone_silence_tone

from twilio_conf_emulator.cli import main
from twilio_conf_emulator.timeline_view import conference_timeline, render_html
from twilio_conf_emulator.webhooks.live_server import LiveServer

UNKNOWN = "CF" + "0" * 32


def test_html_and_json_routes(emu, tmp_path):
    sid = scenario(emu, tone_silence_tone(tmp_path / "voice.wav"))
    http = emu.app.test_client()
    page = http.get(f"/_emulator/conferences/{sid}/timeline.html")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    model = conference_timeline(emu, sid)
    assert page.data == render_html(model).encode()
    data = http.get(f"/_emulator/conferences/{sid}/timeline.json")
    assert data.status_code == 200 and data.is_json
    assert data.get_json() == model


def test_unknown_conference_is_a_twilio_404(emu):
    http = emu.app.test_client()
    for ext in ("html", "json"):
        r = http.get(f"/_emulator/conferences/{UNKNOWN}/timeline.{ext}")
        assert r.status_code == 404
        body = r.get_json()
        assert body["code"] == 20404 and body["status"] == 404 and UNKNOWN in body["message"]
        assert set(body) == {"code", "message", "more_info", "status"}


def test_cli_saves_the_page_from_a_running_server(emu, tmp_path):
    sid = scenario(emu, tone_silence_tone(tmp_path / "voice.wav"))
    out = tmp_path / "room.html"
    with LiveServer(emu.app) as server:
        result = CliRunner().invoke(main, ["timeline", sid, "--server", server.url,
                                           "--out", str(out)])
        missing = CliRunner().invoke(main, ["timeline", UNKNOWN, "--server", server.url,
                                            "--out", str(tmp_path / "x.html")])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == render_html(conference_timeline(emu, sid)).encode()
    assert missing.exit_code == 1
    assert "404" in missing.output and "was not found" in missing.output
    assert not (tmp_path / "x.html").exists()


def test_cli_help_reads_like_documentation():
    result = CliRunner().invoke(main, ["timeline", "--help"])
    assert result.exit_code == 0
    for words in ("CONFERENCE_SID", "--server URL", "--out FILE.html", "talking", "muted",
                  "on hold", "StatusCallbackEvent", "Example:"):
        assert words in result.output
