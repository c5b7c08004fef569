"""An HTTP proxy that answers for Twilio: clients with no base-URL setting reach the emulator.

``HTTPS_PROXY=http://127.0.0.1:8443`` makes curl, twilio-cli, twilio-node, twilio-python, Java
and Go send ``CONNECT api.twilio.com:443`` here.  For ``twilio.com`` and its subdomains the
proxy answers the TLS itself, with a certificate from the local CA (``proxy_ca``), and relays
the decrypted HTTP to the emulator.  Every other host is refused (403): nothing reaches the
real Twilio, or anywhere else, by accident; hosts named with ``tunnel`` (``--tunnel HOST``)
are passed through untouched, for an app that also calls other HTTPS services.  Plain ``http://api.twilio.com/...`` requests are
relayed the same way.
"""

from __future__ import annotations

import re
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterable
from typing import Any, cast
from urllib.parse import urlsplit

from .proxy_ca import CertificateAuthority

_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
MAX_HEAD = 64 * 1024


def is_twilio_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return bool(_HOST.match(host)) and (host == "twilio.com" or host.endswith(".twilio.com"))


def _read_head(sock: socket.socket) -> tuple[str | None, bytes]:
    """Bytes up to the blank line ending the request head, and what came after it."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return None, b""
        data += chunk
        if len(data) > MAX_HEAD:
            return None, b""
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def _answer(sock: socket.socket, status: str, text: str) -> None:
    body = f"twilio-conf-emulator proxy: {text}\n".encode()
    sock.sendall(f"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n".encode() + body)


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while True:
            chunk = src.recv(65536)
            if not chunk:
                break
            dst.sendall(chunk)
    except OSError:
        pass


def _back(upstream: socket.socket, client: socket.socket) -> None:
    """The emulator's bytes to the client; when the emulator closes (an idle keep-alive
    connection, say), the client's side closes too, so it opens a fresh one."""
    _pump(upstream, client)
    try:
        client.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _relay(client: socket.socket, upstream: socket.socket) -> None:
    """Bytes both ways until the client is done; the emulator's answer is read to its end."""
    back = threading.Thread(target=_back, args=(upstream, client), daemon=True)
    back.start()
    _pump(client, upstream)
    try:
        upstream.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    back.join(timeout=600)


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        proxy = cast("_Server", self.server).proxy
        sock = self.request
        sock.settimeout(proxy.timeout)
        head, rest = _read_head(sock)
        if head is None:
            return
        line, _, headers = head.partition("\r\n")
        try:
            method, target, version = line.split(" ")
        except ValueError:
            return _answer(sock, "400 Bad Request", "not an HTTP request line")
        if method.upper() == "CONNECT":
            host, _, port = target.rpartition(":")
            if host.lower() in proxy.tunnel and port.isdigit() and not is_twilio_host(host):
                try:
                    up = socket.create_connection((host, int(port)), timeout=proxy.timeout)
                except OSError as err:
                    return _answer(sock, "502 Bad Gateway", f"cannot reach {target}: {err}")
                sock.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                with up:
                    if rest:
                        up.sendall(rest)
                    _relay(sock, up)
                return
            if not is_twilio_host(host):
                return _answer(sock, "403 Forbidden", f"refusing {host or target}: only "
                               "*.twilio.com is answered, by the emulator")
            sock.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.set_alpn_protocols(["http/1.1"])
            context.load_cert_chain(proxy.ca.cert_file(host.lower().rstrip(".")))
            try:
                client = context.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError):
                return  # the client does not trust the CA: it says so itself
            with socket.create_connection(proxy.upstream, timeout=proxy.timeout) as up:
                _relay(client, up)
            return
        url = urlsplit(target)
        if url.scheme != "http" or not is_twilio_host(url.hostname or ""):
            return _answer(sock, "403 Forbidden", f"refusing {target}: only http(s)://*.twilio.com "
                           "is answered, by the emulator")
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        with socket.create_connection(proxy.upstream, timeout=proxy.timeout) as up:
            up.sendall(f"{method} {path} {version}\r\n{headers}\r\n\r\n".encode("latin-1") + rest)
            _relay(sock, up)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    proxy: HttpsProxy  # set by HttpsProxy, read by the handler

    def handle_error(self, request: object, client_address: Any) -> None:
        # One line, not a traceback: a client that went away or an emulator that stopped.
        import sys

        err = sys.exc_info()[1]
        print(f"twilio-conf-emulator proxy: {client_address[0]}: {type(err).__name__}: {err}",
              file=sys.stderr)


class HttpsProxy:
    """``HttpsProxy(("127.0.0.1", 8080), port=8443).start()``: relays *.twilio.com to the
    emulator listening at ``upstream``."""

    def __init__(self, upstream: tuple[str, int], host: str = "127.0.0.1", port: int = 0,
                 ca: CertificateAuthority | None = None, timeout: float = 600.0,
                 tunnel: Iterable[str] = ()) -> None:
        self.upstream = upstream
        self.tunnel = {h.lower() for h in tunnel}
        self.ca = ca or CertificateAuthority()
        self.timeout = timeout
        self._server = _Server((host, port), _Handler)  # OSError when the port is taken
        self._server.proxy = self
        address = self._server.server_address  # (host, port): an AF_INET server
        self.host: str = address[0]  # type: ignore[assignment]
        self.port: int = address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> HttpsProxy:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="twilio-conf-emulator-proxy")
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def env_lines(proxy_url: str, ca_path: str) -> list[str]:
    """The ``export`` lines that send any Twilio client through the proxy."""
    return [
        f"export HTTPS_PROXY={proxy_url}",
        f"export HTTP_PROXY={proxy_url}  # twilio-node reads only this one",
        "export NO_PROXY=localhost,127.0.0.1,::1  # your own local app stays direct",
        f"export NODE_EXTRA_CA_CERTS={ca_path}",
        f"export REQUESTS_CA_BUNDLE={ca_path}",
        f"export SSL_CERT_FILE={ca_path}",
        f"export CURL_CA_BUNDLE={ca_path}",
        "# Java: keytool -importcert -noprompt -alias twilio-conf-emulator "
        f"-file {ca_path} -keystore emulator.jks -storepass changeit",
        "#   then java -Djavax.net.ssl.trustStore=emulator.jks -Djavax.net.ssl.trustStorePassword="
        f"changeit -Dhttps.proxyHost={urlsplit(proxy_url).hostname} "
        f"-Dhttps.proxyPort={urlsplit(proxy_url).port} ...",
    ]
