"""serve --https-proxy: clients with no base-URL setting reach the emulator through the
environment alone (`twilio-conf-emulator env`), and nothing else gets through."""

import json
import subprocess
import sys
import textwrap

import pytest
from serve_helpers import ACCOUNT_SID, AUTH_TOKEN, Served

from twilio_conf_emulator.proxy import is_twilio_host

# An unchanged twilio-python program, as a user would have it for the real Twilio.
PLAIN_TWILIO_PROGRAM = textwrap.dedent("""
    import json, os, sys
    from twilio.rest import Client
    from twilio.base.exceptions import TwilioRestException

    client = Client(os.environ["TWILIO_ACCOUNT_SID"], os.environ["TWILIO_AUTH_TOKEN"])
    if sys.argv[1] == "create":
        p = client.conferences("PyRoom").participants.create(from_="+15550000001",
                                                             to="+15550000002", label="py")
        print(json.dumps({"conference_sid": p.conference_sid, "call_sid": p.call_sid}))
    else:
        cf, ca = sys.argv[2], sys.argv[3]
        muted = client.conferences(cf).participants(ca).update(muted=True).muted
        listed = [p.call_sid for p in client.conferences(cf).participants.list()]
        try:
            client.conferences("CF00000000000000000000000000000000").fetch()
            code = None
        except TwilioRestException as err:
            code = err.code
        print(json.dumps({"muted": muted, "listed": listed, "code": code}))
""")


@pytest.fixture
def served(tmp_path):
    s = Served(tmp_path)
    yield s
    s.stop()


def test_twilio_python_unchanged_through_the_proxy(served, tmp_path):
    program = tmp_path / "plain.py"
    program.write_text(PLAIN_TWILIO_PROGRAM)
    env = served.client_env()

    def run(*args):
        out = subprocess.run([sys.executable, str(program), *args], env=env,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    created = run("create")
    served.advance(10)
    later = run("update", created["conference_sid"], created["call_sid"])
    assert later == {"muted": True, "listed": [created["call_sid"]], "code": 20404}


def test_curl_through_the_proxy(served):
    env = served.client_env()
    base = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}"

    def curl(*args):
        out = subprocess.run(["curl", "-sS", "-u", f"{ACCOUNT_SID}:{AUTH_TOKEN}", *args],
                             env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    p = curl("-X", "POST", f"{base}/Conferences/CurlRoom/Participants.json",
             "--data-urlencode", "From=+15550000001", "--data-urlencode", "To=+15550000002")
    served.advance(10)
    cf, ca = p["conference_sid"], p["call_sid"]
    assert curl("-X", "POST", f"{base}/Conferences/{cf}/Participants/{ca}.json",
                "-d", "Hold=true")["hold"] is True
    listed = curl(f"{base}/Conferences/{cf}/Participants.json")["participants"]
    assert [x["call_sid"] for x in listed] == [ca]
    missing = curl(f"{base}/Conferences/CF00000000000000000000000000000000.json")
    assert (missing["code"], missing["status"]) == (20404, 404)


def test_other_hosts_are_refused(served):
    env = served.client_env()
    out = subprocess.run(["curl", "-sS", "https://example.com/"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "403" in out.stderr
    # The proxy's own answer to a CONNECT it refuses, seen without curl's wording.
    import socket
    with socket.create_connection(("127.0.0.1", served.proxy_port), timeout=30) as s:
        s.sendall(b"CONNECT evil.twilio.com.example.org:443 HTTP/1.1\r\n\r\n")
        answer = s.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 403") and "only *.twilio.com" in answer


def test_the_ca_is_kept_and_reused(served, tmp_path):
    ca = (tmp_path / "state" / "twilio-conf-emulator-ca.pem").read_bytes()
    assert b"BEGIN CERTIFICATE" in ca
    again = served.client_env()  # `env` run again: the same CA, not a new one
    assert open(again["SSL_CERT_FILE"], "rb").read() == ca
    for name in ("HTTPS_PROXY", "HTTP_PROXY"):
        assert again[name] == served.proxy_url
    for name in ("NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        assert again[name] == again["SSL_CERT_FILE"]


@pytest.mark.parametrize("host,ok", [("api.twilio.com", True), ("twilio.com", True),
                                     ("api.sydney.au1.twilio.com", True),
                                     ("nottwilio.com", False), ("twilio.com.evil.org", False),
                                     ("../twilio.com", False), ("", False)])
def test_which_hosts_are_answered(host, ok):
    assert is_twilio_host(host) is ok



def _connect(port, target, then=b""):
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
        first = s.recv(4096)
        if not first.startswith(b"HTTP/1.1 200") or not then:
            return first.decode()
        s.sendall(then)
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(4096)
        return data.decode()


def test_standalone_proxy_command_with_a_tunnel(tmp_path):
    """`proxy --server URL` in front of a running server; --tunnel passes one host through."""
    from serve_helpers import CLI, free_port

    served = Served(tmp_path, proxy=False)
    port = free_port()
    proc = subprocess.Popen(CLI + ["proxy", "--server", served.url, "--port", str(port),
                                   "--state-dir", served.home, "--tunnel", "127.0.0.1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = proc.stderr.readline().decode()  # printed once it listens
        assert line.startswith("HTTPS proxy for *.twilio.com on "), line
        served.proxy_port, served.proxy_url = port, f"http://127.0.0.1:{port}"
        program = tmp_path / "plain.py"
        program.write_text(PLAIN_TWILIO_PROGRAM)
        out = subprocess.run([sys.executable, str(program), "create"], env=served.client_env(),
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0 and "conference_sid" in out.stdout, out.stderr
        server_port = served.url.rsplit(":", 1)[1]
        tunnelled = _connect(port, f"127.0.0.1:{server_port}",
                             b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert tunnelled.startswith("HTTP/1.1 200") and "Connection Established" not in \
            tunnelled
        assert _connect(port, f"localhost:{server_port}").startswith("HTTP/1.1 403")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proc.stdout.close()
        proc.stderr.close()
        served.stop()


def test_the_client_sees_the_emulator_close(served):
    """When the emulator closes a connection, the client's TLS connection ends too (so an
    idle keep-alive connection is not left half-open until the proxy's timeout)."""
    import socket
    import ssl

    env = served.client_env()
    context = ssl.create_default_context(cafile=env["SSL_CERT_FILE"])
    with socket.create_connection(("127.0.0.1", served.proxy_port), timeout=30) as raw:
        raw.sendall(b"CONNECT api.twilio.com:443 HTTP/1.1\r\n\r\n")
        assert raw.recv(4096).startswith(b"HTTP/1.1 200")
        with context.wrap_socket(raw, server_hostname="api.twilio.com") as tls:
            tls.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: api.twilio.com\r\n"
                        b"Connection: close\r\n\r\n")
            data = b""
            while True:
                chunk = tls.recv(4096)  # a hang here (socket.timeout) fails the test
                if not chunk:
                    break
                data += chunk
    assert data.startswith(b"HTTP/1.1 200") and b'"status"' in data
