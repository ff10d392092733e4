#!/usr/bin/env bash
# The student's decode speed as a client meets it, against the bare engine, in one run:
# `retort serve` (defaults; the `student` route answers from the local model) streamed
# with the official `openai` client at T 0.7, top_p 0.95 and logprobs (sampler, logprobs,
# the confidence statistic and SSE all included), alternating with `retort-bench engine`'s
# sampled and bare decode on the same file. Tokens/s from the first streamed token to the
# last; the ratios are per round, then the median.
#   bench/served-decode.sh [--rounds N]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
if [ "${1:-}" = "--rounds" ]; then rounds=$2; fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check openai
swift build -c release --product retort --product retort-bench >/dev/null 2>&1 \
  || swift build -c release >/dev/null
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
RETORT_DB="$work/retort.sqlite" RETORT_PORT=$port .build/release/retort serve >"$work/gateway.log" 2>&1 & gateway=$!
trap 'kill $gateway 2>/dev/null; wait $gateway 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
grep -m1 "student:" "$work/gateway.log" | sed 's/.*student:/gateway student:/'

served() {  # prints tokens/s of one streamed answer of 128 tokens
  .venv/bin/python - "$port" <<'PY'
import sys, time
from openai import OpenAI
client = OpenAI(base_url=f"http://127.0.0.1:{sys.argv[1]}/v1", api_key="unused")
prompt = "Write a long, detailed story about a lighthouse keeper who finds a map. " * 8
stamps = []
# The raw stream (the official client's `with_streaming_response`): the timestamps are the
# gateway's, not the client's per-chunk parsing, which on a 2-core machine competes with
# the decode threads for CPU.
with client.chat.completions.with_streaming_response.create(
        model="student", messages=[{"role": "user", "content": prompt}], stream=True, max_tokens=129,
        temperature=0.7, top_p=0.95, seed=7, logprobs=True, top_logprobs=1) as response:
    for line in response.iter_lines():
        if line.startswith("data: {") and '"delta":{"content":"' in line:  # tokens, not the role chunk
            stamps.append(time.perf_counter())
tokens = len(stamps) - 1
print(f"{tokens / (stamps[-1] - stamps[0]):.1f}" if tokens >= 32 else "nan")
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
