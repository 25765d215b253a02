#!/usr/bin/python3
"""Test SMTP sink for Relay's end-to-end scripts (runs on Debian's python3-aiosmtpd).

Listens on a loopback port (port 0 by default: the kernel picks a free one, written to --port-file
once the socket is bound, so callers never race for a port). Every accepted message is stored as
two files in --dir: NNNNNN.json (MAIL FROM, RCPT TOs, peer, whether TLS was on) and NNNNNN.eml (the
raw DATA content, dot-unstuffed, byte for byte as received, so line-ending changes stay visible).
The .json is written first and the .eml is renamed into place last: a visible .eml always means a
complete pair, which is what callers count.

While --tempfail-flag names an existing file, the sink answers 451 at the --tempfail-at stage, so
scripts can test that Relay retries instead of losing or bouncing mail.
"""
import argparse
import asyncio
import itertools
import json
import logging
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP

TEMPFAIL = "451 4.3.0 Sink is refusing mail for now, try again later"


class Store:
    """Writes accepted messages to a directory, numbering them in arrival order."""

    def __init__(self, directory):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        self.numbers = itertools.count(1)

    def save(self, envelope, session):
        n = next(self.numbers)
        base = os.path.join(self.directory, f"{n:06d}")
        meta = {
            "mail_from": envelope.mail_from,
            "mail_options": envelope.mail_options,
            "rcpt_tos": envelope.rcpt_tos,
            "peer": list(session.peer)[:2] if session.peer else None,
            "tls": session.ssl is not None,
        }
        with open(base + ".json", "w", encoding="utf-8") as f:
            json.dump(meta, f)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".eml.tmp", base + ".eml")


class Handler:
    """aiosmtpd hooks: accept everything, except while the temp-fail flag file exists."""

    def __init__(self, store, tempfail_flag, tempfail_at):
        self.store = store
        self.tempfail_flag = tempfail_flag
        self.tempfail_at = tempfail_at

    def refusing(self, stage):
        refuse = (self.tempfail_flag is not None and self.tempfail_at == stage
                  and os.path.exists(self.tempfail_flag))
        if refuse:
            # Callers wait on this log to know the relay really tried (and was refused) before
            # they lift the flag, instead of guessing with a sleep.
            with open(os.path.join(self.store.directory, "refused.log"), "a") as f:
                f.write(stage + "\n")
        return refuse

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refusing("mail"):
            return TEMPFAIL
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing("rcpt"):
            return TEMPFAIL
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refusing("data"):
            return TEMPFAIL
        self.store.save(envelope, session)
        return "250 2.0.0 OK stored"


def tls_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


async def serve(args):
    store = Store(args.dir)
    handler = Handler(store, args.tempfail_flag, args.tempfail_at)
    context = tls_context(args.tls_cert, args.tls_key) if args.tls_cert else None
    loop = asyncio.get_running_loop()

    def protocol():
        return SMTP(handler, hostname="sink.test", ident="e2e-sink", decode_data=False,
                    enable_SMTPUTF8=True, tls_context=context,
                    require_starttls=args.require_starttls, data_size_limit=64 * 1024 * 1024)

    server = await loop.create_server(protocol, host=args.host, port=args.port, backlog=1000)
    port = server.sockets[0].getsockname()[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.rename(tmp, args.port_file)
    print(f"sink: listening on {args.host}:{port}, storing in {args.dir}"
          f"{', STARTTLS' if context else ''}{' required' if args.require_starttls else ''}",
          flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", help="write the bound port here once listening")
    p.add_argument("--dir", required=True, help="where to store messages")
    p.add_argument("--tls-cert", help="PEM certificate chain; enables STARTTLS")
    p.add_argument("--tls-key", help="PEM private key for --tls-cert")
    p.add_argument("--require-starttls", action="store_true",
                   help="refuse MAIL until the client has done STARTTLS")
    p.add_argument("--tempfail-flag", help="answer 451 while this file exists")
    p.add_argument("--tempfail-at", choices=["mail", "rcpt", "data"], default="data")
    args = p.parse_args()
    if args.require_starttls and not args.tls_cert:
        p.error("--require-starttls needs --tls-cert")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
