"""The mail scenario's SMTP server, in a process of its own: one aiosmtpd on loopback that
accepts every message and only notes its Message-ID and when it was accepted.

    python bench/smtpsink.py serve SMTP_PORT CONTROL_PORT
    python bench/smtpsink.py ceiling SMTP_PORT COUNT CONNECTIONS < MESSAGE

`serve` answers one line per command on CONTROL_PORT (loopback): `stats` (a JSON line: messages,
distinct Message-IDs, duplicates, bytes, the CLOCK_MONOTONIC time of each distinct one's
acceptance), `ids` (the distinct Message-IDs, JSON), `reset`. Nothing is parsed but the
header block, so that the server costs as little as aiosmtpd itself.

`ceiling` measures that server with the most trivial client: CONNECTIONS processes, each sending
its share of COUNT copies of MESSAGE (its Message-ID changed) over one connection (smtplib), no
Django; it prints one JSON line (messages/s). No run of the scenario can go faster than that.
"""

from __future__ import annotations

import asyncio
import base64
import json
import multiprocessing
import re
import smtplib
import sys
import time

MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


class Counter:
    """aiosmtpd handler: note the Message-ID of each message, then accept it."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.messages = self.bytes = 0
        self.accepted: dict[bytes, float] = {}  # Message-ID -> monotonic time of its first acceptance
        self.duplicates: list[str] = []
        self.without_id = 0
        self.sample = b""

    async def handle_DATA(self, server, session, envelope) -> str:
        content = envelope.original_content or b""
        found = MESSAGE_ID.search(content, 0, content.find(b"\r\n\r\n") + 2 or len(content))
        self.messages += 1
        self.bytes += len(content)
        self.sample = content
        if found is None:
            self.without_id += 1
        elif found.group(1) in self.accepted:
            self.duplicates.append(found.group(1).decode(errors="replace"))
        else:
            self.accepted[found.group(1)] = time.monotonic()
        return "250 OK"

    def stats(self) -> dict:
        return {
            "messages": self.messages,
            "distinct": len(self.accepted),
            "duplicates": self.duplicates[:20],
            "duplicate_count": len(self.duplicates),
            "without_id": self.without_id,
            "bytes": self.bytes,
            "times": sorted(self.accepted.values()),
        }


async def control(counter: Counter, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while line := (await reader.readline()).strip():
        if line == b"reset":
            counter.reset()
            answer = {"ok": True}
        elif line == b"count":
            answer = {"messages": counter.messages, "distinct": len(counter.accepted)}
        elif line == b"sample":
            answer = {"content": base64.b64encode(counter.sample).decode()}
        elif line == b"ids":
            answer = sorted(key.decode() for key in counter.accepted)
        else:
            answer = counter.stats()
        writer.write(json.dumps(answer).encode() + b"\n")
        await writer.drain()
    writer.close()


def serve(smtp_port: int, control_port: int) -> None:
    from aiosmtpd.smtp import SMTP

    counter = Counter()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # A fixed host name: aiosmtpd would otherwise look the machine's name up at each connection.
    loop.run_until_complete(loop.create_server(lambda: SMTP(counter, hostname="bench-smtp"), "127.0.0.1", smtp_port))
    loop.run_until_complete(asyncio.start_server(lambda r, w: control(counter, r, w), "127.0.0.1", control_port))
    print("ready", flush=True)
    loop.run_forever()


def _send(port: int, sample: bytes, count: int, offset: int) -> None:
    head, found, rest = sample.partition(b"\r\n\r\n")
    found = MESSAGE_ID.search(head)
    before, after = head[: found.start(1)], head[found.end(1) :] + b"\r\n\r\n" + rest
    with smtplib.SMTP("127.0.0.1", port) as client:
        for n in range(offset, offset + count):
            message = before + f"<ceiling-{n}@bench.example.org>".encode() + after
            client.sendmail("noreply@localhost", [f"ceiling{n}@bench.example.org"], message)


def ceiling(port: int, count: int, connections: int, sample: bytes) -> dict:
    share = count // connections
    processes = [
        multiprocessing.Process(target=_send, args=(port, sample, share, n * share)) for n in range(connections)
    ]
    started = time.monotonic()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    elapsed = time.monotonic() - started
    messages = share * connections
    return {"messages": messages, "started": started, "seconds": elapsed, "rate": messages / elapsed}


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), int(sys.argv[3]))
    else:
        port, count, connections = (int(value) for value in sys.argv[2:5])
        print(json.dumps(ceiling(port, count, connections, sys.stdin.buffer.read())), flush=True)
