#!/usr/bin/python3
"""A stand-in for Microsoft 365's SMTP AUTH submission for test/e2e/cluster.sh (Debian's aiosmtpd):
STARTTLS required, then AUTH PLAIN/LOGIN with one password for every mailbox; it counts what
Microsoft limits per mailbox (the AUTH user) and records every breach instead of hiding it.

  m365_limits.py --port-file F --dir D --cert PEM --key KEY --password PW
                 --max-sessions 3 --messages N --window SECONDS

- sessions: authenticated connections of one mailbox open at once (from AUTH success to QUIT or
  the connection's end); more than --max-sessions is a breach;
- messages: more than --messages arrivals (end of DATA) of one mailbox within any --window seconds
  is a breach.
Every accepted message's Subject is appended to D/delivered.log (the test's "nothing lost"); the
running state is written to D/state.json after each change: delivered count, the most sessions
and the most messages per window seen per mailbox, and the breaches.
"""
import argparse
import asyncio
import collections
import json
import os
import signal
import ssl
import time
from email.parser import BytesHeaderParser

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Limits:
    def __init__(self, directory, max_sessions, messages, window):
        self.directory = directory
        self.max_sessions = max_sessions
        self.messages = messages
        self.window = window
        self.open = collections.Counter()
        self.most_open = collections.Counter()
        self.arrivals = collections.defaultdict(collections.deque)
        self.most_in_window = collections.Counter()
        self.delivered = 0
        self.breaches = []
        self.log = open(os.path.join(directory, "delivered.log"), "a", buffering=1)

    def opened(self, user):
        self.open[user] += 1
        self.most_open[user] = max(self.most_open[user], self.open[user])
        if self.open[user] > self.max_sessions:
            self.breaches.append(f"{time.time():.3f} {user}: {self.open[user]} sessions at once")
        self.save()

    def closed(self, user):
        self.open[user] -= 1

    def arrived(self, user, subject):
        now = time.monotonic()
        q = self.arrivals[user]
        q.append(now)
        while q and q[0] <= now - self.window:
            q.popleft()
        self.most_in_window[user] = max(self.most_in_window[user], len(q))
        if len(q) > self.messages:
            self.breaches.append(f"{time.time():.3f} {user}: {len(q)} messages within {self.window}s")
        self.delivered += 1
        self.log.write(subject + "\n")
        self.save()

    def save(self):
        state = {"delivered": self.delivered, "most_sessions": self.most_open,
                 "most_in_window": self.most_in_window, "breaches": self.breaches[-50:],
                 "breach_count": len(self.breaches)}
        tmp = os.path.join(self.directory, "state.json.tmp")
        with open(tmp, "w") as f:
            json.dump(state, f)
        os.replace(tmp, os.path.join(self.directory, "state.json"))


class Handler:
    def __init__(self, limits, password):
        self.limits = limits
        self.password = password.encode()

    def authenticator(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword) or auth_data.password != self.password:
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode()
        session.mailbox = user
        self.limits.opened(user)
        return AuthResult(success=True, auth_data=user)

    async def handle_DATA(self, server, session, envelope):
        headers = BytesHeaderParser().parsebytes(envelope.original_content)
        self.limits.arrived(getattr(session, "mailbox", "?"), headers.get("Subject", "?"))
        return "250 2.0.0 OK <queued@m365.test>"

    async def handle_QUIT(self, server, session, envelope):
        release(self.limits, session)
        return "221 2.0.0 Service closing transmission channel"


def release(limits, session):
    user = getattr(session, "mailbox", None)
    if user is not None and not getattr(session, "released", False):
        session.released = True
        limits.closed(user)


class CountingSMTP(SMTP):
    def __init__(self, handler, limits, **kwargs):
        super().__init__(handler, **kwargs)
        self.limits = limits

    def connection_lost(self, error):
        if self.session is not None:
            release(self.limits, self.session)
        super().connection_lost(error)


async def serve(args):
    limits = Limits(args.dir, args.max_sessions, args.messages, args.window)
    limits.save()
    handler = Handler(limits, args.password)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    loop = asyncio.get_running_loop()

    def protocol():
        return CountingSMTP(handler, limits, hostname="m365.test", ident="fake-m365", decode_data=False,
                            tls_context=context, require_starttls=True, auth_required=True,
                            auth_require_tls=True, authenticator=handler.authenticator)

    server = await loop.create_server(protocol, host="127.0.0.1", port=0, backlog=1000)
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write(f"{port}\n")
    os.rename(args.port_file + ".tmp", args.port_file)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--max-sessions", type=int, default=3)
    p.add_argument("--messages", type=int, default=30)
    p.add_argument("--window", type=float, default=60.0)
    asyncio.run(serve(p.parse_args()))


if __name__ == "__main__":
    main()
