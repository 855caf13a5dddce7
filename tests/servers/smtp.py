"""A local SMTP server (aiosmtpd) that keeps what it receives, for the newsletter's tests.

Faults are programmable per recipient: a permanent refusal (550) or a passing one (451) for
given addresses, and the whole server can be stopped to play "down".
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class MailSink:
    """The aiosmtpd handler: refusals first, then it keeps the message."""

    received: list[Received] = field(default_factory=list)
    refuse_permanently: set[str] = field(default_factory=set)
    refuse_for_now: set[str] = field(default_factory=set)
    #: Refused for what the message is, not for the address (5.7.1: a spam filter, say).
    refuse_by_policy: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list
    ) -> str:
        if address.lower() in self.refuse_permanently:
            return "550 5.1.1 No such mailbox"
        if address.lower() in self.refuse_by_policy:
            return "550 5.7.1 Message refused by policy"
        if address.lower() in self.refuse_for_now:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [r.message for r in self.received if address in r.recipients]


def free_port() -> int:
    """A port free a moment ago (aiosmtpd's controller needs one named in advance)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[tuple[MailSink, Controller]]:
    """A running server on a free local port: ``controller.port`` says which."""
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield sink, controller
    finally:
        controller.stop()
