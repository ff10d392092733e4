#!/usr/bin/env bash
# The student's decode speed as a client meets it, against the bare engine, in one run:
# `retort serve` (defaults; the `student` route answers from the local model) streamed
# with the official `openai` client at T 0.7, top_p 0.95 and logprobs (sampler, logprobs,
# the confidence statistic, the gateway's SSE and the log all included), alternating with
# `retort-bench engine`'s sampled and bare decode on the same file.
#
# The served rate is (N − 1) tokens over the difference between a whole streamed request
# of N tokens and one of 1 token on the same prompt: the prompt's prefill cancels out.
# Per-chunk timestamps taken in the client would measure the client instead: on 2 cores
# that decode keeps busy, a Python client falls behind the stream and catches up at its
# end (that read 0.80 of the bench where this reads 1.0).
#   bench/served-decode.sh [--rounds N]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
if [ "${1:-}" = "--rounds" ]; then rounds=$2; fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check openai
swift build -c release >/dev/null  # retort and retort-bench
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
RETORT_DB="$work/retort.sqlite" RETORT_PORT=$port .build/release/retort serve >"$work/gateway.log" 2>&1 & gateway=$!
trap 'kill $gateway 2>/dev/null; wait $gateway 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
grep -m1 "student:" "$work/gateway.log" | sed 's/.*student:/gateway student:/'

served() {  # prints tokens/s of streamed answers, (N − 1) tokens over t(N) − t(1): the median of 3
  .venv/bin/python - "$port" <<'PY'
import json, sys, time
from openai import OpenAI
client = OpenAI(base_url=f"http://127.0.0.1:{sys.argv[1]}/v1", api_key="unused")
prompt = "Write a long, detailed story about a lighthouse keeper who finds a map. " * 8

def streamed(max_tokens):
    """Seconds for one whole streamed answer, and its completion tokens (from usage)."""
    start, tokens = time.perf_counter(), 0
    with client.chat.completions.with_streaming_response.create(
            model="student", messages=[{"role": "user", "content": prompt}], stream=True, max_tokens=max_tokens,
            temperature=0.7, top_p=0.95, seed=7, logprobs=True, top_logprobs=1,
            stream_options={"include_usage": True}) as response:
        # The whole stream, parsed once at its end (the client's own per-chunk work would
        # compete with decode for the two cores).
        for line in response.read().decode().splitlines():
            if line.startswith("data: {") and '"usage":{' in line:
                tokens = json.loads(line[6:])["usage"]["completion_tokens"]
    return time.perf_counter() - start, tokens

rates = []
for _ in range(3):  # the median of three pairs, as the bench reports the median of three runs
    one, _ = streamed(1)
    whole, tokens = streamed(129)
    if tokens >= 33: rates.append((tokens - 1) / (whole - one))
print(f"{sorted(rates)[len(rates) // 2]:.1f}" if rates else "nan")
PY
}

results=$(mktemp)
for round in $(seq "$rounds"); do
  s=$(served)
  b=$(.build/release/retort-bench engine --repeats 3 --prefill 16 \
      | awk '/^decode .*ms\/token/ { bare = $3 } /^decode .*sampled/ { sampled = $3 } END { print sampled, bare }')
  echo "round $round: served $s tok/s; bench sampled ${b% *}, bare ${b#* } tok/s" >&2
  echo "$s $b" >> "$results"
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1])]
served = [r[0] / r[1] for r in rows]; bare = [r[0] / r[2] for r in rows]
print(f"served / bench sampled decode: {statistics.median(served):.2f}  ({min(served):.2f}-{max(served):.2f})")
print(f"served / bench bare decode:    {statistics.median(bare):.2f}  ({min(bare):.2f}-{max(bare):.2f})")
PY
rm -f "$results"
