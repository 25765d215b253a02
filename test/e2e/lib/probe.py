#!/usr/bin/python3
"""One SMTP transaction from a chosen loopback source address, reporting every reply.

  probe.py PORT SOURCE_ADDRESS FROM TO TOKEN

Binds the client socket to SOURCE_ADDRESS (any 127.x.y.z works on Linux loopback), so one machine
can play several client networks. Sends EHLO, MAIL, RCPT, DATA and a small message carrying
"X-E2E-Id: TOKEN", stopping at the first reply that is not the expected one. Prints the replies on
one line, e.g. "220 250 250 550-5.7.1" (a code, then its enhanced status when it is not 2xx/3xx),
and "closed" if the server hung up. Always exits 0: the caller judges the replies.
"""
import socket
import sys


def main(argv):
    port, source, sender, recipient, token = int(argv[0]), argv[1], argv[2], argv[3], argv[4]
    seen = []
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0))
    except OSError as e:
        print(f"connect-failed:{e}")
        return 0
    f = sock.makefile("rb")

    def reply():
        while True:
            line = f.readline()
            if not line:
                seen.append("closed")
                return None
            if line[3:4] != b"-":
                code = int(line[:3])
                status = line[4:].split(b" ", 1)[0].decode(errors="replace")
                seen.append(str(code) if code < 400 else f"{code}-{status}")
                return code

    steps = [(None, 220), (b"EHLO probe.e2e.test\r\n", 250), (f"MAIL FROM:<{sender}>\r\n".encode(), 250),
             (f"RCPT TO:<{recipient}>\r\n".encode(), 250), (b"DATA\r\n", 354),
             (f"Subject: access probe\r\nX-E2E-Id: {token}\r\n\r\nprobe\r\n.\r\n".encode(), 250),
             (b"QUIT\r\n", 221)]
    try:
        for data, expected in steps:
            if data:
                sock.sendall(data)
            if reply() != expected:
                break
    except OSError:
        seen.append("closed")
    finally:
        sock.close()
    print(" ".join(seen))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
