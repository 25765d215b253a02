#!/usr/bin/python3
"""One SMTP smuggling attempt over a raw socket.

  smuggle.py PORT PAYLOAD_NAME TOKEN

Sends MAIL/RCPT/DATA for the real recipient, then a body that contains PAYLOAD (a would-be end of
data made of bare CR / bare LF) followed by a second, smuggled transaction for evil@x -> victim@y,
then the real CRLF.CRLF and QUIT. Prints the transcript. Exits 0 only when the server answered
exactly one reply to the end of data (250) and then 221 to QUIT: any extra reply means the server
took the smuggled commands as commands.
"""
import socket
import sys

PAYLOADS = {
    "lf-dot-lf": b"\n.\n",
    "cr-dot-cr": b"\r.\r",
    "crlf-dot-lf": b"\r\n.\n",
    "lf-dot-crlf": b"\n.\r\n",
}
SENDER = "sender@e2e.test"
RECIPIENT = "real@e2e.test"


class Session:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buffer = b""
        self.transcript = []

    def line(self):
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        self.transcript.append("S: " + line.decode("utf-8", "replace"))
        return line

    def reply(self):
        """Reads one (possibly multi-line) reply; returns its code, or None at end of stream."""
        while True:
            line = self.line()
            if line is None:
                return None
            if line[3:4] != b"-":
                return int(line[:3])

    def send(self, data, note=None):
        self.transcript.append("C: " + (note or data.decode("utf-8", "replace").rstrip("\r\n")))
        self.sock.sendall(data)

    def command(self, text, expect):
        self.send(text.encode() + b"\r\n")
        code = self.reply()
        if code != expect:
            raise RuntimeError(f"{text!r} got {code}, expected {expect}")


def main(argv):
    port, name, token = int(argv[0]), argv[1], argv[2]
    payload = PAYLOADS[name]
    s = Session(port)
    try:
        if s.reply() != 220:
            raise RuntimeError("no 220 greeting")
        s.command("EHLO smuggler.e2e.test", 250)
        s.command(f"MAIL FROM:<{SENDER}>", 250)
        s.command(f"RCPT TO:<{RECIPIENT}>", 250)
        s.command("DATA", 354)
        body = (f"Subject: smuggling {name}\r\nX-E2E-Id: {token}\r\n\r\nbefore the payload".encode()
                + payload
                + b"MAIL FROM:<evil@x>\r\nRCPT TO:<victim@y>\r\nDATA\r\nsmuggled\r\n"
                + b".\r\n")
        s.send(body, note=f"<body with {payload!r} and a smuggled transaction> CRLF.CRLF")
        first = s.reply()
        s.send(b"QUIT\r\n")
        rest = []
        while (code := s.reply()) is not None:
            rest.append(code)
    finally:
        s.sock.close()
        print("\n".join(s.transcript))
    if first != 250 or rest != [221]:
        print(f"{name}: replies after the body were {[first] + rest}, expected [250, 221]")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
