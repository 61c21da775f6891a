#!/usr/bin/env python3
"""An SMTP server that refuses every recipient with '550 no such user', for
tests/integration/mail_test.cc. Usage: smtp_5xx.py HOST PORT (runs until killed)."""
import asyncio
import sys

from aiosmtpd.smtp import SMTP


class RefuseEveryone:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 no such user"


async def main(host, port):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(RefuseEveryone()), host, port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
