"""What the examples' mock teachers share: a quiet request handler, a free port, and
writing one OpenAI `chat.completion` response."""
import http.server
import json
import random
import socket
import time


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler that does not print a line per request."""

    def log_message(self, *args):
        pass


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def send_completion(handler, model, message, finish_reason="stop", prompt_tokens=40):
    """Writes a 200 `chat.completion` with `message` (a chat message dict) to `handler`, a
    `BaseHTTPRequestHandler`. Its id starts with `chatcmpl-teacher-`, which tells a
    teacher's answer from the student's (`chatcmpl-<exchange id>`)."""
    completion_tokens = len((message.get("content") or "").split())
    reply = {"id": "chatcmpl-teacher-%d" % random.randrange(10**12), "object": "chat.completion",
             "created": int(time.time()), "model": model,
             "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
             "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                       "total_tokens": prompt_tokens + completion_tokens}}
    data = json.dumps(reply).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
