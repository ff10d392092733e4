"""A deterministic OpenAI-compatible teacher for one narrow task: it answers each
extraction prompt of dataset.py with the right JSON (looked up, so it never errs).
Asked in JSON mode for new inputs (`retort augment`), it writes them from the task's own
generator (seed 3: never the logged texts of seed 1 nor the held-out ones of seed 2),
standing in for an LLM teacher that writes texts of the same kind.
Asked as the pairwise judge (`routes[].ai_feedback`, `retort eval --judge`), it prefers the
answer whose JSON has the right fields (TIE when both or neither do), standing in for an
LLM judge that knows the task.
Usage: python3 mock_teacher.py PORT"""
import json
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dataset

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from mock_openai import send_completion  # noqa: E402

ANSWERS = {prompt: dataset.answer_json(answer)
           for seed in (1, 2, 3) for prompt, answer in dataset.records(2000, seed)}
NEW_INPUTS = iter([prompt for prompt, _ in dataset.records(2000, 3)])


def judge(message):
    """A, B or TIE for the judge prompt of Sources/Serving/PairwiseJudgePrompt.swift."""
    found = re.search(r"\[Conversation\]\nuser: (.*?)\n\n\[Answer A\]\n(.*?)\n\n\[Answer B\]\n(.*?)\n\nWhich answer", message, re.S)
    if not found or found.group(1) not in ANSWERS:
        return "TIE"
    truth = json.loads(ANSWERS[found.group(1)])

    def right(text):
        try:
            return json.loads(text.strip()) == truth
        except ValueError:
            return False
    a, b = right(found.group(2)), right(found.group(3))
    return "A" if a and not b else "B" if b and not a else "TIE"


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        prompt = body["messages"][-1]["content"]
        if body["messages"][0]["content"].startswith("You are an impartial judge"):
            send_completion(self, body.get("model", "mock-teacher"), {"role": "assistant", "content": judge(prompt)},
                            prompt_tokens=len(prompt.split()))
            return
        if (body.get("response_format") or {}).get("type") == "json_object":
            wanted = re.search(r"Write (\d+) new user messages", prompt)
            inputs = [next(NEW_INPUTS) for _ in range(int(wanted.group(1)) if wanted else 10)]
            send_completion(self, body.get("model", "mock-teacher"),
                            {"role": "assistant", "content": json.dumps({"inputs": inputs})},
                            prompt_tokens=len(prompt.split()))
            return
        text = ANSWERS.get(prompt, '{"error": "unknown text"}')
        send_completion(self, body.get("model", "mock-teacher"), {"role": "assistant", "content": text},
                        prompt_tokens=len(prompt.split()))

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
