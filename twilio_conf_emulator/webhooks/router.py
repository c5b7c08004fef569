"""Which transport carries a webhook, chosen per URL (and per redirect hop).

Lookup order: the longest matching URL prefix (``"http://app.test/voice"``), then an exact
``host:port``, then a bare host name (any port), then the catch-all set by
:meth:`Router.route_all`, then the default (real HTTP).  The table is swapped atomically
under a lock and never held while a webhook is in flight, so a handler that calls back into
the emulator (which may send another webhook) cannot deadlock.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..config import EmulatorConfig
from .delivery import deliver
from .urls import InvalidUrl, canonical

if TYPE_CHECKING:  # annotations only
    from ..config import EmulatorConfig
    from .delivery import Transport
    from .wire import DeliveryResult, OutboundRequest


class Router:
    def __init__(self, config: EmulatorConfig | None = None, default: Transport | None = None) -> None:
        self.config = config if config is not None else EmulatorConfig()
        self._default: Transport | None = default
        self._catch_all: Transport | None = None
        self._prefixes: dict[str, Transport] = {}  # canonical URL prefix -> transport
        self._hosts: dict[str, Transport] = {}  # "host" or "host:port", lower-case -> transport
        self._lock = threading.Lock()

    # --- configuration -----------------------------------------------------------------
    def route(self, host_or_prefix: str, transport: Transport) -> Transport:
        """Send webhooks for a host (``"app.test"``, ``"127.0.0.1:5000"``) or a URL prefix
        (anything containing ``://``) through ``transport``."""
        kind, key = _key(host_or_prefix)
        with self._lock:
            table = dict(self._prefixes if kind == "prefix" else self._hosts)
            table[key] = transport
            if kind == "prefix":
                self._prefixes = table
            else:
                self._hosts = table
        return transport

    def unroute(self, host_or_prefix: str) -> None:
        kind, key = _key(host_or_prefix)
        with self._lock:
            table = dict(self._prefixes if kind == "prefix" else self._hosts)
            table.pop(key, None)
            if kind == "prefix":
                self._prefixes = table
            else:
                self._hosts = table

    def route_all(self, transport: Transport | None) -> Transport | None:
        """Every URL without a specific route goes to ``transport`` (None: back to the default)."""
        with self._lock:
            self._catch_all = transport
        return transport

    @property
    def default(self) -> Transport:
        with self._lock:
            if self._default is None:
                from .http_transport import HttpTransport

                self._default = HttpTransport(self.config)
            return self._default

    # --- use ----------------------------------------------------------------------------
    def transport_for(self, url: str) -> Transport:
        with self._lock:
            prefixes, hosts, catch_all = self._prefixes, self._hosts, self._catch_all
        if prefixes:
            try:
                wire = canonical(url)
            except InvalidUrl:
                wire = url
            matches = [p for p in prefixes if wire.startswith(p)]
            if matches:
                return prefixes[max(matches, key=len)]
        if hosts:
            parts = urlsplit(url)
            netloc = parts.netloc.rpartition("@")[2].lower()
            for key in (netloc, (parts.hostname or "").lower()):
                if key in hosts:
                    return hosts[key]
        return catch_all if catch_all is not None else self.default

    def deliver(self, request: OutboundRequest, auth_token: str) -> DeliveryResult:
        """Sign and send ``request``; every redirect hop is routed on its own URL."""
        return deliver(request, auth_token, self.transport_for, self.config.webhook_max_redirects)

    def close(self) -> None:
        with self._lock:
            transports = {id(t): t for t in [self._default, self._catch_all, *self._prefixes.values(), *self._hosts.values()] if t}
        for transport in transports.values():
            transport.close()


def _key(host_or_prefix: str) -> tuple[str, str]:
    if "://" in host_or_prefix:
        try:
            return "prefix", canonical(host_or_prefix)
        except InvalidUrl as exc:
            raise ValueError(f"cannot route {host_or_prefix!r}: {exc}") from None
    return "host", host_or_prefix.strip().lower()
