"""Drives the gateway with the official `openai` package; prints one JSON line of results.

Run by Tests/GatewayTests/OpenAIPythonClientTests.swift with RETORT_BASE_URL set.
"""
import json
import os
import sys

import openai
from openai import OpenAI

client = OpenAI(base_url=os.environ["RETORT_BASE_URL"], api_key="test-key", max_retries=0)
result = {}

raw = client.chat.completions.with_raw_response.create(
    model="default", messages=[{"role": "user", "content": "python says hi"}], user="py-user")
completion = raw.parse()
result["plain"] = {
    "content": completion.choices[0].message.content,
    "id": completion.id,
    "exchange_id": raw.headers.get("x-retort-exchange-id"),
    "finish_reason": completion.choices[0].finish_reason,
}

pieces = []
stream_id = None
for chunk in client.chat.completions.create(
        model="default", stream=True, messages=[{"role": "user", "content": "python streams this"}]):
    stream_id = chunk.id
    if chunk.choices and chunk.choices[0].delta.content:
        pieces.append(chunk.choices[0].delta.content)
result["stream"] = {"content": "".join(pieces), "id": stream_id}

try:
    client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])
    result["error"] = None
except openai.NotFoundError as error:
    result["error"] = {"status": error.status_code, "code": error.code, "message": error.message}

print(json.dumps(result))
sys.stdout.flush()
