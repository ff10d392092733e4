"""Drives /v1/responses with the official `openai` package and /v1/messages with the
official `anthropic` package; prints one JSON line of results.

Run by Tests/GatewayTests/SurfacesPythonClientTests.swift with RETORT_BASE_URL set
(the gateway's /v1 URL). Each call is made plain and streamed.
"""
import json
import os
import sys

import anthropic
import openai

base = os.environ["RETORT_BASE_URL"]
result = {}

client = openai.OpenAI(base_url=base, api_key="test-key", max_retries=0)
response = client.responses.create(model="default", instructions="Echo.", input="responses via python")
result["responses"] = {"text": response.output_text, "id": response.id, "status": response.status,
                       "input_tokens": response.usage.input_tokens if response.usage else None}

deltas, completed = [], None
for event in client.responses.create(model="default", input="streamed responses via python", stream=True):
    if event.type == "response.output_text.delta":
        deltas.append(event.delta)
    elif event.type == "response.completed":
        completed = event.response
result["responses_stream"] = {"text": "".join(deltas), "completed_text": completed.output_text if completed else None,
                              "output_tokens": completed.usage.output_tokens if completed and completed.usage else None}

follow = client.responses.create(model="default", input="and again", previous_response_id=response.id)
result["responses_follow_up"] = {"text": follow.output_text}

claude = anthropic.Anthropic(base_url=base.removesuffix("/v1"), api_key="test-key", max_retries=0)
message = claude.messages.create(model="default", max_tokens=50, system="Echo.",
                                 messages=[{"role": "user", "content": "messages via python"}])
result["messages"] = {"text": message.content[0].text, "id": message.id, "stop_reason": message.stop_reason,
                      "output_tokens": message.usage.output_tokens}

with claude.messages.stream(model="default", max_tokens=50,
                            messages=[{"role": "user", "content": "streamed messages via python"}]) as stream:
    text = "".join(stream.text_stream)
    final = stream.get_final_message()
result["messages_stream"] = {"text": text, "final_text": final.content[0].text, "stop_reason": final.stop_reason,
                             "output_tokens": final.usage.output_tokens}

try:
    claude.messages.create(model="no-such-route", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    result["messages_error"] = None
except anthropic.NotFoundError as error:
    result["messages_error"] = {"status": error.status_code, "type": error.body["error"]["type"] if isinstance(error.body, dict) else None}

embedding = client.embeddings.create(model="embedder", input="four words of text")
result["embeddings"] = {"dimensions": len(embedding.data[0].embedding), "prompt_tokens": embedding.usage.prompt_tokens}

print(json.dumps(result))
sys.stdout.flush()
