#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) on 127.0.0.1 for caseflow's delivery tests.

Usage: smtp_server.py DIR [PORT]
Prints the port it listens on, then serves until killed. Each accepted message is written
as DIR/NNN.eml, with DIR/NNN.json holding the envelope ({"from", "to"}) written first.
RCPT TO an address starting with "refuse" gets 550 (a server refusing one recipient).
While DIR/hang exists, DATA writes DIR/in-data and never answers (a send in flight, for
the kill -9 test).
"""
import asyncio
import json
import os
import socket
import sys
import time

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("refuse"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if os.path.exists(os.path.join(self.folder, "hang")):
            open(os.path.join(self.folder, "in-data"), "w").close()
            await asyncio.sleep(3600)
        self.count += 1
        base = os.path.join(self.folder, "%03d" % self.count)
        with open(base + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 2.0.0 accepted"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    folder = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else free_port()
    controller = Controller(Handler(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print(port, flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
