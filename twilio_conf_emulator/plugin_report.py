"""Failure reports for tests that used the ``twilio_emulator`` fixture: an assertion alone does
not say what happened on the call.

When such a test fails, its report gains

- "twilio-conf-emulator timelines": the path of a ``timeline.html`` written per conference
  (under the test's ``tmp_path``, or ``--twilio-emulator-artifacts DIR``), and
- "twilio-conf-emulator journal": the last webhooks sent, as a table,

and, with pytest-html installed, each timeline embedded in the HTML report.  Registered as its
own ``pytest11`` entry point, beside the fixtures.
"""

from __future__ import annotations

import html
import os
import re
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # annotations only
    from collections.abc import Generator, Sequence

    from .emulator import Emulator
    from .remote import RemoteEmulator

JOURNAL_TAIL = 25


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("twilio-conf-emulator").addoption(
        "--twilio-emulator-artifacts", action="store", default=None, metavar="DIR",
        help="Write the conference timelines of failing tests that used twilio_emulator "
             "under DIR (default: the test's tmp_path).")


def _artifact_dir(item: pytest.Item) -> str:
    root = item.config.getoption("twilio_emulator_artifacts", default=None)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)[-120:]
    if root:
        path = os.path.join(os.path.abspath(root), safe)
    elif "tmp_path" in (funcargs := getattr(item, "funcargs", {})):  # a test function's fixtures
        path = os.path.join(str(funcargs["tmp_path"]), "twilio-emulator")
    else:
        base = item.config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]  # pytest's own per-run directory
        path = os.path.join(str(base), "twilio-emulator", safe)
    os.makedirs(path, exist_ok=True)
    return path


def _get(emu: Emulator | RemoteEmulator, path: str) -> tuple[int, bytes]:
    """GET a control-API page of the emulator, in-process or remote: (status, bytes)."""
    if hasattr(emu, "base_url"):
        resp = emu._session.get(f"{emu.base_url}{path}", timeout=60)  # type: ignore[union-attr]
        return resp.status_code, resp.content
    resp = emu.app.test_client().get(path)
    return resp.status_code, resp.get_data()


def journal_table(entries: Sequence[dict[str, Any]], start: float | None = None) -> str:
    """Webhooks as fixed-width text: time from the first, kind, call, request, answer, detail."""
    from .scenario import table

    if not entries:
        return "(no webhooks were sent)"
    start = entries[0]["time"] if start is None else start
    return table({"journal": entries, "start": start, "calls": {}})


def collect(emu: Emulator | RemoteEmulator, item: pytest.Item) -> tuple[list[str], str, list[tuple[str, str]]]:
    """(written timeline paths, journal tail as text, pages as (sid, html))."""
    folder = _artifact_dir(item)
    written, pages = [], []
    for conf in emu.client.conferences.list():
        status, body = _get(emu, f"/_emulator/conferences/{conf.sid}/timeline.html")
        if status != 200:
            continue
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{conf.friendly_name}-{conf.sid}")
        path = os.path.join(folder, f"{name}.timeline.html")
        with open(path, "wb") as fh:
            fh.write(body)
        written.append(path)
        pages.append((conf.sid, body.decode("utf-8", "replace")))
    entries = emu.webhooks.all()
    tail = entries[-JOURNAL_TAIL:]
    text = journal_table(tail, start=entries[0]["time"] if entries else None)
    if len(entries) > len(tail):
        text = f"(last {len(tail)} of {len(entries)} webhooks)\n" + text
    return written, text, pages


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    emu = getattr(item, "funcargs", {}).get("twilio_emulator")
    if emu is None:
        return
    try:
        written, text, pages = collect(emu, item)
    except Exception as err:  # noqa: BLE001 - a report must never hide the real failure
        report.sections.append(("twilio-conf-emulator", f"no timeline/journal: {err!r}"))
        return
    lines = [f"{path}" for path in written] or ["(no conference was created)"]
    report.sections.append(("twilio-conf-emulator timelines", "\n".join(lines)))
    report.sections.append(("twilio-conf-emulator journal", text))
    if pages and item.config.pluginmanager.hasplugin("html"):
        from pytest_html import extras

        report.extras = list(getattr(report, "extras", [])) + [
            extras.html(f'<p>Conference {sid}</p><iframe srcdoc="{html.escape(page)}" '
                        'style="width:100%;height:420px;border:1px solid #ccc"></iframe>')
            for sid, page in pages]
