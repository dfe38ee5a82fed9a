#!/usr/bin/python3
"""Drive a headless Chromium over the DevTools protocol for t920.

cdp_page.py DEVTOOLS_PORT_FILE LINK STEP_FILE OUT_PNG EXPECT_JSON

Opens LINK (the web-link) in the browser's page, waits for the page to
show what EXPECT_JSON says (agencies and their states, the advisory, who
acknowledged it), prints one "ok NAME" or "FAIL NAME" line per check,
then writes STEP_FILE ("loaded") and waits, without reloading, until the
receipt row of EXPECT_JSON's "later" agency shows its acknowledgement
(the test makes it happen after STEP_FILE appears).  A screenshot goes
to OUT_PNG, and one at a phone's size beside it (-phone.png).  Then,
its event stream blocked, the page must say it polls (STEP_FILE gets a
line "polling") and show EXPECT_JSON's "second" advisory when the test
publishes it.  Every wait is bounded; nothing sleeps a fixed time to
synchronise.
"""
import base64
import json
import sys
import time
import urllib.request

import websocket

port_file, link, step_file, out_png, expect_json = sys.argv[1:6]
expect = json.loads(expect_json)
failed = 0


def report(name, good, detail=""):
    global failed
    print(("ok   " if good else "FAIL ") + name +
          ("" if good else ": " + str(detail)), flush=True)
    failed += 0 if good else 1


class Page:
    def __init__(self, port):
        targets = json.load(urllib.request.urlopen(
            "http://127.0.0.1:%d/json/list" % port, timeout=10))
        page = [t for t in targets if t["type"] == "page"][0]
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=20, suppress_origin=True)
        self.n = 0

    def call(self, method, **params):
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method,
                                 "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == self.n:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m["result"]

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr,
                      returnByValue=True, awaitPromise=True)
        return r["result"].get("value")

    def wait(self, expr, seconds):
        """Poll expr until it is true; its last value."""
        end = time.monotonic() + seconds
        v = None
        while time.monotonic() < end:
            v = self.eval(expr)
            if v:
                return v
            time.sleep(0.1)
        return v


def port_of(path):
    end = time.monotonic() + 20
    while time.monotonic() < end:
        try:
            with open(path) as f:
                return int(f.readline())
        except (OSError, ValueError):
            time.sleep(0.1)
    sys.exit("no DevTools port in " + path)


# What the page shows, read from its DOM in one go.
SNAPSHOT = """(() => { try {
  const rows = s => [...document.querySelectorAll(s)];
  const adv = document.querySelector('details.adv[data-id="%s"]');
  return JSON.stringify({
    lang: document.documentElement.lang,
    title: document.querySelector('h1').textContent,
    live: document.getElementById('live').dataset.state,
    agencies: Object.fromEntries(rows('#agencies tr[data-agency]').map(
      r => [r.dataset.agency, r.dataset.state])),
    advisory: adv ? adv.querySelector('.adv-title').textContent : null,
    open: adv ? adv.open : false,
    counts: adv ? [adv.dataset.received, adv.dataset.acknowledged] : null,
    receipts: adv ? Object.fromEntries([...adv.querySelectorAll(
      '.receipts tr[data-agency]')].map(r => [r.dataset.agency,
      [r.dataset.received, r.dataset.acknowledged,
       r.querySelector('.by').textContent]])) : {},
    overdue: rows('#overdue [data-agency]').map(r => r.dataset.agency),
    reports: rows('#reports .report[data-agency]').map(r => [
      r.dataset.agency, r.querySelector('a') ? r.querySelector('a').href
      : null]),
    resources: performance.getEntriesByType('resource').map(e => e.name),
    origin: location.origin,
    path: location.pathname + location.search,
  });
} catch (e) { return null; } })()""" % expect["id"]


def snapshot(page):
    """The page's state, or None while it is still loading (between the
    login and its redirect, or before the DOM is there)."""
    try:
        v = page.eval(SNAPSHOT)
    except RuntimeError:  # the document went away under us
        return None
    return json.loads(v) if v else None


def shows_all(page):
    s = snapshot(page)
    if s is None:
        return False
    r = s["receipts"]
    return (s["live"] == "live" and len(s["agencies"]) == 3 and
            s["advisory"] is not None and
            expect["acked"] in r and r[expect["acked"]][1] == "yes")


page = Page(port_of(port_file))
page.call("Page.enable")
page.call("Page.navigate", url=link)
end = time.monotonic() + 15
while time.monotonic() < end and not shows_all(page):
    time.sleep(0.1)
s = snapshot(page)
if s is None:
    report("the page loads", False, "no page after 15 s")
    sys.exit(1)
report("the page loads through the link and its event stream is live",
       s["live"] == "live", s)
report("the token left the address bar (cookie login)",
       s["path"] == "/", s["path"])
report("it is in Vietnamese (Accept-Language vi)",
       s["lang"] == "vi" and s["title"] == "Màn hình trực ban", s["title"])
report("every agency is listed with its state",
       s["agencies"] == expect["agencies"], s["agencies"])
report("the advisory is shown, opened on its receipts",
       s["advisory"] == expect["title"] and s["open"], s["advisory"])
report("who acknowledged it, by name",
       s["receipts"].get(expect["acked"]) == ["yes", "yes", expect["by"]],
       s["receipts"])
report("who received it but has not acknowledged",
       s["receipts"].get(expect["later"], [None])[:2] == ["yes", "no"],
       s["receipts"])
report("the switched-off agency neither received nor acknowledged",
       s["receipts"].get(expect["off"], [None])[:2] == ["no", "no"],
       s["receipts"])
report("the overdue list names the agencies yet to acknowledge",
       sorted(s["overdue"]) == sorted([expect["later"], expect["off"]]),
       s["overdue"])
report("the incident report is listed, its attachment a link",
       s["reports"] == [[expect["reporter"], s["origin"] +
                         expect["attachment"]]], s["reports"])
report("nothing is loaded from outside the publisher",
       all(u.startswith(s["origin"] + "/") for u in s["resources"]),
       s["resources"])

# Live: the next acknowledgement appears without a reload.
page.eval("window.t920NoReload = true")
with open(step_file, "w") as f:
    f.write("loaded\n")
later = "(() => { const r = document.querySelector('details.adv[data-id=\"%s\"] " \
        ".receipts tr[data-agency=\"%s\"]'); return r && " \
        "r.dataset.acknowledged === 'yes' && " \
        "r.querySelector('.by').textContent; })()" % (expect["id"],
                                                      expect["later"])
by = page.wait(later, 20)
report("an acknowledgement after load appears by itself", by ==
       expect["later_by"], by)
report("without a reload", page.eval("window.t920NoReload === true"))
report("the activity list logged it", page.wait(
    "!!document.querySelector('#activity [data-event=\"acknowledgement\"]')",
    5))

shot = page.call("Page.captureScreenshot", format="png")
with open(out_png, "wb") as f:
    f.write(base64.b64decode(shot["data"]))

# The same page on a phone, for a person to look at too.
page.call("Emulation.setDeviceMetricsOverride", width=390, height=844,
          deviceScaleFactor=2, mobile=True)
shot = page.call("Page.captureScreenshot", format="png")
with open(out_png.replace(".png", "-phone.png"), "wb") as f:
    f.write(base64.b64decode(shot["data"]))
page.call("Emulation.clearDeviceMetricsOverride")

page.eval("document.getElementById('lang').click()")
report("the switch turns it into English", page.wait(
    "document.querySelector('h1').textContent === \"Duty officer's screen\"",
    5))
# The stream broken (blocked): the page says so and polls instead.
page.call("Network.enable")
page.call("Network.setBlockedURLs", urls=["*/api/events*"])
page.call("Page.reload")
mode = page.wait("document.readyState === 'complete' && "
                 "document.getElementById('live').dataset.state === "
                 "'polling' && 'polling'", 15)
report("without its event stream the page falls back to polling",
       mode == "polling", mode)
with open(step_file, "a") as f:
    f.write("polling\n")
second = page.wait("[...document.querySelectorAll('.adv-title')].some("
                   "e => e.textContent === %s)" % json.dumps(
                       expect["second"]), 20)
report("and a new advisory still appears, by polling", second)
sys.exit(1 if failed else 0)
