#!/usr/bin/env bash
# Logprob distillation against plain SFT at equal data, with a real teacher distribution.
# The teacher is a second `retort serve` answering on its `student` route with TEACHER_MODEL
# (e.g. the SFT student of run.sh or compress.sh), which returns `logprobs` with 20
# `top_logprobs` over the student's own vocabulary. The gateway under test forwards route
# `default` to it with `teacher.capture_logprobs: 20`, so every logged exchange keeps the
# teacher's top-20 distribution at each answer token; the client never asks for logprobs.
# For each N in SIZES (cumulative: the first N texts of the same stream), a LoRA student is
# trained with `--kd-weight 0` (text only) and `--kd-weight 0.5` (CE + sparse KL), same
# epochs and seed, and both are scored on TEST never-logged texts.
# Environment: RETORT (binary), TEACHER_MODEL (required: a GGUF), SIZES ("20 40"), TEST (50),
# EPOCHS (3), BASE_MODEL (the student's base, the Q4_1 file).
set -euo pipefail
[ -n "${RETORT:-}" ] && RETORT=$(realpath "$RETORT")
TEACHER_MODEL=$(realpath "${TEACHER_MODEL:?set TEACHER_MODEL to the teacher GGUF}")
cd "$(dirname "$0")"
source ./lib.sh
SIZES=${SIZES:-"20 40"}; TEST=${TEST:-50}; EPOCHS=${EPOCHS:-3}
BASE_MODEL=${BASE_MODEL:-$ROOT/models/SmolLM2-135M-Instruct.Q4_1.gguf}
WORK=$(mktemp -d /tmp/retort-logprob-kd.XXXXXX)
TEACHER_PORT=${TEACHER_PORT:-18431}; GATEWAY_PORT=${GATEWAY_PORT:-18432}
python3 - "$ROOT/config/retort.json" "$WORK/gateway.json" "$TEACHER_PORT" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["teacher"]["url"] = f"http://127.0.0.1:{sys.argv[3]}/v1"
config["teacher"]["capture_logprobs"] = 20
config["routes"][0]["teacher_model"] = "student"
json.dump(config, open(sys.argv[2], "w"), indent=2)
PY
RETORT_DB="$WORK/teacher.sqlite" RETORT_PORT=$TEACHER_PORT RETORT_STUDENT_MODEL="$TEACHER_MODEL" RETORT_TEACHER_URL= \
  "$RETORT" serve >"$WORK/teacher.log" 2>&1 & TEACHER=$!
cleanup() { kill $TEACHER ${GATEWAY:-} 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$TEACHER_PORT/healthz" >/dev/null && break; sleep 0.2; done
export RETORT_DB="$WORK/data/retort.sqlite" RETORT_PORT=$GATEWAY_PORT
unset RETORT_TEACHER_URL

logged=0
echo "| logged | kd_weight | exact field match | valid JSON | distilled positions | train s |"
echo "|---|---|---|---|---|---|"
for n in $SIZES; do
  start_gateway "$BASE_MODEL" --config "$WORK/gateway.json"
  python3 - "$GATEWAY_PORT" "$logged" "$n" <<'PY'
import json, sys, urllib.request
sys.path.insert(0, ".")
import dataset
port, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for prompt, _ in dataset.records(end, seed=1)[start:]:
    body = {"model": "default", "messages": [{"role": "user", "content": prompt}], "temperature": 0}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", json.dumps(body).encode(),
                                     {"content-type": "application/json"})
    answer = json.load(urllib.request.urlopen(request))
    assert answer["choices"][0].get("logprobs") is None, "the client got logprobs it did not ask for"
PY
  stop_gateway
  logged=$n
  for weight in 0 0.5; do
    t0=$(date +%s)
    RETORT_STUDENT_MODEL="$BASE_MODEL" "$RETORT" train sft --epochs "$EPOCHS" --kd-weight "$weight" >"$WORK/train-$n-$weight.log" 2>&1
    took=$(( $(date +%s) - t0 ))
    POSITIONS=$(python3 -c '
import json, sqlite3, sys
row = sqlite3.connect(sys.argv[1]).execute("SELECT data_snapshot FROM training_runs ORDER BY created_at DESC LIMIT 1").fetchone()
print((json.loads(row[0] or "{}").get("logprob_distillation") or {}).get("positions", 0))' "$RETORT_DB")
    GGUF=$("$RETORT" students --json | python3 -c 'import json,sys; v=json.load(sys.stdin)[0]; print(v["directory"] + "/" + v["files"]["gguf"])')
    start_gateway "$GGUF"
    score=$(python3 client.py eval "$GATEWAY_PORT" "$TEST" | tail -1)
    stop_gateway
    echo "| $n | $weight | $(echo "$score" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["exact_field_match"], "|", s["valid_json"])') | $POSITIONS | $took |"
  done
done
echo "work directory $WORK"
