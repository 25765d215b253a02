#!/usr/bin/python3
"""The web console in a real headless Chromium (browser.py), as test/e2e/console.sh sets it up: a
relay whose upstream (the sink) answers 451 while a flag file exists, and two messages waiting,
one to retry and one to delete.

  console_check.py --url URL --chromium BINARY --work DIR --admin-token-file FILE --read-token TOKEN \
                   --flag FILE --sink-dir DIR --retry ID --delete ID --subject TEXT

What it does, as an operator would, with mouse clicks and typing:
  1. a refused token stays on the sign-in page;
  2. the read-only token sees both messages and the connector, and not one action button;
  3. the admin token (the relay's local token) sees the overview by connector (screenshot
     DIR/console-overview.png) and both messages with the upstream's 451 as their reason
     (DIR/console-messages.png); a message's detail shows its subject, full of markup, as text
     (DIR/console-detail.png);
  4. Hold on one leaves only Release, Delete and Bounce; Release has it tried at once (refused
     again: it waits); with the upstream back (the flag removed), Retry: it arrives at the sink and
     leaves the list;
  5. Delete on the other asks first (DIR/console-confirm.png): Cancel keeps it, OK removes it;
  6. the connector is suspended (after a confirmation) and resumed, and shows its last delivery and
     its last failure (the 451); the Trace tab lists tracking events and shows a timeline;
     a token the relay no longer accepts returns to the sign-in page;
  7. the token was never in a cookie or the URL, and the page had no script error or CSP violation,
     while an injected inline script is refused by the CSP.
Exits 0 when all holds; otherwise prints what did not and exits 1.
"""
import argparse
import json
import os
import sys
import time

from browser import Browser, BrowserError, log

ACTION_WORDS = ("Retry", "Hold", "Release", "Delete", "Bounce", "Suspend", "Resume")


def visible(element_id):
    return f"!document.getElementById({json.dumps(element_id)}).hidden"


def rows(table):
    return f"document.querySelectorAll('#{table} tbody tr[data-id], #{table} tbody tr[data-connector]').length"


def action_buttons():
    """How many buttons in the page would act: by data-action, or by their words."""
    return ("[...document.querySelectorAll('button')].filter(b => b.dataset.action || "
            f"{json.dumps(list(ACTION_WORDS))}.some(w => b.textContent.trim().startsWith(w))).length")


def sign_in(b, token):
    b.type("#token", token)
    b.click("#sign-in")


def sink_messages(sink_dir):
    return [n for n in os.listdir(sink_dir) if n.endswith(".eml")]


def check(condition, message):
    if not condition:
        raise BrowserError(message)


def run(a, b):
    admin_token = open(a.admin_token_file).read().strip()
    state_cell = "td:nth-child(3)"

    b.goto(a.url)
    b.wait_until(f"{visible('login')} && !{visible('app')} && document.activeElement.id === 'token'", "the sign-in page")
    log("sign-in page shown")

    sign_in(b, "not-a-token-of-this-relay")
    b.wait_until("document.getElementById('login-error').textContent.includes('does not accept')", "a refused token's message")
    check(b.evaluate("sessionStorage.length") == 0, "a refused token was kept in sessionStorage")
    log("a refused token stays on the sign-in page")

    # ---- read-only
    sign_in(b, a.read_token)
    b.wait_until(visible("app"), "the console after signing in with the read-only token")
    check(b.text("#who-role") == "read-only", f"role shown as {b.text('#who-role')!r}")
    check(b.evaluate(visible("read-only")), "no read-only note")
    b.wait_until("document.querySelector('#overview-table tr[data-connector=\"upstream\"]')", "the overview (read-only)")
    b.click("#tab-messages")
    b.wait_until(f"{rows('messages-table')} === 2", "two messages listed (read-only)")
    b.click("#tab-connectors")
    b.wait_until(f"{rows('connectors-table')} >= 1", "the connectors (read-only)")
    check(b.evaluate(action_buttons()) == 0, "the read-only token is offered action buttons")
    b.click("#tab-messages")
    b.wait_until(f"{rows('messages-table')} === 2", "two messages listed again (read-only)")
    check(b.evaluate(action_buttons()) == 0, "the read-only token is offered action buttons on messages")
    log("read-only token: both messages and the connector listed, no action button")
    b.click("#sign-out")
    b.wait_until(f"{visible('login')} && sessionStorage.getItem('relay.console.token') === null", "signed out")
    check(b.evaluate("document.querySelectorAll('#app tbody tr').length === 0 && !document.getElementById('app').textContent.includes('device')"),
          "data left in the page after sign-out")

    # ---- admin: overview
    sign_in(b, admin_token)
    b.wait_until(visible("app"), "the console after signing in with the local token")
    check(b.text("#who-name") == "local" and b.text("#who-role") == "may act", "not signed in as local, admin")
    b.click("#tab-overview")
    row = '#overview-table tr[data-connector="upstream"]'
    b.wait_until(f"document.querySelector('{row} td:nth-child(4)')?.textContent === '2'", "2 deferred at upstream in the overview")
    overview = b.evaluate(f"[...document.querySelectorAll('{row} > *')].map(c => c.textContent)")
    check(overview[1] == "delivering" and overview[2:5] == ["0", "2", "0"] and overview[5] != "—",
          f"overview row for upstream: {overview}")
    check(b.text("#overview-total") == "2 message(s) queued.", f"total: {b.text('#overview-total')!r}")
    size = b.screenshot(os.path.join(a.work, "console-overview.png"))
    log(f"overview: upstream {overview}; screenshot {size} bytes")

    # ---- admin: messages with their reason
    b.click("#tab-messages")
    for queue_id in (a.retry, a.delete):
        b.wait_until(f"document.querySelector('tr[data-id=\"{queue_id}\"]')", f"message {queue_id} listed")
        reason = b.text(f'tr[data-id="{queue_id}"] td.reason')
        check("451 4.3.0" in reason, f"{queue_id}: reason {reason!r} lacks the upstream's 451")
        check(b.text(f'tr[data-id="{queue_id}"] {state_cell}') == "deferred", f"{queue_id} not shown as deferred")
        for action in ("retry", "hold", "delete", "bounce"):
            check(b.evaluate(f"!!document.querySelector('tr[data-id=\"{queue_id}\"] button[data-action=\"{action}\"]')"),
                  f"{queue_id}: no {action} button")
    wide = b.evaluate("(() => { const w = document.querySelector('#messages-table').parentElement; return w.scrollWidth > w.clientWidth; })()")
    check(not wide, "the message list is wider than a 1280-pixel window")
    size = b.screenshot(os.path.join(a.work, "console-messages.png"))
    log(f"both messages listed with the upstream's 451; screenshot {size} bytes")

    # Everything from mail is text: the subject's markup shows as typed and creates no element.
    b.click(f'button[data-show="{a.delete}"]')
    b.wait_until(f"{visible('detail')} && document.getElementById('detail-title').textContent.includes('{a.delete}')",
                 "the message's detail")
    shown = b.evaluate("[...document.querySelectorAll('#detail-fields dt')].find(d => d.textContent === 'Subject')"
                       "?.nextElementSibling.textContent")
    check(shown == a.subject, f"subject shown as {shown!r}, sent as {a.subject!r}")
    check(b.evaluate("document.querySelectorAll('#detail img, #detail b, #app img').length === 0 && !window.pwned"),
          "markup from the subject became part of the page")
    b.screenshot(os.path.join(a.work, "console-detail.png"))
    b.click("#detail-close")
    log("detail: the subject's markup shown as text")

    # ---- hold one: only Release (and removal) is offered; released while the upstream still
    # refuses, it is tried at once and waits again
    retry_row = f'tr[data-id="{a.retry}"]'
    b.click(f'{retry_row} button[data-action="hold"]')
    b.wait_until(f"document.getElementById('status').textContent.startsWith('Hold {a.retry}: held until released')", "the hold's answer")
    b.wait_until(f"document.querySelector('{retry_row} {state_cell}')?.textContent === 'held by an operator'", "the message shown as held")
    offered = b.evaluate(f"[...document.querySelectorAll('{retry_row} button[data-action]')].map(e => e.dataset.action)")
    check(offered == ["release", "delete", "bounce"], f"a held message offers {offered}")
    b.click(f'{retry_row} button[data-action="release"]')
    b.wait_until(f"document.getElementById('status').textContent.startsWith('Release {a.retry}: released: due now')", "the release's answer")
    deadline = time.monotonic() + 30
    while b.evaluate(f"document.querySelector('{retry_row} td:nth-child(8)')?.textContent") != "2":
        check(time.monotonic() < deadline, "the released message was not tried again within 30 s")
        time.sleep(0.3)
        b.click("#refresh")
    b.wait_until(f"document.querySelector('{retry_row} {state_cell}')?.textContent === 'deferred'", "the released message deferred again")
    log(f"held {a.retry} (only release offered), released: tried again at once, refused again, waiting")

    # ---- retry it once the upstream is back
    os.remove(a.flag)
    b.click(f'tr[data-id="{a.retry}"] button[data-action="retry"]')
    b.wait_until(f"document.getElementById('status').textContent.startsWith('Retry {a.retry}: due now')", "the retry's answer")
    deadline = time.monotonic() + 30
    while not sink_messages(a.sink_dir):
        check(time.monotonic() < deadline, "the retried message did not reach the sink within 30 s")
        time.sleep(0.2)
    b.click("#refresh")
    b.wait_until(f"!document.querySelector('tr[data-id=\"{a.retry}\"]') && {rows('messages-table')} === 1",
                 "the delivered message to leave the list")
    log(f"retried {a.retry}: delivered at the sink, gone from the list")

    # ---- delete the other: asks first
    delete = f'tr[data-id="{a.delete}"] button[data-action="delete"]'
    b.click(delete)
    b.wait_until("document.getElementById('confirm').open", "the confirmation dialog")
    text = b.text("#confirm-text")
    check(a.delete in text and "cannot be undone" in text, f"confirmation says {text!r}")
    check(b.evaluate("document.activeElement.id") == "confirm-cancel", "Cancel does not have the focus")
    b.screenshot(os.path.join(a.work, "console-confirm.png"))
    b.click("#confirm-cancel")
    b.wait_until("!document.getElementById('confirm').open && document.getElementById('status').textContent.includes('cancelled')",
                 "the dialog to close on Cancel")
    check(b.evaluate(f"!!document.querySelector('tr[data-id=\"{a.delete}\"]')"), "Cancel deleted the message")
    b.click(delete)
    b.wait_until("document.getElementById('confirm').open", "the confirmation dialog again")
    b.click("#confirm-ok")
    b.wait_until(f"document.getElementById('status').textContent.startsWith('Delete {a.delete}: removed')", "the delete's answer")
    b.wait_until(f"{rows('messages-table')} === 0 && document.getElementById('messages-count').textContent === '0 message(s).'",
                 "an empty list")
    log(f"deleted {a.delete} after confirming (Cancel kept it)")

    # ---- connectors
    b.click("#tab-connectors")
    connector = '#connectors-table tr[data-connector="upstream"]'
    b.click(f'{connector} button[data-action="suspend"]')
    b.wait_until("document.getElementById('confirm').open", "the suspend confirmation")
    b.click("#confirm-ok")
    b.wait_until(f"document.querySelector('{connector}')?.dataset.suspended === 'true' && "
                 f"document.querySelector('{connector} td:nth-child(3)').textContent === 'suspended'", "upstream suspended")
    b.click(f'{connector} button[data-action="resume"]')
    b.wait_until(f"document.querySelector('{connector}')?.dataset.suspended === 'false' && "
                 f"document.querySelector('{connector} td:nth-child(3)').textContent === 'delivering'", "upstream resumed")
    delivered, failed = b.text(f"{connector} td.last-delivery"), b.text(f"{connector} td.last-failure")
    check("ago" in delivered and "127.0.0.1" in delivered, f"upstream's last delivery: {delivered!r}")
    check("ago" in failed and "451 4.3.0" in failed, f"upstream's last failure: {failed!r}")
    b.click("#tab-overview")
    b.wait_until("document.getElementById('overview-total').textContent === '0 message(s) queued.'", "an empty queue in the overview")
    log(f"connector suspended (confirmed) and resumed; last delivery {delivered!r}, last failure {failed!r}; "
        "the overview shows an empty queue")

    # ---- message trace: the tracking log's events, and one message's timeline
    b.click("#tab-trace")
    b.wait_until("[...document.querySelectorAll('#trace-table tbody td:nth-child(2)')].some(td => td.textContent === 'delivered')",
                 "a delivered event in the trace")
    b.click("#trace-table tbody button.link")
    b.wait_until("!document.getElementById('timeline').hidden && "
                 "[...document.querySelectorAll('#timeline-events li')].some(li => li.textContent.includes(' routed'))",
                 "a message's timeline")
    steps = b.evaluate("document.querySelectorAll('#timeline-events li').length")
    log(f"Trace tab: {b.text('#trace-status')!r}; a timeline of {steps} events")

    # ---- where the token is, and where it is not
    check(b.evaluate("sessionStorage.getItem('relay.console.token')") == admin_token, "the token is not in sessionStorage")
    check(b.evaluate("document.cookie") == "", "a cookie was set")
    check(admin_token not in b.evaluate("location.href"), "the token is in the URL")

    # ---- a token the relay no longer accepts (as after a restart) returns to the sign-in page
    b.evaluate("sessionStorage.setItem('relay.console.token', 'expired-token'); true")
    b.click("#refresh")
    b.wait_until(f"{visible('login')} && document.getElementById('login-error').textContent.includes('no longer accepts')",
                 "the sign-in page after a 401")
    check(b.evaluate("sessionStorage.getItem('relay.console.token')") is None, "the refused token stayed in sessionStorage")
    log("a token refused with 401 leads back to the sign-in page")

    problems = b.problems()
    check(not problems, "the page reported problems: " + "; ".join(problems))

    # ---- the CSP is enforced: an inline script injected now does not run
    ran = b.evaluate("""new Promise(resolve => {
        document.addEventListener('securitypolicyviolation', e => resolve('refused:' + e.violatedDirective), {once: true});
        const s = document.createElement('script'); s.textContent = 'window.inlineRan = true'; document.body.append(s);
        setTimeout(() => resolve(window.inlineRan ? 'ran' : 'silent'), 2000); })""")
    check(ran.startswith("refused:script-src"), f"an injected inline script: {ran}")
    log(f"an injected inline script is {ran}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("url", "chromium", "work", "admin-token-file", "read-token", "flag", "sink-dir", "retry", "delete", "subject"):
        p.add_argument("--" + name, required=True)
    a = p.parse_args()
    try:
        with Browser(a.chromium, os.path.join(a.work, "chromium-profile"), os.path.join(a.work, "chromium.log")) as b:
            try:
                run(a, b)
            except BrowserError:
                b.screenshot(os.path.join(a.work, "console-failure.png"))
                raise
    except BrowserError as e:
        print(f"console: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
