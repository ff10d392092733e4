"""A deterministic OpenAI-compatible teacher for one narrow task: it answers each
extraction prompt of dataset.py with the right JSON (looked up, so it never errs).
Asked in JSON mode for new inputs (`retort augment`), it writes them from the task's own
generator (seed 3: never the logged texts of seed 1 nor the held-out ones of seed 2),
standing in for an LLM teacher that writes texts of the same kind.
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


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        prompt = body["messages"][-1]["content"]
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
