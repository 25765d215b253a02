#!/usr/bin/python3
"""Sends one message file with Python's smtplib, the way an application would.

  peer.py PORT FROM TO FILE [--starttls] [--8bitmime]

The file's bytes go to sendmail() as they are (smtplib dot-stuffs but does not touch line endings
of bytes), so a bare LF in the file reaches the relay as a bare LF. With --starttls the relay's
certificate is not verified: Relay's listener uses a self-signed certificate in these tests.
"""
import smtplib
import ssl
import sys


def main(argv):
    port, sender, recipient, path = int(argv[0]), argv[1], argv[2], argv[3]
    with open(path, "rb") as f:
        content = f.read()
    options = ["BODY=8BITMIME"] if "--8bitmime" in argv[4:] else []
    with smtplib.SMTP("127.0.0.1", port, local_hostname="peer.e2e.test", timeout=30) as smtp:
        smtp.ehlo()
        if "--starttls" in argv[4:]:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            smtp.starttls(context=context)
            smtp.ehlo()
        refused = smtp.sendmail(sender, [recipient], content, mail_options=options)
        if refused:
            print(f"refused recipients: {refused}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
