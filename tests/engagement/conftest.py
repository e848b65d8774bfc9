"""A real SMTP server that can be told to turn messages away or to hold one, so the tests
can watch the ledger under mail-server failures and lost workers."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from email import message_from_bytes, policy

import pytest


class Sink:
    def __init__(self) -> None:
        self.messages: list = []
        self.answers: dict[str, list[str]] = {}  # address -> answers for its next attempts
        self.always: dict[str, str] = {}  # address -> answer for every attempt
        self.delay = 0.0
        self.hold_at: int | None = None  # hold the message that would be number N + 1
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.host = "127.0.0.1"
        self.port = 0

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]

    def addresses(self) -> list[str]:
        return sorted(str(m["To"]) for m in self.messages)

    async def handle_DATA(self, server, session, envelope):
        address = envelope.rcpt_tos[0]
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold_at is not None and len(self.messages) == self.hold_at:
            # The client is mid-send when the test kills it; the message never counts.
            self.hold_at = None
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Try again later"
        if address in self.always:
            return self.always[address]
        queue = self.answers.get(address)
        if queue:
            return queue.pop(0)
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def sink(settings):
    from aiosmtpd.controller import Controller

    handler = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        handler.port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = handler.port
    settings.EMAIL_USE_TLS = False
    try:
        yield handler
    finally:
        handler.release.set()
        time.sleep(0.05)
        controller.stop()
