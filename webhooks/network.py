"""Calling an endpoint, and only one on a public address (the guard against SSRF).

A webhook's address is typed by an editor, and the worker that calls it sits inside the site's
network: without a guard, ``https://10.0.0.5/`` or a name that resolves to 127.0.0.1 would let
an editor make the worker call the database's admin page, a cloud's metadata service or Redis.
So the host is resolved here, every address it resolves to must be public (not loopback,
private, link-local, multicast, reserved, unspecified or shared, in IPv4 or IPv6, an IPv4 address
mapped into IPv6 judged as the IPv4 one), and the call goes to the address that was checked: the
connection is opened to that IP, with the name in the Host header and in TLS's SNI and
certificate check, so no second lookup can answer otherwise (DNS rebinding). Redirects are not
followed, since a 302 could point anywhere. ``WEBHOOK_ALLOWED_HOSTS`` names hosts exempt from the
rule (and from https), for tests and a site's own trusted receivers.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedAddress(Exception):
    """The address may not be called; the message says why, for the editor and the log."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Target:
    """An endpoint's address, checked: where to connect, and what to call it."""

    scheme: str
    host: str
    port: int
    path: str
    address: IPAddress

    @property
    def connect_url(self) -> str:
        host = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return urlunsplit((self.scheme, f"{host}:{self.port}", self.path, "", ""))

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    body: str
    duration_ms: int
    error: str = ""


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is one of the Internet's (an IPv4-mapped IPv6 address as its IPv4)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        if address.sixtofour is not None and not is_public(address.sixtofour):
            return False
        if address.teredo is not None and not is_public(address.teredo[1]):
            return False
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _allowed(host: str) -> bool:
    return host.lower() in {h.lower() for h in settings.WEBHOOK_ALLOWED_HOSTS}


def _parts(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedAddress(gettext("This is not a web address.")) from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".").lower()
    if scheme not in ("http", "https") or not host:
        raise RefusedAddress(gettext("Give a full address that starts with https://."))
    if parts.username or parts.password:
        raise RefusedAddress(gettext("The address may not hold a user name or password."))
    if scheme != "https" and not _allowed(host):
        raise RefusedAddress(gettext("Webhooks are called over HTTPS only: use https://."))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, host, port or (443 if scheme == "https" else 80), path


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _refuse_private(host: str, address: IPAddress) -> None:
    raise RefusedAddress(
        gettext("%(host)s is at %(address)s, which is not a public address; it is not called.")
        % {"host": host, "address": address}
    )


def check_url(url: str) -> str:
    """``url`` if an endpoint may have it: http(s) with a host, https unless the host is in
    ``WEBHOOK_ALLOWED_HOSTS``, no credentials, no IP literal or ``localhost`` off the public
    Internet. Names are resolved when called (``resolve``), since their addresses change."""
    _scheme, host, _port, _path = _parts(url)
    if _allowed(host):
        return url
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise RefusedAddress(
            gettext("%(host)s is not a public host name; it is not called.") % {"host": host}
        )
    literal = _literal(host)
    if literal is not None and not is_public(literal):
        _refuse_private(host, literal)
    return url


def resolve(url: str) -> Target:
    """Where to call ``url``: its host resolved once, every address checked; the first one.

    Raises ``RefusedAddress`` when the address is not fit or any address of the host is not
    public (a name with one private address among public ones is refused too: which one a
    client would use is not ours to guess).
    """
    scheme, host, port, path = _parts(url)
    literal = _literal(host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise RefusedAddress(
                gettext("The host %(host)s was not found.") % {"host": host}
            ) from None
        addresses = []
        for _family, _type, _proto, _name, sockaddr in found:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
    if not addresses:
        raise RefusedAddress(gettext("The host %(host)s was not found.") % {"host": host})
    if not _allowed(host):
        for address in addresses:
            if not is_public(address):
                _refuse_private(host, address)
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])


def post(target: Target, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to the checked ``target``; never raises for what the network does.

    Short timeouts (``WEBHOOK_TIMEOUT``), no redirect followed, no proxy from the environment,
    and at most ``WEBHOOK_RESPONSE_LIMIT`` characters of the answer read and kept.
    """
    limit = settings.WEBHOOK_RESPONSE_LIMIT
    timeout = httpx.Timeout(settings.WEBHOOK_TIMEOUT, connect=min(3.0, settings.WEBHOOK_TIMEOUT))
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client,
            client.stream(
                "POST",
                target.connect_url,
                content=body,
                headers={**headers, "Host": target.host_header},
                # TLS speaks to and checks the certificate of the name, not the IP dialled.
                extensions={"sni_hostname": target.host},
            ) as response,
        ):
            read = b""
            for chunk in response.iter_bytes():
                read += chunk
                if len(read) >= limit:
                    break
            text = read[:limit].decode("utf-8", errors="replace")
            return Answer(status_code=response.status_code, body=text, duration_ms=elapsed())
    except httpx.HTTPError as error:
        reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return Answer(status_code=None, body="", duration_ms=elapsed(), error=reason[:500])
