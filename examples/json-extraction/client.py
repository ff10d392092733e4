"""Talks to the gateway: `log N` sends N extraction requests to the teacher route;
`eval N` asks the student route (temperature 0) about N held-out texts and prints the
exact-match accuracy of the JSON fields; `structured N` does the same with
`response_format` set to the task's JSON schema and also prints how many answers the
gateway's answer check would send back to the teacher; `pairs N` asks both routes about
N training texts and, where the student's answer is wrong, records the preference
"teacher over student" through POST /v1/feedback (DPO pairs)."""
import json
import sys
import urllib.request

import dataset

BASE = "http://127.0.0.1:%s/v1/chat/completions"


# The task's answer as a JSON schema (strict: every field, nothing else).
SCHEMA = {"type": "object", "additionalProperties": False, "required": ["name", "age", "city"],
          "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "city": {"type": "string"}}}


def ask(port, model, prompt, max_tokens=None, with_id=False, schema=None, full=False):
    body = {"model": model, "messages": [{"role": "user", "content": prompt}], "temperature": 0}
    if max_tokens:
        body["max_tokens"] = max_tokens
    if schema:
        body["response_format"] = {"type": "json_schema", "json_schema": {"name": "person", "strict": True, "schema": schema}}
    request = urllib.request.Request(BASE % port, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as response:
        choice = json.loads(response.read())["choices"][0]
        text = choice["message"]["content"]
        if full:
            return text, choice["finish_reason"]
        return (text, response.headers.get("x-retort-exchange-id")) if with_id else text


def matches_schema(text):
    """Whether the text is a JSON object with exactly name (string), age (integer), city (string)."""
    try:
        got = json.loads(text.strip())
    except (ValueError, AttributeError):
        return False
    return (isinstance(got, dict) and set(got) == {"name", "age", "city"} and isinstance(got["name"], str)
            and isinstance(got["age"], int) and not isinstance(got["age"], bool) and isinstance(got["city"], str))


def structured(port, count):
    """Held-out texts with response_format: exact match, schema validity, and the share of
    answers the answer check would refuse (finish_reason length, empty, or invalid JSON),
    which progressive serving sends to the teacher."""
    correct = valid = fallback = 0
    for index, (prompt, answer) in enumerate(dataset.records(count, seed=2)):
        text, finish = ask(port, "student", prompt, max_tokens=64, schema=SCHEMA, full=True)
        match, parsed = fields_match(text, answer)
        correct += match
        valid += matches_schema(text)
        fallback += finish == "length" or not text.strip() or not parsed
        if index < 3:
            print(f"  sample {index}: {text!r} ({finish})")
    print(json.dumps({"held_out": count, "exact_field_match": correct / count, "schema_valid": valid / count,
                      "answer_check_fallback": fallback / count}))


def prefer(port, chosen, rejected):
    body = json.dumps({"chosen": chosen, "rejected": rejected}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/feedback", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def pairs(port, count):
    made = 0
    for prompt, answer in dataset.records(count, seed=1):
        teacher, teacher_id = ask(port, "default", prompt, with_id=True)
        student, student_id = ask(port, "student", prompt, max_tokens=64, with_id=True)
        if not fields_match(student, answer)[0] or student.strip() != teacher:
            prefer(port, teacher_id, student_id)
            made += 1
    print(f"recorded {made} preference pairs from {count} texts")


def fields_match(text, answer):
    """1 if the text is JSON with exactly the expected name, age and city, else 0."""
    try:
        got = json.loads(text.strip())
    except (ValueError, AttributeError):
        return 0, False
    if not isinstance(got, dict):
        return 0, True
    return int(all(got.get(k) == v for k, v in answer.items())), True


def main():
    command, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if command == "pairs":
        return pairs(port, count)
    if command == "structured":
        return structured(port, count)
    if command == "log":
        for prompt, _ in dataset.records(count, seed=1):
            ask(port, "default", prompt)
        print(f"logged {count} exchanges")
        return
    held_out = dataset.records(count, seed=2)
    correct = valid = 0
    for index, (prompt, answer) in enumerate(held_out):
        text = ask(port, "student", prompt, max_tokens=64)
        match, parsed = fields_match(text, answer)
        correct += match
        valid += parsed
        if index < 3:
            print(f"  sample {index}: {text!r}")
    print(json.dumps({"held_out": count, "exact_field_match": correct / count, "valid_json": valid / count}))


if __name__ == "__main__":
    main()
