#!/usr/bin/env python3
"""Mixed traffic on one route, from the first logged exchange to the student serving on
its own, with no command typed in between.

The route `default` carries two kinds of request, as real routes do:
  * learnable (60%): extract a person's name, age and city from a sentence, as JSON;
  * unlearnable (40%): a freight company's customers ask about their orders; the teacher's
    answers carry facts (tracking codes, warehouses, dates, account managers) that exist
    nowhere in the prompt, so no student can know them for a prompt it never saw.

A stdlib mock teacher (a thread of this script) answers both. The script starts `retort
serve` with `training.auto` and `serving.auto_promote` on, then only sends traffic with the
official `openai` client:
  1. 300 requests, all served by the teacher and logged;
  2. the gateway trains a student by itself (SFT, LoRA, epochs chosen by validation loss),
     evaluates it on the frozen held-out split, learns the route's router and, when the
     selective gate passes, moves the route through shadow and canary to student; the
     script sends live traffic of the same mix whenever the route is in shadow or canary
     (the stages need judged answers) and waits otherwise;
  3. once the route is on `student`, --test never-logged prompts of the same mix; each
     delivered answer is scored against the teacher's answer to the same prompt;
  4. the trained version alone (a second gateway whose `student` route is that file) on
     the learnable test prompts.

Usage:  .venv/bin/python examples/mixed-routing/mixed_routing.py [--retort .build/release/retort]
        [--model models/SmolLM2-135M-Instruct.Q4_1.gguf] [--logged 300] [--test 200] [--timeout-minutes 120]
Prints the figures reported in examples/mixed-routing/README.md and writes them to
<work>/figures.json.
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

from openai import OpenAI

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path[:0] = [os.path.join(EXAMPLES, "json-extraction"), os.path.join(EXAMPLES, "common")]
from mock_openai import QuietHandler, free_port, send_completion  # noqa: E402
from dataset import CITIES, FIRST, INSTRUCTION as EXTRACT, LAST, TEMPLATES as SENTENCES  # the learnable task's vocabulary

SUPPORT = "You are the support desk of Northwind Freight. Answer the customer's question in one sentence."
WAREHOUSES = ["Rotterdam", "Leipzig", "Gdansk", "Valencia", "Antwerp", "Lyon", "Brno", "Porto"]
MONTHS = ["March", "April", "May", "June", "July", "August", "September", "October"]
QUESTIONS = [
    ("What is the tracking code of order {order}?", "The tracking code of order {order} is NW-{code}."),
    ("Which warehouse shipped order {order}?", "Order {order} was shipped from our {warehouse} warehouse."),
    ("When will order {order} arrive?", "Order {order} is due to arrive on {month} {day}."),
    ("Who manages the account of customer {customer}?", "{manager} manages the account of customer {customer}."),
]
LEARNABLE_SHARE = 0.6
ANSWERS = {}  # what the mock teacher knows: the prompt's JSON -> its answer


def request(rng):
    """One request of the mix: (kind, messages, the teacher's answer)."""
    if rng.random() < LEARNABLE_SHARE:
        name, age, city = f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.randint(18, 90), rng.choice(CITIES)
        text = rng.choice(SENTENCES).format(name=name, age=age, city=city, pronoun=rng.choice(["she", "he"]))
        answer = json.dumps({"name": name, "age": age, "city": city}, separators=(", ", ": "))
        return "learnable", [{"role": "system", "content": EXTRACT}, {"role": "user", "content": "Text: " + text}], answer
    question, reply = rng.choice(QUESTIONS)
    facts = {"order": rng.randint(10000, 99999), "customer": f"C-{rng.randint(1000, 9999)}",
             "code": "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6)),
             "warehouse": rng.choice(WAREHOUSES), "month": rng.choice(MONTHS), "day": rng.randint(1, 28),
             "manager": f"{rng.choice(FIRST)} {rng.choice(LAST)}"}
    return "unlearnable", [{"role": "system", "content": SUPPORT},
                           {"role": "user", "content": question.format(**facts)}], reply.format(**facts)


def traffic(count, seed):
    """`count` requests of the mix, the same for the same seed; the teacher learns their answers."""
    rng = random.Random(seed)
    out = [request(rng) for _ in range(count)]
    for _, messages, answer in out:
        ANSWERS[json.dumps(messages, sort_keys=True)] = answer
    return out


def correct(kind, delivered, teacher):
    """Whether the delivered answer is as good as the teacher's: the same JSON fields for
    the extraction, the same sentence for the support questions."""
    if kind == "unlearnable":
        return delivered.strip() == teacher
    try:
        return json.loads(delivered.strip()) == json.loads(teacher)
    except ValueError:
        return False


class Teacher(QuietHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        text = ANSWERS.get(json.dumps(body["messages"], sort_keys=True), "I cannot help with that.")
        send_completion(self, body["model"], {"role": "assistant", "content": text})


def write_config(path, database, teacher_port, port, model, extra):
    config = {"host": "127.0.0.1", "port": port, "database": database,
              "teacher": {"url": f"http://127.0.0.1:{teacher_port}/v1"},
              "student": {"model": model, "threads": 2, "max_queue": 16, "default_max_tokens": 64}}
    config.update(extra)
    with open(path, "w") as f:
        json.dump(config, f, indent=2)


# The deployment's configuration, written before the first request and never touched again.
# Besides the route's answer match, only the schedule and the rollout's stage sizes differ
# from the defaults: a first run after
# 250 curated exchanges, checked every 10 s, and shadow and canary stages that need one minute
# and 20 judged answers each (the defaults, an hour and 50, suit a route with days of traffic).
GATEWAY = {
    # `exact`: a support answer with one wrong fact (a warehouse, a code) is wrong, however
    # many of its words match; the default (`auto`) would accept it by token F1.
    "routes": [{"name": "default", "teacher_model": "mock-teacher", "answer_match": "exact"}],
    "serving": {"poll_interval_ms": 1000, "auto_promote": True, "shadow_sample_rate": 1, "shadow_queue_limit": 4,
                "rollout": {"canary_percent": 50, "minimum_shadow_seconds": 60, "minimum_shadow_judged": 20,
                            "minimum_canary_seconds": 60, "minimum_canary_judged": 20, "minimum_canary_ratings": 0}},
    "training": {"auto": True, "min_new_exchanges": 250, "check_seconds": 10},
}


class Gateway:
    """A `retort serve` process on `config`."""

    def __init__(self, retort, config, work, name):
        self.log = open(f"{work}/{name}.log", "w")
        self.process = subprocess.Popen([retort, "serve", "--config", config], stdout=self.log,
                                        stderr=subprocess.STDOUT, cwd=work)
        self.port = json.load(open(config))["port"]
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        self.client = OpenAI(base_url=self.base + "/v1", api_key="unused", max_retries=0, timeout=300)

    def ask(self, model, messages, max_tokens=64):
        """(answer text, exchange id, seconds) through the official client."""
        started = time.perf_counter()
        raw = self.client.chat.completions.with_raw_response.create(
            model=model, messages=messages, temperature=0, max_tokens=max_tokens)
        elapsed = time.perf_counter() - started
        completion = raw.parse()
        return completion.choices[0].message.content or "", raw.headers.get("x-retort-exchange-id"), elapsed

    def serving(self):
        with urllib.request.urlopen(self.base + "/admin/serving", timeout=10) as response:
            return next(r for r in json.load(response)["data"] if r["route"] == "default")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--retort", default=".build/release/retort")
    parser.add_argument("--model", default="models/SmolLM2-135M-Instruct.Q4_1.gguf")
    parser.add_argument("--logged", type=int, default=300)
    parser.add_argument("--test", type=int, default=200)
    parser.add_argument("--timeout-minutes", type=float, default=120)
    args = parser.parse_args()
    retort, model = os.path.abspath(args.retort), os.path.abspath(args.model)
    work = tempfile.mkdtemp(prefix="retort-mixed-")
    teacher = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Teacher)
    threading.Thread(target=teacher.serve_forever, daemon=True).start()
    database = work + "/retort.sqlite"
    write_config(work + "/retort.json", database, teacher.server_address[1], free_port(), model, GATEWAY)
    figures = {"work": work}
    gateway = Gateway(retort, work + "/retort.json", work, "gateway")
    try:
        run(args, gateway, database, figures, retort, work, teacher.server_address[1])
    finally:
        gateway.stop()
        with open(work + "/figures.json", "w") as f:
            json.dump(figures, f, indent=2)
        print("work directory:", work)


def run(args, gateway, database, figures, retort, work, teacher_port):
    db = sqlite3.connect(database, timeout=30)
    # 1. The first exchanges: all teacher.
    started = time.time()
    teacher_latency = {"learnable": [], "unlearnable": []}
    for kind, messages, _ in traffic(args.logged, seed=1):
        teacher_latency[kind].append(gateway.ask("default", messages)[2])
    print(f"1. {args.logged} requests served by the teacher and logged in {time.time() - started:.1f} s "
          f"(gateway latency p50 {percentile(sum(teacher_latency.values(), []), 0.5) * 1000:.1f} ms)")

    # 2. The gateway trains, evaluates and promotes by itself; live traffic while it watches.
    live, sent, seen, deadline = traffic(5000, seed=3), 0, {}, started + args.timeout_minutes * 60
    while True:
        state = gateway.serving()
        mode = state["mode"]
        if mode not in seen:
            seen[mode] = time.time() - started
            print(f"   {seen[mode]:7.0f} s  route on {mode}" + (f" ({state.get('student')})" if state.get("student") else ""))
        run_row = db.execute("SELECT status, started_at, finished_at, metrics FROM training_runs ORDER BY created_at LIMIT 1").fetchone()
        if run_row and "training" not in figures:
            figures["training"] = {"status": run_row[0]}
            print(f"   {time.time() - started:7.0f} s  training run {run_row[0]}")
        if run_row and run_row[0] in ("succeeded", "failed") and "finished" not in figures["training"]:
            metrics = json.loads(run_row[3] or "{}")
            figures["training"].update(status=run_row[0], seconds=run_row[2] - run_row[1], finished=run_row[2] - started,
                                       **{k: metrics.get(k) for k in ("chosen_epoch", "epochs_trained", "validation_losses",
                                                                      "steps", "examples", "final_loss", "tokens_per_second")})
            print(f"   {time.time() - started:7.0f} s  training {run_row[0]}: {json.dumps(figures['training'])}")
            if run_row[0] == "failed":
                raise SystemExit("the training run failed; see " + work)
        if mode == "student":
            break
        if time.time() > deadline:
            raise SystemExit(f"the route did not reach student in {args.timeout_minutes} minutes; see {work}")
        if mode in ("shadow", "canary"):
            kind, messages, _ = live[sent]
            gateway.ask("default", messages)
            sent += 1
            time.sleep(0.5)
        else:
            time.sleep(2)
    figures["timeline_seconds"] = seen
    figures["live_requests"] = sent
    evals = db.execute("SELECT version, route, passed, metrics FROM eval_results ORDER BY id").fetchall()
    for version, route, passed, metrics in evals:
        router = json.loads(metrics).get("router") or {}
        figures.setdefault("gate", []).append({"version": version, "route": route, "passed": bool(passed),
                                               **{k: router.get(k) for k in ("samples", "coverage", "quality", "quality_loss",
                                                                             "prompt_auc", "answer_auc")}})
    print(f"2. student serving {seen['student']:.0f} s after the first logged exchange; {sent} live requests during "
          f"shadow and canary; gate: {json.dumps(figures.get('gate'))}")

    # 3. Never-logged prompts of the same mix through the route now on student.
    test = traffic(args.test, seed=2)
    results = []
    for kind, messages, teacher_answer in test:
        text, exchange_id, elapsed = gateway.ask("default", messages)
        results.append((kind, correct(kind, text, teacher_answer), exchange_id, elapsed))
    time.sleep(2)  # the log is written in batches
    served = {}
    for kind, good, exchange_id, elapsed in results:
        row = db.execute("SELECT served_by, served_reason FROM exchanges WHERE id = ?", (exchange_id,)).fetchone()
        served[exchange_id] = row or ("?", "?")
    report(args, results, served, teacher_latency, figures)

    # 4. The trained version alone on the learnable test prompts.
    version = gateway.serving()["student"]
    path = json.loads(subprocess.run([retort, "students", "--json", "--config", work + "/retort.json"], cwd=work,
                                     capture_output=True, text=True).stdout)
    gguf = next(v["directory"] + "/" + v["files"]["gguf"] for v in path if v["version"] == version)
    write_config(work + "/alone.json", work + "/alone.sqlite", teacher_port, free_port(), gguf,
                 {"routes": [{"name": "student", "backend": "student"}]})
    alone = Gateway(retort, work + "/alone.json", work, "alone")
    try:
        learnable = [(messages, answer) for kind, messages, answer in test if kind == "learnable"]
        right = sum(correct("learnable", alone.ask("student", messages)[0], answer) for messages, answer in learnable)
    finally:
        alone.stop()
    figures["learnable_alone_exact"] = right / len(learnable)
    print(f"4. {version} alone on the {len(learnable)} learnable test prompts: {right} exact "
          f"({right / len(learnable):.1%}; target at least 95%)")


def report(args, results, served, teacher_latency, figures):
    by_kind = {"learnable": [r for r in results if r[0] == "learnable"], "unlearnable": [r for r in results if r[0] == "unlearnable"]}
    student = {k: [r for r in rs if served[r[2]][0] == "student"] for k, rs in by_kind.items()}
    reasons = {}
    for kind, _, exchange_id, _ in results:
        key = f"{kind}/{served[exchange_id][0]}/{served[exchange_id][1]}"
        reasons[key] = reasons.get(key, 0) + 1
    quality = sum(r[1] for r in results) / len(results)
    learnable_share = len(student["learnable"]) / max(1, len(by_kind["learnable"]))
    to_teacher = 1 - len(student["unlearnable"]) / max(1, len(by_kind["unlearnable"]))
    routed_latency = [r[3] for r in by_kind["unlearnable"] if served[r[2]] == ("teacher", "student:router_prompt")]
    figures.update({
        "test_prompts": len(results), "delivered_quality": quality, "teacher_quality": 1.0,
        "student_share": sum(len(v) for v in student.values()) / len(results),
        "learnable_served_by_student": learnable_share, "unlearnable_to_teacher": to_teacher,
        "student_answers_correct": sum(r[1] for v in student.values() for r in v) / max(1, sum(len(v) for v in student.values())),
        "served": reasons,
        "latency_ms": {"teacher_mode_unlearnable_p50": percentile(teacher_latency["unlearnable"], 0.5) * 1000,
                       "teacher_mode_unlearnable_p99": percentile(teacher_latency["unlearnable"], 0.99) * 1000,
                       "router_declined_p50": percentile(routed_latency, 0.5) * 1000,
                       "router_declined_p99": percentile(routed_latency, 0.99) * 1000,
                       "student_served_p50": percentile([r[3] for v in student.values() for r in v], 0.5) * 1000}})
    latency = figures["latency_ms"]
    print(f"3. {len(results)} never-logged prompts ({len(by_kind['learnable'])} learnable, {len(by_kind['unlearnable'])} unlearnable):\n"
          f"   delivered quality {quality:.1%} (the teacher: 100%; target within 1 point)\n"
          f"   learnable served by the student {learnable_share:.1%} (target at least 90%)\n"
          f"   unlearnable sent to the teacher {to_teacher:.1%} (target at least 98%)\n"
          f"   student answers correct {figures['student_answers_correct']:.1%}; served: {json.dumps(reasons)}\n"
          f"   latency of a prompt the router sends to the teacher: p50 {latency['router_declined_p50']:.1f} ms, "
          f"p99 {latency['router_declined_p99']:.1f} ms (the same kind in teacher mode: p50 "
          f"{latency['teacher_mode_unlearnable_p50']:.1f} ms, p99 {latency['teacher_mode_unlearnable_p99']:.1f} ms)")


if __name__ == "__main__":
    sys.exit(main())
