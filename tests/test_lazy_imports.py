"""A server starts, and answers REST calls that need no audio, no TwiML and no webhook,
without importing numpy, soundfile, lxml or requests, TaskRouter's REST views or its models,
the views of recordings, incoming phone numbers and the account, the TwiML interpreter, xml.sax
or urllib.request (memory and start-up time: issue 11); each comes in with the first thing
that needs it."""

import json
import subprocess
import sys
import textwrap

HEAVY = ("numpy", "soundfile", "lxml", "requests")
# Brought in by a TaskRouter request (the views, the models), a file: URL, a TaskRouter bridge
# (whose TwiML tests/test_taskrouter_instructions.py checks) respectively.
PARTS = ("twilio_conf_emulator.taskrouter.web", "twilio_conf_emulator.taskrouter.models",
         "urllib.request", "xml.sax")
# Brought in by the first TwiML document: the interpreter and the TwiML model
# (tests/test_services_load_on_use.py runs one in a world made before them).
VOICE = ("twilio_conf_emulator.engine.voice.runner", "twilio_conf_emulator.engine.twiml.model")
# Brought in by their first request (api/late_views.py).
LATE_VIEWS = ("twilio_conf_emulator.api.numbers", "twilio_conf_emulator.api.recordings",
              "twilio_conf_emulator.api.call_recordings", "twilio_conf_emulator.api.accounts")

SCRIPT = textwrap.dedent("""
    import json, sys
    from twilio_conf_emulator import cli  # what the console script imports
    from twilio_conf_emulator.emulator import Emulator

    emu = Emulator(db_url="sqlite:///" + sys.argv[1])
    web = emu.app.test_client()
    auth = {"Authorization": "Basic " + __import__("base64").b64encode(
        f"{emu.account_sid}:{emu.auth_token}".encode()).decode()}
    base = f"/2010-04-01/Accounts/{emu.account_sid}"
    assert web.get("/_emulator/health").status_code == 200
    made = web.post(f"{base}/Conferences/Room/Participants.json", headers=auth,
                    data={"From": "+15550001111", "To": "+15550002222"})
    assert made.status_code == 201, made.get_data()
    emu.advance(10)
    part = made.get_json()
    got = web.get(f"{base}/Conferences/{part['conference_sid']}/Participants/"
                  f"{part['call_sid']}.json", headers=auth)
    held = web.post(f"{base}/Conferences/{part['conference_sid']}/Participants/"
                    f"{part['call_sid']}.json", headers=auth, data={"Hold": "true"})
    idle = {m: m in sys.modules for m in %(heavy)r + %(parts)r + %(voice)r + %(late)r}

    # Now the things that need them: a sound timed, a TwiML document parsed, a URL checked.
    from twilio_conf_emulator.engine import twiml
    from twilio_conf_emulator.media import audio
    from twilio_conf_emulator.webhooks.urls import canonical
    seconds = audio.audio_duration({"kind": "tone", "hz": 440, "seconds": 0.5}, emu.config)
    doc = twiml.parse("<Response><Say>hi</Say></Response>")
    url = canonical("HTTP://Example.COM")
    from twilio_conf_emulator.webhooks.fetch import local_path
    path = local_path("file:///tmp/a%%20b.wav")
    workspaces = web.get("/v1/Workspaces", headers=auth)
    late = [web.get(f"{base}/IncomingPhoneNumbers.json", headers=auth).status_code,
            web.get(f"{base}/Recordings.json", headers=auth).status_code,
            web.get(f"{base}.json", headers=auth).status_code]
    print(json.dumps({"late": late, "late_loaded": [m for m in %(late)r if m in sys.modules],
                      "idle": idle, "status": [got.status_code, held.status_code],
                      "status_after": got.get_json()["status"], "seconds": seconds,
                      "verbs": len(doc.verbs), "url": url, "path": path,
                      "workspaces": [workspaces.status_code, workspaces.get_json()["workspaces"]],
                      "used": {m: m in sys.modules for m in %(heavy)r + %(parts)r[:3]}}))
""") % {"heavy": HEAVY, "parts": PARTS, "voice": VOICE, "late": LATE_VIEWS}


def test_serving_rest_calls_imports_no_audio_xml_http_client_or_taskrouter_views(tmp_path):
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "store.db")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == [200, 200]
    assert result["idle"] == {m: False for m in HEAVY + PARTS + VOICE + LATE_VIEWS}
    # Each still works when first needed, and brings its library in then.
    assert result["seconds"] == 0.5
    assert result["verbs"] == 1
    assert result["url"] == "http://example.com/"
    assert result["path"] == "/tmp/a b.wav"
    assert result["workspaces"] == [200, []]
    # The late views' first requests load them (call recordings' views: not asked for).
    assert result["late"] == [200, 200, 200]
    assert result["late_loaded"] == [m for m in LATE_VIEWS if not m.endswith("call_recordings")]
    assert result["used"] == {"numpy": True, "soundfile": True, "lxml": True, "requests": True,
                              "twilio_conf_emulator.taskrouter.web": True,
                              "twilio_conf_emulator.taskrouter.models": True,
                              "urllib.request": True}


def test_the_command_line_imports_the_scenario_runner_only_for_a_scenario(tmp_path):
    """``serve`` (any command but a scenario's) never loads the scenario runner; a bad
    scenario file still ends in its one-line error."""
    probe = ("import atexit, sys; atexit.register(lambda: print('loaded', "
             "'twilio_conf_emulator.scenario' in sys.modules)); "
             "from twilio_conf_emulator import cli; sys.argv = ['twilio-conf-emulator'] + "
             "sys.argv[1:]; cli.main()")
    bad = tmp_path / "bad.json"
    bad.write_text('{"steps": "not a list"}')
    version = subprocess.run([sys.executable, "-c", probe, "--version"], capture_output=True,
                             text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.splitlines()[-1] == "loaded False"
    failed = subprocess.run([sys.executable, "-c", probe, "scenario", "run", str(bad)],
                            capture_output=True, text=True, timeout=60)
    assert failed.returncode == 1, failed.stderr
    assert failed.stdout.splitlines()[-1] == "loaded True"
    assert len(failed.stderr.strip().splitlines()) == 1
    assert failed.stderr.startswith("twilio-conf-emulator: error: ")
    assert "unexpected" not in failed.stderr  # the scenario's own message, not the fallback


FIRST_WEBHOOKS_AT_ONCE = textwrap.dedent("""
    import json, threading
    from twilio_conf_emulator.webhooks import cookies, http_transport, urls

    errors = []
    barrier = threading.Barrier(12)

    def first(use):
        barrier.wait()  # every thread reaches requests' first import at the same moment
        try:
            use()
        except Exception as err:
            errors.append(repr(err))

    uses = [lambda: urls.canonical("https://example.com/a b?x=1"),
            lambda: http_transport.HttpTransport().cookies,
            lambda: cookies.store_cookies(http_transport.HttpTransport().cookies,
                                          "https://example.com/", [("Set-Cookie", "a=1")])]
    threads = [threading.Thread(target=first, args=(use,)) for use in uses * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(errors))
""")


def test_many_threads_sending_their_first_webhooks_at_once_all_get_requests():
    """requests is imported with the first webhook, by whichever thread sends it: in a server,
    several worlds' runners at once. Each must get the whole package, never a half-made one
    ("cannot import name ... from partially initialized module": that webhook was lost).
    Three fresh interpreters; before the fix nearly every one of them failed."""
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", FIRST_WEBHOOKS_AT_ONCE],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout.strip().splitlines()[-1]) == []
