#!/usr/bin/env python3
"""Writes a realistic Relay tracking log for `bench/trace-search.sh`: N lines (default 1,000,000) of
the events of a busy relay, spread over the last H hours (default 40) as Relay's own files hold
them: a rolled day as a whole (tracking.DAY.log.gz), days rolled by size in parts
(tracking.DAY.N.log.gz), and the live tracking.log. Lines follow relay.server.tracking.JsonTrackingLog
field for field (docs/configuration.md, "Tracking log").

Per message: received (with rule decisions, Message-ID, Subject, TLS), routed, then delivered
(about 85 %), deferred then delivered (10 %), or failed with a DSN (2 %); about 3 % of sessions are
refused in-session instead (relay denied). One message, about 60 % of the way in, is the needle:
it alone goes to needle.user@fabrikam.com. Prints one JSON object: the needle's queue id,
Message-ID and recipient, and the line and byte counts.

Usage: tracking_lines.py DIR [-n LINES] [--hours H] [--seed S]
"""
import argparse
import datetime as dt
import gzip
import json
import os
import random

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
UTC = dt.timezone.utc


def b32(value, width):
    out = []
    for _ in range(width):
        out.append(CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(out))


def iso(t):
    # Instant.toString(): millisecond precision here, trailing zeros kept as Java would drop them
    s = dt.datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    return s + "Z"


RULES = ['"[10] Encrypt partner mail: not matched"', '"[20] Tag invoices: would match"',
         '"[30] Block executables: not matched"']
DOMAINS = ["contoso.com", "fabrikam.com", "example.org", "partner.example", "northwind.example"]
SUBJECTS = ["Scanned document", "Invoice {n}", "Daily report {n}", "Alert: printer toner low", "Re: order {n}",
            "Backup finished", "Meeting notes", "Ticket #{n} updated"]
HOSTS = [("smtp.office365.com", "52.96.{a}.{b}"), ("mx1.partner.example", "203.0.113.{b}")]


class Writer:
    """Routes lines to the file Relay would have written them to at time t."""

    def __init__(self, directory, start, end, total):
        self.dir = directory
        self.start, self.end = start, end
        self.days = sorted({dt.datetime.fromtimestamp(t, UTC).date() for t in (start, end)} |
                           {(dt.datetime.fromtimestamp(start, UTC) + dt.timedelta(days=k)).date()
                            for k in range(int((end - start) // 86400) + 2)
                            if (dt.datetime.fromtimestamp(start, UTC) + dt.timedelta(days=k)).timestamp() <= end})
        self.current = None
        self.key = None
        self.clock = start  # the writer's clock: files roll by it, as Relay's do, never back
        self.lines = 0
        self.bytes = 0
        self.files = []

    def _target(self, t):
        day = dt.datetime.fromtimestamp(t, UTC).date()
        first, last = self.days[0], self.days[-1]
        day_start = dt.datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
        span_start = max(day_start, self.start)
        span_end = min(day_start + 86400, self.end)
        frac = (t - span_start) / max(1.0, span_end - span_start)
        if day == first:
            return (day, 0)  # a whole day: tracking.DAY.log.gz
        if day == last:
            # today: two parts rolled by size, then the live file
            return (day, 1) if frac < 0.35 else (day, 2) if frac < 0.7 else (day, None)
        return (day, 1 + min(2, int(frac * 3)))  # an earlier day in three parts

    def write(self, t, line):
        self.clock = max(self.clock, t)
        key = self._target(self.clock)
        if key != self.key:
            self.close()
            day, part = key
            if part is None:
                name = "tracking.log"
                self.current = open(os.path.join(self.dir, name), "w", encoding="utf-8")
            else:
                name = "tracking.%s.log.gz" % day.isoformat() if part == 0 else \
                    "tracking.%s.%d.log.gz" % (day.isoformat(), part)
                self.current = gzip.open(os.path.join(self.dir, name), "wt", encoding="utf-8", compresslevel=6)
            self.files.append(name)
            self.key = key
        self.current.write(line)
        self.current.write("\n")
        self.lines += 1
        self.bytes += len(line) + 1

    def close(self):
        if self.current:
            self.current.close()
            self.current = None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("-n", type=int, default=1_000_000)
    p.add_argument("--hours", type=float, default=40)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    rnd = random.Random(a.seed)
    os.makedirs(a.dir, exist_ok=True)
    end = dt.datetime.now(UTC).timestamp() - 60
    start = end - a.hours * 3600
    per_message = 3.85
    messages = int(a.n / per_message)
    step = (end - start) / messages
    w = Writer(a.dir, start, end, a.n)
    prefix = "%04x" % rnd.getrandbits(16)
    counter = 0
    needle_at = int(messages * 0.6)
    needle = {}
    pending = []  # (time, line) of later attempts, written when their time comes
    t = start
    m = 0
    while w.lines < a.n:
        t += step * rnd.uniform(0.5, 1.5)
        while pending and pending[0][0] <= t and w.lines < a.n:
            pt, pl = pending.pop(0)
            w.write(pt, pl)
        if w.lines >= a.n:
            break
        counter += 1
        session = prefix + format(counter, "x")
        client = "10.1.%d.%d" % (rnd.randrange(4), rnd.randrange(1, 250))
        sender = "<%s@contoso.com>" % rnd.choice(["scanner", "printer-2f", "erp", "noreply", "alerts", "hr"])
        if m != needle_at and rnd.random() < 0.03:
            rcpt = "<someone%d@%s>" % (rnd.randrange(10000), rnd.choice(DOMAINS))
            w.write(t, '{"at":"%s","event":"rejected","session":"%s","stage":"rcpt","sender":"%s","recipient":"%s",'
                       '"reply":"550 5.7.1 Relaying denied","reason":"%s is not an accepted domain and connector '
                       'printers may not relay to it","rules":[],"client":"%s","connector":"printers","user":null}'
                    % (iso(t), session, sender, rcpt, rcpt[1:-1].split("@")[1], client))
            continue
        m += 1
        if m == needle_at:
            rcpts = ["<needle.user@fabrikam.com>"]
        else:
            rcpts = ["<user%d@%s>" % (rnd.randrange(50000), rnd.choice(DOMAINS)) for _ in range(rnd.choice([1, 1, 1, 2, 3]))]
        millis = int(t * 1000)
        qid = b32(millis, 10) + b32(counter & 0xFFFFF, 4) + b32(rnd.getrandbits(40), 8)
        mid = "<%s.%d@%s>" % (format(rnd.getrandbits(48), "x"), counter, "printer.contoso.com")
        subject = rnd.choice(SUBJECTS).format(n=rnd.randrange(100000))
        size = rnd.randrange(2000, 900000)
        rl = ",".join('"%s"' % r for r in rcpts)
        w.write(t, '{"at":"%s","event":"received","session":"%s","client":"%s","connector":"printers","sender":"%s",'
                   '"recipients":[%s],"size":%d,"rules":[%s],"message_id":"%s","subject":%s,"user":null,'
                   '"tls":{"version":"TLSv1.3","cipher":"TLS_AES_256_GCM_SHA384"}}'
                % (iso(t), session, client, sender, rl, size, ",".join(RULES), mid, json.dumps(subject), ))
        t2 = t + 0.004
        w.write(t2, '{"at":"%s","event":"routed","session":"%s","id":"%s","connector":"m365","recipients":[%s],'
                    '"requireTls":false,"sender":"%s"}' % (iso(t2), session, qid, rl, sender))
        if m == needle_at:
            needle = {"queue_id": qid, "message_id": mid, "recipient": "needle.user@fabrikam.com", "at": iso(t)}
        host, ip = rnd.choice(HOSTS)
        ip = ip.format(a=rnd.randrange(256), b=rnd.randrange(256))
        tls = '{"version":"TLSv1.3","cipher":"TLS_AES_256_GCM_SHA384","verified":"%s"}' % host
        fate = rnd.random()
        for r in rcpts:
            t3 = t2 + rnd.uniform(0.3, 2.0)

            def delivery(at, event, code, status, reply):
                return ('{"at":"%s","event":"%s","id":"%s","connector":"m365","recipient":"%s","code":%d,"status":"%s",'
                        '"reply":"%s","cause":null,"reason":null,"remote_host":"%s","remote_ip":"%s","login":null,'
                        '"tls":%s,"sender":"%s"}' % (iso(at), event, qid, r, code, status, reply, host, ip, tls, sender))
            if fate < 0.85 or m == needle_at:
                w.write(t3, delivery(t3, "delivered", 250, "2.6.0",
                                     "<%s> [InternalId=%d, Hostname=AM0PR01MB%04d] Queued mail for delivery"
                                     % (mid[1:-1], rnd.getrandbits(40), rnd.randrange(10000))))
            elif fate < 0.95:
                w.write(t3, delivery(t3, "deferred", 451, "4.7.500", "Server busy. Please try again later"))
                t4 = t3 + rnd.uniform(60, 600)
                pending.append((t4, delivery(t4, "delivered", 250, "2.6.0", "Queued mail for delivery")))
                pending.sort(key=lambda x: x[0])
            else:
                w.write(t3, delivery(t3, "failed", 550, "5.1.10", "RESOLVER.ADR.RecipientNotFound; Recipient not found"))
                w.write(t3 + 0.01, '{"at":"%s","event":"dsn-queued","id":"%s","notification":"%s","action":"failed",'
                                   '"to":"%s","recipients":["%s"]}'
                        % (iso(t3 + 0.01), qid, b32(millis + 1, 10) + "0000" + b32(rnd.getrandbits(40), 8), sender, r))
    w.close()
    print(json.dumps(dict(needle, lines=w.lines, bytes=w.bytes, files=w.files)))


if __name__ == "__main__":
    main()
