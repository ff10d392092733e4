#!/usr/bin/env python3
"""Progressive serving with the real student, end to end, on one machine.

A stdlib mock teacher answers a narrow task (the sentiment of a short product review:
"positive" or "negative"). The script starts `retort serve` against it and then:

  1. sends --traffic requests in teacher mode (all logged);
  2. trains a LoRA student on them (`retort train sft`), registered as a version;
  3. runs the gate (`retort eval VERSION --route default`) on the frozen held-out split;
  4. lets the gateway promote on its own (auto_promote): shadow -> canary -> student,
     sending traffic and thumbs-up ratings at each stage;
  5. sends a final batch and a request with tools, and prints who served what.

Usage: python3 examples/progressive-serving/serving_demo.py [--retort .build/release/retort] [--model models/SmolLM2-135M-Instruct.Q4_1.gguf]
The figures it prints are the ones reported for the serving work.
"""
import argparse
import http.server
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from mock_openai import QuietHandler, free_port, send_completion  # noqa: E402

POSITIVE = ["great", "excellent", "wonderful", "fantastic", "lovely", "perfect", "superb", "delightful"]
NEGATIVE = ["terrible", "awful", "horrible", "broken", "useless", "disappointing", "dreadful", "poor"]
THINGS = ["kettle", "phone case", "backpack", "lamp", "keyboard", "umbrella", "blender", "notebook", "headset", "chair",
          "jacket", "water bottle", "desk", "toaster", "charger", "mouse", "pillow", "watch", "speaker", "camera"]
SYSTEM = "Classify the sentiment of the review. Answer with one word: positive or negative."


def review(index):
    """A deterministic review and its label."""
    rng = random.Random(index)
    positive = rng.random() < 0.5
    word = rng.choice(POSITIVE if positive else NEGATIVE)
    thing = rng.choice(THINGS)
    templates = ["The {t} is {w}.", "This {t} was {w}, honestly.", "I found the {t} {w}.", "{W} {t}, would say so again.",
                 "My new {t}: {w}."]
    text = rng.choice(templates).format(t=thing, w=word, W=word.capitalize()) + f" (order {index})"
    return text, "positive" if positive else "negative"


LABELS = {}


class Teacher(QuietHandler):
    """The narrow task's teacher: the label of the review, or a tool call when tools are offered."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        text = body["messages"][-1]["content"]
        message = {"role": "assistant", "content": LABELS.get(text, "negative")}
        finish = "stop"
        if body.get("tools"):
            message = {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function",
                       "function": {"name": body["tools"][0]["function"]["name"], "arguments": "{}"}}]}
            finish = "tool_calls"
        send_completion(self, body["model"], message, finish_reason=finish, prompt_tokens=30)


def post(base, path, body):
    request = urllib.request.Request(base + path, method="POST", headers={"Content-Type": "application/json"},
                                     data=json.dumps(body).encode())
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


def ask(base, index, user, tools=False):
    text, label = review(index)
    LABELS[text] = label
    body = {"model": "default", "user": user, "max_tokens": 4, "temperature": 0,
            "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}]}
    if tools:
        body["tools"] = [{"type": "function", "function": {"name": "lookup_order", "parameters": {"type": "object"}}}]
    started = time.time()
    answer = post(base, "/v1/chat/completions", body)
    content = answer["choices"][0]["message"].get("content") or ""
    return answer["id"], content.strip().lower() == label, time.time() - started


def mode(base):
    with urllib.request.urlopen(base + "/admin/serving") as response:
        serving = json.load(response)
    return next(r for r in serving["data"] if r["route"] == "default")["mode"]


def wait_for_mode(base, wanted, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if mode(base) == wanted:
            return True
        time.sleep(0.5)
    return False


def served(db, since_rowid):
    rows = sqlite3.connect(db).execute("SELECT served_by, served_reason FROM exchanges WHERE seq > ? ORDER BY seq", (since_rowid,)).fetchall()
    return rows


def last_seq(db):
    return sqlite3.connect(db).execute("SELECT coalesce(max(seq), 0) FROM exchanges").fetchone()[0]


def write_config(work, teacher_port, port, model):
    config = {"host": "127.0.0.1", "port": port, "database": work + "/retort.sqlite",
              "teacher": {"url": f"http://127.0.0.1:{teacher_port}/v1"},
              "routes": [{"name": "default", "teacher_model": "mock-teacher"}],
              "student": {"model": model, "threads": 2, "max_queue": 16, "default_max_tokens": 16},
              "serving": {"poll_interval_ms": 500, "auto_promote": True, "shadow_sample_rate": 1, "shadow_queue_limit": 8,
                          "minimum_confidence": 0.05,
                          "gate": {"minimum_samples": 20, "minimum_exact_match": 0.95, "minimum_token_f1": None},
                          "rollout": {"canary_percent": 50, "minimum_shadow_seconds": 0, "minimum_shadow_judged": 20,
                                      "minimum_canary_seconds": 0, "minimum_canary_ratings": 5}}}
    path = work + "/retort.json"
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--retort", default=".build/release/retort")
    parser.add_argument("--model", default="models/SmolLM2-135M-Instruct.Q4_1.gguf")
    parser.add_argument("--traffic", type=int, default=400)
    parser.add_argument("--train-steps", type=int, default=30)
    parser.add_argument("--work", help="reuse this work directory: keep its traffic and trained student, start again from the gate")
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="retort-serving-demo-")
    teacher = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Teacher)
    threading.Thread(target=teacher.serve_forever, daemon=True).start()
    port = free_port()
    config = write_config(work, teacher.server_address[1], port, os.path.abspath(args.model))
    env = dict(os.environ)
    base = f"http://127.0.0.1:{port}"
    log = open(work + "/gateway.log", "w")
    gateway = subprocess.Popen([args.retort, "serve", "--config", config], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work)
    try:
        run(args, base, config, work, env)
    finally:
        gateway.terminate()
        gateway.wait(timeout=30)
        print("work directory:", work)


def run(args, base, config, work, env):
    db = work + "/retort.sqlite"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz")
            break
        except Exception:
            time.sleep(0.2)
    retort = lambda *a: subprocess.run([args.retort, *a, "--config", config], env=env, cwd=work, capture_output=True, text=True)
    for i in range(args.traffic):  # the labels the mock teacher knows
        LABELS.setdefault(*review(i))
    if not json.loads(retort("students", "--json").stdout or "[]"):
        started = time.time()
        for i in range(args.traffic):
            ask(base, i, f"user-{i % 50}")
        print(f"1. teacher mode: {args.traffic} requests logged in {time.time() - started:.1f} s")
        split = post(base, "/admin/heldout?test_percent=10", {})  # frozen before training, so no held-out row is trained on
        print(f"   held-out split v{split['version']}: {split['rows']} rows")
        started = time.time()
        trained = retort("train", "sft", "--max-steps", str(args.train_steps))
        print(f"2. train sft: exit {trained.returncode} in {time.time() - started:.0f} s\n" + trained.stdout[-1500:] + trained.stderr[-1500:])
    else:
        print("1-2. reusing the logged traffic and the trained student of", work)
        print("   ", retort("serving", "set", "default", "teacher", "--note", "demo starts again").stdout.strip())
    version = json.loads(retort("students", "--json").stdout or "[]")[0]["version"]
    started = time.time()
    gate = retort("eval", version, "--route", "default")
    print(f"3. gate for {version}: exit {gate.returncode} in {time.time() - started:.0f} s\n" + gate.stdout)
    print("   -> shadow:", wait_for_mode(base, "shadow", 10))
    # Shadow until the policy has enough judged answers: one request every 0.3 s, so the
    # student (one generation at a time) keeps up and little shadow work is shed.
    before, sent, started = last_seq(db), 0, time.time()
    while mode(base) == "shadow" and sent < 200:
        ask(base, 10000 + sent, f"shadow-user-{sent}")
        sent += 1
        time.sleep(0.3)
    judged = sqlite3.connect(db).execute("SELECT judgment, count(*) FROM student_answers WHERE kind = 'shadow' GROUP BY 1").fetchall()
    print(f"4a. shadow: {sent} requests in {time.time() - started:.0f} s, all served by the teacher "
          f"({len(served(db, before))} logged); shadow judgments {dict(judged)}; mode now {mode(base)}")
    ids = stage(base, db, "4b. canary", range(20000, 20060), "canary")
    ratings = {"student": 0, "teacher": 0}
    for exchange_id, _ in ids:
        server = "teacher" if exchange_id.startswith("chatcmpl-teacher") else "student"
        if ratings[server] < 10:
            post(base, "/v1/feedback", {"completion_id": exchange_id, "rating": "up"})
            ratings[server] += 1
    print(f"   rated up: {ratings}; -> student:", wait_for_mode(base, "student"))
    stage(base, db, "5. student", range(30000, 30100), "student")
    before = last_seq(db)
    ask(base, 40000, "tools-user", tools=True)
    print("   a request with tools:", served(db, before))
    with urllib.request.urlopen(base + "/metrics") as response:
        text = response.read().decode().splitlines()
    metrics = [line for line in text
               if line.startswith(("retort_fallbacks_total", "retort_student_share", "retort_teacher_calls_saved", "retort_shadow_total"))]
    print("   metrics:\n   " + "\n   ".join(metrics))
    for name in ["retort_gateway_overhead_seconds", "retort_time_to_first_token_seconds"]:
        sums = {line.split(" ")[0][len(name) + 4:]: float(line.split(" ")[1]) for line in text if line.startswith(name + "_sum")}
        counts = {line.split(" ")[0][len(name) + 6:]: float(line.split(" ")[1]) for line in text if line.startswith(name + "_count")}
        for labels, total in sums.items():
            print(f"   {name}{labels}: mean {total / max(counts.get(labels, 1), 1) * 1000:.2f} ms over {counts.get(labels, 0):.0f}")


def stage(base, db, name, indices, expected_mode):
    before = last_seq(db)
    started = time.time()
    results = [ask(base, i, f"{expected_mode}-user-{i}") for i in indices]
    time.sleep(0.5)
    rows = served(db, before)
    student = sum(1 for r in rows if r[0] == "student")
    accuracy = sum(1 for r in results if r[1]) / len(results)
    latencies = sorted(r[2] for r in results)
    reasons = {}
    for _, reason in rows:
        reasons[reason] = reasons.get(reason, 0) + 1
    print(f"{name}: {len(results)} requests in {time.time() - started:.1f} s, served by student {student}/{len(rows)}, "
          f"answers correct {accuracy:.1%}, latency p50 {latencies[len(latencies) // 2] * 1000:.0f} ms; reasons {reasons}")
    return [(r[0], r[1]) for r in results]


if __name__ == "__main__":
    sys.exit(main())
