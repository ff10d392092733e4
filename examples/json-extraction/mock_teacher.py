"""A deterministic OpenAI-compatible teacher for one narrow task: it answers each
extraction prompt of dataset.py with the right JSON (looked up, so it never errs).
Usage: python3 mock_teacher.py PORT"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dataset

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from mock_openai import send_completion  # noqa: E402

ANSWERS = {prompt: dataset.answer_json(answer)
           for seed in (1, 2) for prompt, answer in dataset.records(2000, seed)}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        prompt = body["messages"][-1]["content"]
        text = ANSWERS.get(prompt, '{"error": "unknown text"}')
        send_completion(self, body.get("model", "mock-teacher"), {"role": "assistant", "content": text},
                        prompt_tokens=len(prompt.split()))

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
