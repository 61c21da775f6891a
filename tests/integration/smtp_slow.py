#!/usr/bin/env python3
"""A slow SMTP server for tests/integration/mail_test.cc: takes every message
into a maildir, as aiosmtpd's Mailbox handler does, but only after SECONDS
for each DATA, so that a sender run lasts longer than a claim's lease.
Connections are served at once. Usage: smtp_slow.py HOST PORT MAILDIR SECONDS
(runs until killed)."""
import asyncio
import mailbox
import sys

from aiosmtpd.smtp import SMTP


class SlowMailbox:
    def __init__(self, path, seconds):
        self.box = mailbox.Maildir(path, create=True)
        self.seconds = seconds

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.seconds)
        self.box.add(envelope.original_content)
        return "250 OK"


async def main(host, port, path, seconds):
    handler = SlowMailbox(path, seconds)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), host, port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])))
