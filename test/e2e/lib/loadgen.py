#!/usr/bin/python3
"""Load with exact per-message accounting, for the crash test.

  loadgen.py PORT SESSIONS COUNT SIZE ACK_FILE

SESSIONS threads each open a new connection per message (like devices do) and send messages
numbered 1..COUNT, every one carrying "X-E2E-Seq: N". The number of each message answered 250 to
its end of data is appended to ACK_FILE (one per line, flushed at once), so a crash of the server
at any moment leaves an exact list of what it acknowledged. A thread stops at its first failure
(the server going away is the expected end); the program exits 0 when it stops that way.

Why not smtp-source's counter: it says how many messages were acknowledged, not which ones, so
duplicates delivered after the restart could hide a lost message; this list cannot be fooled so.
"""
import itertools
import socket
import sys
import threading


def read_reply(f):
    while True:
        line = f.readline()
        if not line:
            raise ConnectionError("connection closed")
        if line[3:4] != b"-":
            return int(line[:3])


def send_one(port, seq, filler):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        f = sock.makefile("rb")

        def command(data, expect):
            sock.sendall(data)
            code = read_reply(f)
            if code != expect:
                raise RuntimeError(f"{data[:20]!r} got {code}")

        if read_reply(f) != 220:
            raise RuntimeError("no greeting")
        command(b"EHLO loadgen.e2e.test\r\n", 250)
        command(b"MAIL FROM:<load@e2e.test>\r\n", 250)
        command(b"RCPT TO:<sink@example.test>\r\n", 250)
        command(b"DATA\r\n", 354)
        head = f"From: <load@e2e.test>\r\nTo: <sink@example.test>\r\nSubject: crash load {seq}\r\nX-E2E-Seq: {seq}\r\n\r\n"
        command(head.encode() + filler + b".\r\n", 250)
        try:
            sock.sendall(b"QUIT\r\n")
            read_reply(f)
        except OSError:
            pass  # the message is acknowledged already; QUIT is a courtesy


def main(argv):
    port, sessions, count, size, ack_path = int(argv[0]), int(argv[1]), int(argv[2]), int(argv[3]), argv[4]
    line = b"x" * 76 + b"\r\n"
    filler = line * max(1, size // len(line))
    numbers = itertools.count(1)
    lock = threading.Lock()
    errors = []
    with open(ack_path, "a", buffering=1) as acks:
        def worker():
            while True:
                with lock:
                    seq = next(numbers)
                if seq > count:
                    return
                try:
                    send_one(port, seq, filler)
                except (OSError, RuntimeError, ConnectionError) as e:
                    with lock:
                        errors.append(f"{seq}: {e}")
                    return
                with lock:
                    acks.write(f"{seq}\n")
                    acks.flush()

        threads = [threading.Thread(target=worker) for _ in range(sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    print(f"loadgen: stopped; first errors: {errors[:3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
