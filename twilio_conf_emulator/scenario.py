"""Scenarios: virtual phones, numbers, callers and API actions on a virtual timeline.

A scenario file (YAML or JSON)::

    run: 300                       # virtual seconds to run in all
    seed: 0                        # in-process only: SIDs depend on it
    app: myapp.web:app             # in-process only (the CLI's --app wins)
    numbers:                       # IncomingPhoneNumbers and where their calls go
      - {number: "+15550001000", voice_url: "http://app.local/voice"}
    phones:                        # how dialled numbers behave (POST /_emulator/phones)
      - {number: "+15550002000", answer_after: 2, hangup_after: 90}
    callers:                       # virtual callers, dialling at virtual times
      - {name: alice, from: "+15551110001", to: "+15550001000", at: 0,
         digits: ["3:1", {at: 10, digits: "2#"}], hangup_after: 120, audio: voice.wav,
         speech: ["2:pay my bill", {at: 20, text: "agent"}]}   # heard by a speech <Gather>
    actions:                       # REST calls at virtual times; {alice} is alice's CallSid
      - {at: 60, method: POST, path: "Calls/{alice}.json", data: {Status: completed}}
    taskrouter:                    # a workspace, queues, workflows, workers with phones
      workspace: {friendly_name: Contact centre}      # (see scenario_taskrouter.py)

Everything goes through the public surfaces (the REST API and ``/_emulator``), so the same
file runs against a server (``--server``) or in-process (``--app``).  Paths not starting with
``/`` are relative to ``/2010-04-01/Accounts/{AccountSid}/``.
"""

from __future__ import annotations

import json
import os
from base64 import b64encode
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .config import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

if TYPE_CHECKING:  # annotations only
    from .emulator import Emulator


class ScenarioError(ValueError):
    pass


# -- loading ------------------------------------------------------------------------------------
def load(path: str) -> dict[str, Any]:
    """Read, check against the shipped JSON Schema and normalise a scenario file; every problem
    is a ScenarioError naming the file (and the line, or the path to the key)."""
    from .scenario_schema import problems

    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{path}: cannot read: {err}") from None
    if path.endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError as err:
            raise ScenarioError(f"{path}: not valid JSON: {err}") from None
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f" line {mark.line + 1} column {mark.column + 1}:" if mark else ""
            what = getattr(err, "problem", None) or str(err)
            raise ScenarioError(f"{path}:{where} not valid YAML: {what}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario is a mapping (run, numbers, callers, ...)")
    found = problems(data)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise ScenarioError(f"{path}: {found[0]}{more}")
    try:
        return normalise(data, base_dir=os.path.dirname(os.path.abspath(path)))
    except ScenarioError as err:
        raise ScenarioError(f"{path}: {err}") from None


def parse_digits(items: Iterable[Any] | None) -> list[dict[str, Any]]:
    """``["3:1", {"at": 10, "digits": "2#"}]`` -> ``[{"at": 3.0, "digits": "1"}, ...]``."""
    out = []
    for item in items or []:
        if isinstance(item, dict):
            at, digits = item.get("at", 0), item.get("digits")
        else:
            at, sep, digits = str(item).partition(":")
            if not sep:
                raise ScenarioError(f"digits {item!r}: write SECONDS:KEYS, e.g. 3:1#")
        try:
            out.append({"at": float(at), "digits": str(digits)})
        except (TypeError, ValueError):
            raise ScenarioError(f"digits {item!r}: the time must be a number") from None
        if not out[-1]["digits"] or out[-1]["digits"] == "None":
            raise ScenarioError(f"digits {item!r}: no keys")
    return out


def parse_speech(items: Iterable[Any] | None) -> list[dict[str, Any]]:
    """``["2:pay my bill", {"at": 20, "text": "agent"}]`` -> ``[{"at": 2.0, "text": ...}]``."""
    out = []
    for item in items or []:
        if isinstance(item, dict):
            at, text = item.get("at", 0), item.get("text")
        else:
            at, sep, text = str(item).partition(":")
            if not sep:
                raise ScenarioError(f"speech {item!r}: write SECONDS:TEXT, e.g. 2:pay my bill")
        try:
            at = float(at)
        except (TypeError, ValueError):
            raise ScenarioError(f"speech {item!r}: the time must be a number") from None
        if not isinstance(text, str) or not text.strip():
            raise ScenarioError(f"speech {item!r}: nothing is said")
        out.append({"at": at, "text": text})
    return out


def normalise(data: Mapping[str, Any], base_dir: str = ".") -> dict[str, Any]:
    sc: dict[str, Any] = {"run": float(data.get("run", 60)), "seed": int(data.get("seed", 0)),
          "app": data.get("app"), "base_dir": base_dir, "numbers": [], "phones": [], "callers": [], "actions": []}
    for n in data.get("numbers") or []:
        if "number" not in n:
            raise ScenarioError(f"numbers: {n!r} has no number")
        sc["numbers"].append(dict(n))
    for p in data.get("phones") or []:
        if "number" not in p:
            raise ScenarioError(f"phones: {p!r} has no number")
        p = dict(p)
        if p.get("digits"):
            p["digits"] = parse_digits(p["digits"])
        if p.get("speech"):
            p["speech"] = parse_speech(p["speech"])
        if p.get("audio"):
            p["audio"] = os.path.join(base_dir, p["audio"])
        sc["phones"].append(p)
    for i, c in enumerate(data.get("callers") or []):
        for key in ("from", "to"):
            if key not in c:
                raise ScenarioError(f"callers[{i}] has no {key!r}")
        repeat = int(c.get("count", 1))
        for k in range(repeat):
            name = c.get("name", f"caller{i}")
            if repeat > 1:
                name = f"{name}{k + 1}"
            sc["callers"].append({
                "name": name, "from": _fmt(c["from"], k), "to": c["to"],
                "at": float(c.get("at", 0)) + k * float(c.get("every", 0)),
                "audio": os.path.join(base_dir, c["audio"]) if c.get("audio") else None,
                "digits": parse_digits(c.get("digits")),
                "speech": parse_speech(c.get("speech")),
                "hangup_after": c.get("hangup_after"),
            })
    for a in data.get("actions") or []:
        if "path" not in a:
            raise ScenarioError(f"actions: {a!r} has no path")
        sc["actions"].append({"at": float(a.get("at", 0)), "method": a.get("method", "POST"),
                              "path": a["path"], "data": dict(a.get("data") or {})})
    from . import scenario_taskrouter

    sc["taskrouter"] = scenario_taskrouter.normalise(data.get("taskrouter"), base_dir,
                                                     ScenarioError)
    names = [c["name"] for c in sc["callers"]]
    if len(set(names)) != len(names):
        raise ScenarioError("callers: names must be unique")
    return sc


def _fmt(number: str, k: int) -> str:
    """``"+1555000{n:04d}"`` numbers a repeated caller (n counts from 1)."""
    return number.format(n=k + 1) if "{" in str(number) else number


def describe(body: bytes | str) -> str:
    """An error answer in words: Twilio's ``code: message``, else the text, never bytes."""
    try:
        data = json.loads(body)
        return f"{data['code']}: {data['message']}"
    except (ValueError, TypeError, KeyError):
        return body.decode("utf-8", "replace")[:300] if isinstance(body, bytes) else str(body)


# -- targets: the same calls over HTTP or in-process --------------------------------------------
class Target:
    """``request(method, path, json=None, form=None) -> (status, body bytes)``."""

    account_sid = DEFAULT_ACCOUNT_SID
    auth_token = DEFAULT_AUTH_TOKEN

    if TYPE_CHECKING:  # each target defines it
        def request(self, method: str, path: str, json_body: Any = None, form: dict[str, Any] | None = None,
                    headers: dict[str, str] | None = None) -> tuple[int, bytes]: ...

    def _auth(self) -> dict[str, str]:
        token = b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return {"Authorization": "Basic " + token}

    def control(self, method: str, path: str, json_body: Any = None) -> Any:
        status, body = self.request(method, "/_emulator" + path, json_body=json_body)
        if status >= 400:
            raise ScenarioError(f"{method} /_emulator{path}: HTTP {status} {describe(body)}")
        return json.loads(body) if body else {}

    def api(self, method: str, path: str, data: dict[str, Any] | None = None) -> tuple[int, bytes]:
        if not path.startswith("/"):
            path = f"/2010-04-01/Accounts/{self.account_sid}/{path}"
        return self.request(method, path, form=data or {}, headers=self._auth())


class InProcess(Target):
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.client = emulator.app.test_client()
        self.account_sid = emulator.account_sid
        self.auth_token = emulator.auth_token

    def request(self, method: str, path: str, json_body: Any = None, form: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        kw: dict[str, Any] = {"headers": headers or {}}
        if json_body is not None:
            kw["json"] = json_body
        elif form:
            if method.upper() == "GET":
                path += "?" + urlencode(form)
            else:
                kw["data"] = form
        r = self.client.open(path, method=method.upper(), **kw)
        return r.status_code, r.get_data()


class Remote(Target):
    def __init__(self, url: str, account_sid: str | None = None, auth_token: str | None = None) -> None:
        import requests

        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.trust_env = False  # an HTTP(S)_PROXY from `env` must not capture it
        self.account_sid = (account_sid or os.environ.get("TWILIO_ACCOUNT_SID")
                            or DEFAULT_ACCOUNT_SID)
        self.auth_token = (auth_token or os.environ.get("TWILIO_AUTH_TOKEN")
                           or DEFAULT_AUTH_TOKEN)
        # The control routes act on this account's world (and need it beyond loopback).
        self.session.auth = (self.account_sid, self.auth_token)

    def request(self, method: str, path: str, json_body: Any = None, form: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        kw: dict[str, Any] = {"headers": headers or {}, "timeout": 600}
        if json_body is not None:
            kw["json"] = json_body
        elif form:
            kw["params" if method.upper() == "GET" else "data"] = form
        import requests

        try:
            r = self.session.request(method.upper(), self.url + path, **kw)
        except requests.RequestException as err:
            reason = type(err).__name__ if isinstance(err, requests.ConnectionError) else err
            raise ScenarioError(f"--server {self.url}: cannot reach the emulator ({reason}); "
                                "is 'twilio-conf-emulator serve' running there?") from None
        return r.status_code, r.content


# -- running ----------------------------------------------------------------------------------------
def run(sc: dict[str, Any], target: Target, progress: Callable[[float, float], Any] | None = None,
        chunk: float = 60.0) -> dict[str, Any]:
    """Run ``sc`` against ``target``; returns ``{"calls": {name: sid}, "journal": [...],
    "alerts": [...], "start": epoch}``.  ``progress(done, total)`` is called as time passes."""
    start = target.control("GET", "/clock")["epoch"]
    from . import scenario_taskrouter

    # First, so a number's voice_url can name a workflow: "...?workflow={Inbound}".
    tr_sids = scenario_taskrouter.declare(sc.get("taskrouter"), target, ScenarioError)
    for n in sc["numbers"]:
        form = {"PhoneNumber": n["number"]}
        for key, name in (("voice_url", "VoiceUrl"), ("voice_method", "VoiceMethod"),
                          ("voice_fallback_url", "VoiceFallbackUrl"),
                          ("status_callback", "StatusCallback")):
            if n.get(key):
                form[name] = str(n[key]).format(**tr_sids) if tr_sids else n[key]
        status, answer = target.api("POST", "IncomingPhoneNumbers.json", form)
        if status >= 400:
            raise ScenarioError(f"number {n['number']}: HTTP {status} {describe(answer)}")
    for p in sc["phones"]:
        target.control("POST", "/phones", p)
    steps = [(c["at"], 0, i, "caller", c) for i, c in enumerate(sc["callers"])]
    steps += [(a["at"], 1, i, "action", a) for i, a in enumerate(sc["actions"])]
    steps.sort(key=lambda s: s[:3])
    calls, results = {}, []
    now = 0.0

    def advance_to(t: float) -> None:
        nonlocal now
        while now < t:
            step = min(chunk, t - now)
            target.control("POST", "/clock/advance", {"seconds": step})
            now += step
            if progress:
                progress(now, sc["run"])

    for at, _, _, what, item in steps:
        advance_to(min(at, sc["run"]))
        if at > sc["run"]:
            break
        if what == "caller":
            body: dict[str, Any] = {"from": item["from"], "to": item["to"], "digits": item["digits"]}
            if item["audio"]:
                body["audio"] = item["audio"]
            if item["hangup_after"] is not None:
                body["hangup_after"] = float(item["hangup_after"])
            if item.get("speech"):
                body["speech"] = item["speech"]
            calls[item["name"]] = target.control("POST", "/calls", body)["call_sid"]
        else:
            names = {**tr_sids, **calls}
            path = item["path"].format(**names, AccountSid=target.account_sid)
            data = {k: str(v).format(**names) for k, v in item["data"].items()}
            status, _answer = target.api(item["method"], path, data)
            results.append({"at": at, "path": path, "status": status})
        target.control("POST", "/clock/advance", {"seconds": 0})
    advance_to(sc["run"])
    journal = target.control("GET", "/webhooks")["webhooks"]
    alerts = target.control("GET", "/alerts")["alerts"]
    return {"calls": calls, "journal": journal, "alerts": alerts, "actions": results,
            "start": start, "taskrouter": tr_sids}


# -- output -----------------------------------------------------------------------------------------
KEY_PARAMS = ("StatusCallbackEvent", "EventType", "Digits", "SpeechResult",
              "UnstableSpeechResult", "RecordingStatus", "DialCallStatus", "CallStatus")


def summary(params: Iterable[tuple[str, Any]]) -> str:
    d: dict[str, Any] = {}
    for k, v in params:
        d.setdefault(k, v)
    for key in KEY_PARAMS:
        if key in d:
            more = f" {d['ParticipantLabel']}" if "ParticipantLabel" in d else ""
            return f"{key}={d[key]}{more}"
    return ""


def table(result: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """The journal as fixed-width text: time (s from the start), kind, call, request, answer."""
    by_sid = {sid: name for name, sid in (names or result["calls"]).items()}
    rows = [("t(s)", "kind", "call", "request", "answer", "detail")]
    for e in result["journal"]:
        t = f"{e['time'] - result['start']:.2f}"
        who = by_sid.get(e.get("call_sid"), (e.get("call_sid") or "")[:10])
        path = e["url"].split("?", 1)[0]
        answer = str(e["error_code"]) if e.get("error_code") else str(e.get("status"))
        rows.append((t, e["kind"], who, f"{e['method']} {path}", answer, summary(e["params"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1] for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def human_size(n: float) -> str:
    for unit in ("bytes", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable: MB always returns")


def save(result: Mapping[str, Any], target: Target, out_dir: str, echo: Callable[[str], Any] = print,
         progress: Callable[[str], Any] | None = None) -> int:
    """journal.json and each call's audio (when the server can render it); ``progress(text)``
    hears about every file as it is rendered and written, with its size."""
    progress = progress or (lambda text: None)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "journal.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"calls": result["calls"], "journal": result["journal"],
                   "alerts": result["alerts"]}, fh, indent=2, sort_keys=True)
    progress(f"wrote {path} ({human_size(os.path.getsize(path))})")
    saved = 0
    total = len(result["calls"])
    for i, (name, sid) in enumerate(result["calls"].items(), 1):
        progress(f"rendering audio {i}/{total}: {name} ({sid})")
        status, body = target.request("GET", f"/_emulator/calls/{sid}/audio.wav")
        if status == 501:
            echo("call audio is not available from this emulator (HTTP 501): no WAVs saved")
            return saved
        if status != 200:
            echo(f"{name} ({sid}): no audio (HTTP {status})")
            continue
        path = os.path.join(out_dir, f"{name}-{sid}.wav")
        with open(path, "wb") as fh:
            fh.write(body)
        progress(f"wrote {path} ({human_size(len(body))})")
        saved += 1
    return saved


def import_app(spec: str, base_dir: str | None = None) -> Any:
    """``package.module:app`` -> the WSGI app object, importable from the current directory
    or from ``base_dir`` (a scenario's own directory and its parents)."""
    import importlib
    import sys

    module, _, attr = spec.partition(":")
    if not module:
        raise ScenarioError(f"--app {spec!r}: write package.module:app")
    for folder in [os.getcwd()] + _parents(base_dir):
        if folder not in sys.path:
            sys.path.append(folder)
    attr = attr or "app"
    factory = attr.endswith("()")
    obj: Any = importlib.import_module(module)
    for part in attr.rstrip("()").split("."):
        obj = getattr(obj, part)
    return obj() if factory else obj


def _parents(folder: str | None) -> list[str]:
    """``folder`` and its parent: ``fixtures.conference_app:app`` named from a scenario in
    fixtures/ resolves whatever the current directory."""
    return [folder, os.path.dirname(folder)] if folder else []
