"""A deterministic OpenAI-compatible teacher for one narrow task: it answers each
extraction prompt of dataset.py with the right JSON (looked up, so it never errs).
Usage: python3 mock_teacher.py PORT"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dataset

ANSWERS = {prompt: dataset.answer_json(answer)
           for seed in (1, 2) for prompt, answer in dataset.records(2000, seed)}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        prompt = body["messages"][-1]["content"]
        text = ANSWERS.get(prompt, '{"error": "unknown text"}')
        reply = {
            "id": f"chatcmpl-mock-{abs(hash(prompt)) % 10**12}", "object": "chat.completion",
            "created": int(time.time()), "model": body.get("model", "mock-teacher"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": len(text.split()),
                      "total_tokens": len(prompt.split()) + len(text.split())},
        }
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
