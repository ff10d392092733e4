#!/usr/bin/env python3
"""Browser test of the dashboard: real `retort serve` (with a stdlib mock teacher),
real headless Chromium driven over the DevTools protocol. It searches, opens an
exchange, rates it thumbs-up with a comment, checks the feedback rows in SQLite,
switches a route's serving mode from the serving panel, and saves a screenshot to .build/artifacts/dashboard.png.

Usage: python3 Tests/browser/dashboard_test.py [--retort .build/debug/retort]
Skips (exit 0) when Chromium is missing, unless RETORT_BROWSER_TEST is set.
"""
import argparse
import base64
import http.server
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import CDP  # noqa: E402

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ANSWERS = {
    "How does photosynthesis work?": ["Plants turn light, water and carbon dioxide into sugar and oxygen."],
    "Name a prime number": ["Seven.", "Nine."],
    "What is the capital of Norway?": ["Oslo."],
}
ASKED = {}


class MockTeacher(http.server.BaseHTTPRequestHandler):
    """Answers every chat completion with a fixed answer for its last user message."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        question = body["messages"][-1]["content"]
        ASKED[question] = ASKED.get(question, -1) + 1
        answers = ANSWERS.get(question, ["I do not know."])
        reply = {"id": "chatcmpl-" + str(abs(hash(question)) % 10**8), "object": "chat.completion", "created": 0,
                 "model": body["model"], "choices": [{"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": answers[ASKED[question] % len(answers)]}}],
                 "usage": {"prompt_tokens": 9, "completion_tokens": 7, "total_tokens": 16}}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception:  # not up yet
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def start_gateway(retort, work):
    teacher = http.server.ThreadingHTTPServer(("127.0.0.1", 0), MockTeacher)
    threading.Thread(target=teacher.serve_forever, daemon=True).start()
    port = free_port()
    env = dict(os.environ, RETORT_DB=os.path.join(work, "corpus.sqlite"), RETORT_PORT=str(port), RETORT_HOST="127.0.0.1",
               RETORT_TEACHER_URL=f"http://127.0.0.1:{teacher.server_address[1]}/v1", RETORT_ADMIN_KEY="",
               RETORT_PUBLIC_DIR=os.path.join(REPOSITORY, "public"))
    env.pop("RETORT_ADMIN_KEY")
    gateway = subprocess.Popen([retort, "serve"], cwd=os.getcwd(),
                               env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "gateway.log"), "w"))
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: urllib.request.urlopen(base + "/healthz").status == 200, "the gateway")
    for question in [q for q, answers in ANSWERS.items() for _ in answers]:
        request = urllib.request.Request(base + "/v1/chat/completions", method="POST", headers={"Content-Type": "application/json"},
                                         data=json.dumps({"model": "default", "messages": [{"role": "user", "content": question}]}).encode())
        assert urllib.request.urlopen(request).status == 200
    return gateway, teacher, base, env["RETORT_DB"]


def compare_side_by_side(page, rows):
    """Finds the two answers to one prompt, shows them side by side and prefers the left one."""
    page.evaluate("document.getElementById('q').value = 'prime'; document.getElementById('search').click(); true")
    wait_for(lambda: page.evaluate(rows) == 2, "two answers to the same prompt")
    left = page.evaluate("document.querySelector('#rows tr[data-id]').dataset.id")
    page.evaluate("document.querySelector('#rows tr[data-id]').click(); true")
    wait_for(lambda: not page.evaluate("document.getElementById('compare-box').hidden"), "the compare box")
    right = page.evaluate("document.getElementById('compare-with').value")
    page.evaluate("document.getElementById('compare').click(); true")
    wait_for(lambda: not page.evaluate("document.getElementById('side-by-side').hidden"), "the side-by-side view")
    shown = page.evaluate("[document.getElementById('left-answer').textContent, document.getElementById('right-answer').textContent]")
    assert sorted(shown) == ["Nine.", "Seven."], shown
    page.evaluate("document.getElementById('pick-left').click(); true")
    wait_for(lambda: page.evaluate("document.getElementById('saved').textContent").startswith("Saved preference"), "the preference saved")
    return left, right


def switch_serving(page):
    """Switches route default by hand from the serving panel and sees the change listed."""
    wait_for(lambda: page.evaluate("document.querySelectorAll('#serving-routes tr').length") >= 1, "the serving panel")
    page.evaluate("document.getElementById('serving-route').value = 'default';"
                  "document.getElementById('serving-mode').value = 'teacher';"
                  "document.getElementById('serving-apply').click(); true")
    wait_for(lambda: page.evaluate("document.getElementById('serving-saved').textContent").startswith("switched default"), "the switch saved")
    wait_for(lambda: "[manual, manual]" in page.evaluate("document.getElementById('serving-events').textContent"), "the change listed")
    # The route's student share over time is plotted (four teacher-served requests: a flat line at 0).
    wait_for(lambda: page.evaluate("document.querySelectorAll('#serving-routes svg.plot polyline').length") >= 1,
             "the student share plot")
    label = page.evaluate("document.querySelector('#serving-routes svg.plot').getAttribute('aria-label')")
    assert label.startswith("student share of the last 4 requests: 0.0%"), label


def drive(chromium, base, work, screenshot):
    port = free_port()
    browser = subprocess.Popen([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--disable-dev-shm-usage", f"--remote-debugging-port={port}", f"--user-data-dir={work}/profile",
                                "--window-size=1400,900", base + "/"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        pages = wait_for(lambda: [t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
                                  if t["type"] == "page"], "a Chromium page")
        page = CDP(pages[0]["webSocketDebuggerUrl"])
        rows = "document.querySelectorAll('#rows tr[data-id]').length"
        wait_for(lambda: page.evaluate(rows) == 4, "four exchanges listed")
        compared = compare_side_by_side(page, rows)
        page.evaluate("document.getElementById('q').value = 'photosynthesis';"
                      "document.getElementById('search').click(); true")
        wait_for(lambda: page.evaluate(rows) == 1, "one search result")
        exchange_id = page.evaluate("document.querySelector('#rows tr[data-id]').dataset.id")
        page.evaluate("document.querySelector('#rows tr[data-id]').click(); true")
        wait_for(lambda: page.evaluate("document.getElementById('detail-title').textContent") == exchange_id, "the detail panel")
        page.evaluate("document.getElementById('comment').value = 'clear and correct';"
                      "document.getElementById('save-comment').click(); true")
        wait_for(lambda: page.evaluate("document.getElementById('saved').textContent").startswith("Saved comment"), "the comment saved")
        page.evaluate("document.getElementById('rate-up').click(); true")
        wait_for(lambda: page.evaluate("document.getElementById('saved').textContent").startswith("Saved rating up"), "the rating saved")
        wait_for(lambda: page.evaluate("document.querySelector('#rows tr[data-id] .rating').textContent") == "▲", "the row marked")
        switch_serving(page)
        shot = page.call("Page.captureScreenshot", format="png")
        os.makedirs(os.path.dirname(screenshot), exist_ok=True)
        with open(screenshot, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return exchange_id, compared
    finally:
        browser.terminate()
        browser.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--retort", default=".build/debug/retort")
    parser.add_argument("--screenshot", default=".build/artifacts/dashboard.png")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        if os.environ.get("RETORT_BROWSER_TEST"):
            print("dashboard browser test: Chromium not found but RETORT_BROWSER_TEST is set (apt-get install -y chromium)")
            print("0 passed, 1 failed")
            return 1
        print("dashboard browser test SKIPPED: no Chromium (apt-get install -y chromium); set RETORT_BROWSER_TEST=1 to require it")
        return 0
    work = tempfile.mkdtemp(prefix="retort-browser-")
    gateway, teacher, base, database = start_gateway(os.path.abspath(args.retort), work)
    try:
        exchange_id, (chosen, rejected) = drive(chromium, base, work, args.screenshot)
        with sqlite3.connect(database) as db:
            rows = db.execute("SELECT kind, rating, comment FROM feedback WHERE exchange_id = ? ORDER BY created_at",
                              (exchange_id,)).fetchall()
            prompt = db.execute("SELECT request FROM exchange_bodies WHERE exchange_id = ?", (exchange_id,)).fetchone()[0]
            rating = db.execute("SELECT rating FROM exchanges WHERE id = ?", (exchange_id,)).fetchone()[0]
            pair = db.execute("SELECT kind, exchange_id, rejected_exchange_id FROM feedback WHERE kind = 'pairwise'").fetchall()
            pairs = db.execute("SELECT source FROM preference_pairs").fetchall()
        assert "photosynthesis" in prompt, prompt
        assert rows == [("annotation", None, "clear and correct"), ("annotation", 1, None)], rows
        assert rating == 1, rating
        assert pair == [("pairwise", chosen, rejected)], (pair, chosen, rejected)
        assert pairs == [("pairwise",)], pairs
        print(f"dashboard browser test: rated {exchange_id} from the page; screenshot {args.screenshot}")
        print("1 passed, 0 failed")
        return 0
    except Exception as error:  # report, keep the gateway log
        print(f"dashboard browser test FAILED: {error}")
        print(open(os.path.join(work, "gateway.log")).read()[-2000:])
        print("0 passed, 1 failed")
        return 1
    finally:
        gateway.terminate()
        gateway.wait(timeout=10)
        teacher.shutdown()


if __name__ == "__main__":
    sys.exit(main())
