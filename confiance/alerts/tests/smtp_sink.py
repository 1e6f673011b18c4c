"""A small SMTP server for tests and the benchmark: asyncio in a thread, records each message's recipients and
Message-ID (the test SMTP server of the delivery's reliability test; aiosmtpd is not installed)."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from dataclasses import dataclass, field

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.IGNORECASE | re.MULTILINE)


@dataclass
class Received:
    recipients: tuple[str, ...]
    message_id: str
    at: float


@dataclass
class SmtpSink:
    """`with SmtpSink() as sink:` serves on 127.0.0.1:sink.port; `sink.messages` grows as messages arrive."""

    delay: float = 0.0  # seconds before answering each message's end of data (to slow a sender down)
    messages: list[Received] = field(default_factory=list)
    port: int = 0

    def __enter__(self) -> SmtpSink:
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("SMTP sink did not start")
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        recipients: list[str] = []

        async def say(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        await say("220 sink ESMTP")
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    await say("250-sink\r\n250 8BITMIME" if verb == b"EHLO" else "250 sink")
                elif verb == b"MAIL":
                    recipients = []
                    await say("250 OK")
                elif verb == b"RCPT":
                    recipients.append(line.decode(errors="replace").split(":", 1)[1].strip().strip("<>"))
                    await say("250 OK")
                elif verb == b"DATA":
                    await say("354 go on")
                    body = bytearray()
                    while (chunk := await reader.readline()) not in (b".\r\n", b""):
                        body += chunk
                    if self.delay:
                        await asyncio.sleep(self.delay)
                    found = MESSAGE_ID.search(bytes(body))
                    self.messages.append(Received(tuple(recipients), found.group(1).decode() if found else "",
                                                  time.monotonic()))
                    await say("250 queued")
                elif verb == b"QUIT":
                    await say("221 bye")
                    break
                else:  # RSET, NOOP and the rest
                    await say("250 OK")
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
