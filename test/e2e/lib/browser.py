"""A headless Chromium driven over the DevTools protocol, for the end-to-end scripts.

The protocol runs over a pipe (--remote-debugging-pipe): Chromium reads commands on its fd 3 and
writes answers and events on its fd 4, each one JSON message ended by a NUL byte. So there is no
debugging port to find or to race for, no WebSocket, and nothing to install beyond Debian's
chromium and the Python standard library; when this process ends, the pipe closes and Chromium
quits with it.

Interaction is the user's: clicks are mouse events at the middle of the element (after checking
that the element is really what a click there would hit), typing is text inserted into the focused
field. Waiting is polling a JavaScript expression until it holds, with a deadline and a message
saying what was awaited. Script errors, Content-Security-Policy violations and console errors are
collected as they arrive (problems()), so a scenario can end by asserting that there were none.
"""
import base64
import fcntl
import json
import os
import select
import subprocess
import sys
import time


class BrowserError(Exception):
    """Chromium did not do what was asked, or not in time; the message says what and why."""


class Browser:
    """One headless Chromium with one page. Use as a context manager: closing quits Chromium."""

    def __init__(self, binary, profile_dir, log_path, width=1280, height=900):
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()
        # Chromium's ends go above fd 9 so that "3<&N 4>&M" below cannot overwrite one with the other
        # (which is also why bash runs it: dash takes single-digit descriptors only).
        child_in = fcntl.fcntl(commands_read, fcntl.F_DUPFD, 10)
        child_out = fcntl.fcntl(answers_write, fcntl.F_DUPFD, 10)
        os.close(commands_read)
        os.close(answers_write)
        args = [binary, "--headless", "--remote-debugging-pipe", f"--user-data-dir={profile_dir}",
                "--no-first-run", "--no-default-browser-check", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--mute-audio", "--password-store=basic",
                f"--window-size={width},{height}", "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to start as root with its sandbox
        self._log = open(log_path, "ab")
        self.process = subprocess.Popen(
            ["bash", "-c", f'exec "$@" 3<&{child_in} 4>&{child_out} {child_in}<&- {child_out}>&-', "bash", *args],
            pass_fds=(child_in, child_out), stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)
        os.close(child_in)
        os.close(child_out)
        self._buffer = b""
        self._next_id = 0
        self._session = None
        self._problems = []
        self.log_path = log_path
        target = self.call("Target.createTarget", {"url": "about:blank"}, browser=True, timeout=60)["targetId"]
        self._session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True}, browser=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- the protocol ----------------------------------------------------------------------------

    def _send(self, message):
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._commands, data):]

    def _receive(self, deadline, waiting_for):
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError(f"Chromium did not answer {waiting_for} in time (its log: {self.log_path})")
            ready, _, _ = select.select([self._answers], [], [], remaining)
            if ready:
                chunk = os.read(self._answers, 1 << 20)
                if not chunk:
                    raise BrowserError(f"Chromium closed the pipe while we waited for {waiting_for} "
                                       f"(exit {self.process.poll()}; its log: {self.log_path})")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def call(self, method, params=None, browser=False, timeout=30):
        """Sends one command (to the page unless browser=True) and returns its result."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if not browser and self._session:
            message["sessionId"] = self._session
        self._send(message)
        deadline = time.monotonic() + timeout
        while True:
            answer = self._receive(deadline, method)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error'].get('message')}")
                return answer.get("result", {})
            self._event(answer)

    def _event(self, event):
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self._problems.append("script error: " + (details.get("exception", {}).get("description") or details.get("text", "?")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self._problems.append("console error: " + " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            # An HTTP error answer is logged as a network error: the API's 401 and 404 are expected.
            if entry.get("level") == "error" and entry.get("source") != "network":
                self._problems.append(f"{entry.get('source')}: {entry.get('text')}")
        elif method == "Page.javascriptDialogOpening":
            self._problems.append(f"unexpected native dialog: {params.get('message')}")

    def problems(self):
        """Script errors, CSP violations and console errors seen so far (and forgets them)."""
        self.call("Runtime.evaluate", {"expression": "0"})  # lets events that are on their way arrive
        seen, self._problems = self._problems, []
        return seen

    # ---- what a user does ------------------------------------------------------------------------

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (promises are awaited)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(f"script failed: {details.get('exception', {}).get('description') or details.get('text')}"
                               f" in: {expression[:200]}")
        return result.get("result", {}).get("value")

    def wait_until(self, expression, what, timeout=20):
        """Polls the expression until it is truthy in JavaScript (an element, a non-empty string, ...)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.evaluate(f"!!({expression})"):
                return
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out after {timeout}s waiting for {what}")
            time.sleep(0.1)

    def goto(self, url):
        self.call("Page.navigate", {"url": url})
        self.wait_until(f"location.href === {json.dumps(url)} && document.readyState === 'complete'", f"{url} to load")

    def click(self, selector, timeout=10):
        """A left click in the middle of the element, once it is visible, enabled and not covered."""
        probe = f"""(() => {{
          const e = document.querySelector({json.dumps(selector)});
          if (!e) return {{why: 'not in the page'}};
          e.scrollIntoView({{block: 'center', inline: 'center'}});
          const r = e.getBoundingClientRect();
          if (r.width === 0 || r.height === 0) return {{why: 'not visible'}};
          if (e.disabled) return {{why: 'disabled'}};
          const x = r.left + r.width / 2, y = r.top + r.height / 2;
          const hit = document.elementFromPoint(x, y);
          if (!hit || !(hit === e || e.contains(hit))) return {{why: 'covered by ' + (hit ? hit.tagName + '#' + hit.id : 'nothing')}};
          return {{x, y}};
        }})()"""
        deadline = time.monotonic() + timeout
        while True:
            spot = self.evaluate(probe)
            if "x" in spot:
                break
            if time.monotonic() > deadline:
                raise BrowserError(f"cannot click {selector}: {spot['why']}")
            time.sleep(0.1)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": spot["x"], "y": spot["y"], "button": "left",
                                                   "buttons": 0 if kind == "mouseReleased" else 1, "clickCount": 1})

    def type(self, selector, text):
        """Clicks into a field and types text into it."""
        self.click(selector)
        self.wait_until(f"document.activeElement === document.querySelector({json.dumps(selector)})", f"{selector} to have focus")
        self.call("Input.insertText", {"text": text})

    def text(self, selector):
        """The element's text, or None when there is no such element."""
        return self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); return e ? e.textContent : null; }})()")

    def screenshot(self, path):
        """A PNG of the viewport; returns its size in bytes."""
        data = base64.b64decode(self.call("Page.captureScreenshot", {"format": "png"})["data"])
        with open(path, "wb") as f:
            f.write(data)
        return len(data)

    def close(self):
        try:
            if self.process.poll() is None:
                self.call("Browser.close", browser=True, timeout=5)
        except (BrowserError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        finally:
            for fd in (self._commands, self._answers):
                os.close(fd)
            self._log.close()


def log(message):
    print(f"[browser {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
