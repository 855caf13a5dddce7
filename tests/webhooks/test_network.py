"""The guard against SSRF and the call itself (``webhooks/network.py``), against a local
receiver and a resolver that answers what the test says."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from tests.servers.webhooks import receiver
from webhooks import network


def _resolver(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> list[str]:
    """getaddrinfo answering ``addresses`` for every name; returns the names asked, in order."""
    asked: list[str] = []

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        asked.append(host)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    monkeypatch.setattr(network.socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 (an address refused, not one bound to)
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:a00:1::",
    ],
)
def test_is_public_refuses_every_special_range(address: str) -> None:
    assert not network.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::6810:85e5", "::ffff:1.1.1.1"])
def test_is_public_accepts_internet_addresses(address: str) -> None:
    assert network.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/x", "HTTPS only"),
        ("https://127.0.0.1/x", "not a public address"),
        ("https://10.0.0.8/x", "not a public address"),
        ("https://[::1]/x", "not a public address"),
        ("https://[::ffff:192.168.0.1]/x", "not a public address"),
        ("https://localhost/x", "not a public host name"),
        ("https://user:pw@hooks.example.org/x", "user name or password"),
        ("ftp://hooks.example.org/x", "https://"),
        ("hooks.example.org", "https://"),
    ],
)
def test_check_url_refuses_at_registration(url: str, message: str, settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with pytest.raises(network.RefusedAddress, match=message):
        network.check_url(url)


def test_check_url_lets_allowed_hosts_use_http(settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    assert network.check_url("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"


@pytest.mark.parametrize("address", ["10.0.0.5", "127.0.0.1", "::1", "::ffff:169.254.169.254"])
def test_resolve_refuses_a_name_that_resolves_to_a_private_address(
    address: str, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = []
    _resolver(monkeypatch, address)
    with pytest.raises(network.RefusedAddress, match="not a public address"):
        network.resolve("https://hooks.example.org/x")


def test_resolve_refuses_a_name_with_one_private_address_among_public_ones(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = []
    _resolver(monkeypatch, "93.184.216.34", "192.168.0.10")
    with pytest.raises(network.RefusedAddress, match=r"192\.168\.0\.10"):
        network.resolve("https://hooks.example.org/x")


def test_resolve_keeps_the_checked_public_address(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = []
    _resolver(monkeypatch, "93.184.216.34")
    target = network.resolve("https://hooks.example.org/in?x=1")
    assert target.connect_url == "https://93.184.216.34:443/in?x=1"
    assert target.host_header == "hooks.example.org"


def test_post_connects_to_the_checked_address_without_a_second_lookup(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """The name resolves (once) to the local receiver; the call reaches it by that address, with
    the name in the Host header, and nothing resolves the name again."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.example.test"]
    asked = _resolver(monkeypatch, "127.0.0.1")
    with receiver() as server:
        target = network.resolve(f"http://hooks.example.test:{server.port}/in")
        answer = network.post(target, b"{}", {"Content-Type": "application/json"})
    assert answer.status_code == 200
    # The connection itself looks up only the IP literal it was given.
    assert asked.count("hooks.example.test") == 1
    assert set(asked) <= {"hooks.example.test", "127.0.0.1"}
    assert server.calls[0].headers["Host"] == f"hooks.example.test:{server.port}"
    assert server.calls[0].path == "/in"


def test_post_follows_no_redirect_and_truncates_the_answer(settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_RESPONSE_LIMIT = 10
    with receiver(redirect_to="http://10.0.0.1/admin") as server:
        answer = network.post(network.resolve(server.url), b"{}", {})
    assert answer.status_code == 302
    assert len(server.calls) == 1
    with receiver(answer=b"x" * 5000) as server:
        answer = network.post(network.resolve(server.url), b"{}", {})
    assert answer.body == "x" * 10


def test_post_reports_a_closed_port_as_an_error(settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    answer = network.post(network.resolve("http://127.0.0.1:9/x"), b"{}", {})
    assert answer.status_code is None
    assert "ConnectError" in answer.error
