#!/usr/bin/python3
"""Sends a burst for test/e2e/cluster.sh: COUNT messages through PORT from many senders, THREADS at
once, each on a new connection (as devices do), alternating between the domains given, with
Subject "TAG-N". A message refused or cut off (a node killed under it) is sent again, up to 20
times, as a device would retry; the subject of each message answered 250 is appended to ACK_FILE.

  burst.py PORT COUNT THREADS TAG ACK_FILE DOMAIN [DOMAIN...]
"""
import smtplib
import sys
import threading
import time

port, count, threads, tag, ack = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
domains = sys.argv[6:]
lock = threading.Lock()
numbers = iter(range(1, count + 1))
acks = open(ack, "a", buffering=1)
failures = []


def next_number():
    with lock:
        return next(numbers, None)


def send(n):
    sender = f"device{n % 37}@{domains[n % len(domains)]}"
    subject = f"{tag}-{n}"
    body = f"From: {sender}\r\nTo: someone@example.net\r\nSubject: {subject}\r\n\r\nscan {n}\r\n"
    for attempt in range(20):
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
                smtp.sendmail(sender, ["someone@example.net"], body)
            with lock:
                acks.write(subject + "\n")
            return
        except (smtplib.SMTPException, OSError):
            time.sleep(0.2 * (attempt + 1))
    with lock:
        failures.append(subject)


def worker():
    while (n := next_number()) is not None:
        send(n)


workers = [threading.Thread(target=worker) for _ in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
if failures:
    print(f"burst: {len(failures)} message(s) never accepted: {failures[:5]}", file=sys.stderr)
    sys.exit(1)
