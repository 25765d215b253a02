#!/usr/bin/python3
"""Checks on what the sink stored (used by the end-to-end scripts).

  check.py find DIR TOKEN
      prints the sink's .eml files whose content contains TOKEN, one per line.
  check.py same SENT RECEIVED [--strip-received]
      exits 0 when RECEIVED equals SENT byte for byte. With --strip-received, RECEIVED must start
      with exactly one Received: header (possibly folded over several lines), the one Relay adds,
      which is removed before comparing. On a mismatch prints where the two first differ.
  check.py envelope JSON FROM TO[,TO...]
      exits 0 when the sink's envelope file records that MAIL FROM and exactly those RCPT TOs.
"""
import json
import os
import sys


def find(directory, token):
    needle = token.encode()
    for name in sorted(os.listdir(directory)):
        if name.endswith(".eml"):
            path = os.path.join(directory, name)
            with open(path, "rb") as f:
                if needle in f.read():
                    print(path)
    return 0


def strip_received(data):
    """Removes the first header field when it is Received:, with its folded continuation lines."""
    if not data[:9].lower() == b"received:":
        raise ValueError("does not start with a Received: header: %r" % data[:60])
    end = data.index(b"\r\n") + 2
    while data[end:end + 1] in (b" ", b"\t"):
        end = data.index(b"\r\n", end) + 2
    return data[:end], data[end:]


def same(sent_path, received_path, strip):
    with open(sent_path, "rb") as f:
        sent = f.read()
    with open(received_path, "rb") as f:
        received = f.read()
    if strip:
        try:
            header, received = strip_received(received)
        except ValueError as e:
            print(f"{received_path}: {e}")
            return 1
        if received[:9].lower() == b"received:" and sent[:9].lower() != b"received:":
            print(f"{received_path}: more than one Received: header was added")
            return 1
    if sent == received:
        return 0
    i = next((k for k in range(min(len(sent), len(received))) if sent[k] != received[k]),
             min(len(sent), len(received)))
    print(f"{received_path} differs from {sent_path} at byte {i} "
          f"(sent {len(sent)} bytes, received {len(received)}):\n"
          f"  sent:     {sent[max(0, i - 30):i + 30]!r}\n"
          f"  received: {received[max(0, i - 30):i + 30]!r}")
    return 1


def envelope(json_path, sender, recipients):
    with open(json_path, encoding="utf-8") as f:
        meta = json.load(f)
    want = recipients.split(",")
    if meta["mail_from"] == sender and meta["rcpt_tos"] == want:
        return 0
    print(f"{json_path}: envelope is MAIL FROM {meta['mail_from']!r} RCPT TO {meta['rcpt_tos']!r}, "
          f"expected {sender!r} {want!r}")
    return 1


def main(argv):
    if len(argv) >= 3 and argv[0] == "find":
        return find(argv[1], argv[2])
    if len(argv) >= 3 and argv[0] == "same":
        return same(argv[1], argv[2], "--strip-received" in argv[3:])
    if len(argv) == 4 and argv[0] == "envelope":
        return envelope(argv[1], argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
