#!/usr/bin/env bash
# Teacher feedback (routes[].ai_feedback) end to end: SFT on a few logged exchanges, then the
# route in shadow mode with that student; the teacher judges each shadow answer that differs
# from its own (mock_teacher.py judges by the task's truth, standing in for an LLM judge), a
# judged loss becomes an `ai_feedback` preference pair, and `retort train dpo --from` the SFT
# version learns from them. Both versions are scored on the same TEST never-logged texts.
# Environment: RETORT (binary), N (SFT exchanges, 20), SHADOW (shadowed requests, 150),
# TEST (50), EPOCHS (SFT, 3), DPO_ARGS (default: --epochs 4 --learning-rate 1e-4 --batch-tokens 1024).
set -euo pipefail
[ -n "${RETORT:-}" ] && RETORT=$(realpath "$RETORT")
cd "$(dirname "$0")"
source ./lib.sh
N=${N:-20}; SHADOW=${SHADOW:-150}; TEST=${TEST:-50}; EPOCHS=${EPOCHS:-3}
DPO_ARGS=${DPO_ARGS:-"--epochs 4 --learning-rate 1e-4 --batch-tokens 1024"}
BASE_MODEL=${BASE_MODEL:-$ROOT/models/SmolLM2-135M-Instruct.Q4_1.gguf}
start_mock_teacher ai-feedback 18441 18442
score() { start_gateway "$1"; python3 client.py eval "$GATEWAY_PORT" "$TEST" | tail -1; stop_gateway; }

start_gateway "$BASE_MODEL"
python3 client.py log "$GATEWAY_PORT" "$N" >/dev/null
stop_gateway
RETORT_STUDENT_MODEL="$BASE_MODEL" "$RETORT" train sft --epochs "$EPOCHS" >"$WORK/train-sft.log" 2>&1
read -r SFT SFT_GGUF <<<"$(newest_student)"
echo "SFT $SFT on $N exchanges: $(score "$SFT_GGUF")"

python3 - "$ROOT/config/retort.json" "$WORK/shadow.json" "$SFT_GGUF" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["routes"][0]["teacher_model"] = "mock-teacher"
config["routes"][0]["serving"] = {"mode": "shadow", "student": sys.argv[3]}
config["routes"][0]["ai_feedback"] = {"enabled": True, "max_judgments_per_hour": 10000}
config["serving"]["shadow_sample_rate"] = 1
config["serving"]["shadow_queue_limit"] = 10000
config["student"]["max_queue"] = 10000  # every shadow run waits its turn instead of being dropped
json.dump(config, open(sys.argv[2], "w"), indent=2)
PY
start_gateway "$SFT_GGUF" --config "$WORK/shadow.json"
python3 - "$GATEWAY_PORT" "$N" "$SHADOW" <<'PY'
import json, sys, time, urllib.request
sys.path.insert(0, ".")
import dataset
port, start, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for prompt, _ in dataset.records(start + count, seed=1)[start:]:
    body = {"model": "default", "messages": [{"role": "user", "content": prompt}], "temperature": 0}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", json.dumps(body).encode(),
                                     {"content-type": "application/json"})
    urllib.request.urlopen(request).read()
# Shadow runs and judgments finish in the background: wait until every shadow answer is
# stored and the feedback counters stop moving.
import os, sqlite3
db = sqlite3.connect(os.environ["RETORT_DB"])
while db.execute("SELECT count(*) FROM student_answers WHERE kind = 'shadow'").fetchone()[0] < count:
    time.sleep(2)
def metrics():
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
            if line.startswith(("retort_ai_feedback", "retort_shadow_total"))}
last = None
while (now := metrics()) != last:
    last = now
    time.sleep(3)
for key, value in sorted(now.items()):
    print(f"  {key} {value:g}")
PY
stop_gateway
RETORT_STUDENT_MODEL="$BASE_MODEL" "$RETORT" train dpo --from "$SFT" $DPO_ARGS >"$WORK/train-dpo.log" 2>&1
"$RETORT" train status > "$WORK/status.txt"
read -r DPO DPO_GGUF <<<"$(newest_student)"
python3 -c '
import json, sqlite3, sys
row = sqlite3.connect(sys.argv[1]).execute("SELECT data_snapshot FROM training_runs ORDER BY created_at DESC LIMIT 1").fetchone()
print("DPO pairs used by source:", json.loads(row[0])["pair_sources"])' "$RETORT_DB"
echo "DPO $DPO from $SFT: $(score "$DPO_GGUF")"
echo "work directory $WORK"
