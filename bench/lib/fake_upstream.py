#!/usr/bin/python3
"""Local upstream for bench/smtp-auth-compare.sh: an SMTP server (aiosmtpd) that takes every
message and throws it away, writing a running counter in smtp-sink's -c format
("sess=0 quit=0 mesg=N\\r" per message) so that bench/lib/measure.py can time deliveries.

  fake_upstream.py --port PORT --counter FILE
      plain SMTP, no TLS, no AUTH (the smart-host baseline)
  fake_upstream.py --port PORT --counter FILE --cert PEM --key KEY --token TOKEN --token-port PORT2
      STARTTLS required, then AUTH XOAUTH2 required with exactly TOKEN as the bearer token; and an
      HTTPS token endpoint on 127.0.0.1:PORT2 (same certificate) answering every POST with TOKEN,
      like Entra ID's client-credentials grant. No limits.
  fake_upstream.py --port PORT --counter FILE --cert PEM --key KEY --token TOKEN --token-port PORT2
                   --graph-port PORT3
      as above, and a Microsoft Graph stand-in on 127.0.0.1:PORT3 (HTTPS, HTTP/1.1 keep-alive):
      POST /v1.0/users/{mailbox}/sendMail with exactly TOKEN as the bearer token and a base64 MIME
      body answers 202 and counts the message; anything else 400/401. No limits, no 429s.
"""
import argparse
import asyncio
import base64
import http.server
import json
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, counter_path, token):
        self.counter = open(counter_path, "wb", buffering=0)
        self.count = 0
        self.token = token

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        self.counter.write(b"sess=0 quit=0 mesg=%d\r" % self.count)
        return "250 2.0.0 Ok"

    async def auth_XOAUTH2(self, server, args):
        # args: ["XOAUTH2", initial-response?]; without an initial response, ask for it.
        try:
            if len(args) > 1:
                decoded = base64.b64decode(args[1])
            else:
                decoded = await server.challenge_auth("")
                if not isinstance(decoded, bytes):  # the client cancelled
                    return AuthResult(success=False, handled=False)
            fields = decoded.decode().split("\x01")
        except (ValueError, UnicodeDecodeError):
            return AuthResult(success=False, handled=False)
        user = next((f[5:] for f in fields if f.startswith("user=")), None)
        bearer = next((f[12:] for f in fields if f.startswith("auth=Bearer ")), None)
        return AuthResult(success=user is not None and bearer == self.token, handled=False, auth_data=user)


def token_endpoint(port, context, token):
    body = json.dumps({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                       "access_token": token}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()


def graph_endpoint(port, context, token, sink):
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as Relay's client uses it

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Authorization") != "Bearer " + token:
                return self.answer(401, b'{"error":{"code":"InvalidAuthenticationToken","message":"bad token"}}')
            if not self.path.startswith("/v1.0/users/") or not self.path.endswith("/sendMail"):
                return self.answer(400, b'{"error":{"code":"BadRequest","message":"Unsupported request."}}')
            try:
                base64.b64decode(body, validate=True)
            except ValueError:
                return self.answer(400, b'{"error":{"code":"ErrorMimeContentInvalidBase64String",'
                                        b'"message":"Invalid base64 string for MIME content."}}')
            with lock:
                sink.count += 1
                sink.counter.write(b"sess=0 quit=0 mesg=%d\r" % sink.count)
            self.answer(202, b"")

        def answer(self, status, body):
            self.send_response(status)
            if body:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--counter", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--token")
    p.add_argument("--token-port", type=int)
    p.add_argument("--graph-port", type=int)
    a = p.parse_args()
    sink = Sink(a.counter, a.token)
    kwargs = {}
    if a.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(a.cert, a.key)
        token_endpoint(a.token_port, context, a.token)
        if a.graph_port:
            graph_endpoint(a.graph_port, context, a.token, sink)
        kwargs = dict(tls_context=context, require_starttls=True, auth_required=True, auth_require_tls=True,
                      auth_exclude_mechanism=["LOGIN", "PLAIN"])
    controller = Controller(sink, hostname="127.0.0.1", port=a.port, server_hostname="upstream.bench",
                            data_size_limit=None, **kwargs)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
