#!/usr/bin/env bash
# The JSON-extraction example, end to end and reproducible:
#   1. a deterministic mock teacher (mock_teacher.py) answers a narrow task;
#   2. N extraction requests go through `retort serve` and are logged;
#   3. the base student's held-out accuracy (exact match of the JSON fields, temperature 0);
#   4. `retort train sft` (LoRA) on the logged exchanges;
#   5. the new student version's held-out accuracy.
#   6. with DPO=1: the base student answers PAIRS training texts, each wrong or wordy answer
#      becomes a preference "teacher over student" (POST /v1/feedback), `retort train dpo`
#      trains the base model on them, and the DPO student is evaluated too.
# Environment: RETORT (the binary; default: build release), N (exchanges, 300), TEST (held-out
# texts, 50), EPOCHS (2), TRAIN_ARGS (extra `retort train sft` options), DPO (0), PAIRS (100).
set -euo pipefail
[ -n "${RETORT:-}" ] && RETORT=$(realpath "$RETORT")
cd "$(dirname "$0")"
source ./lib.sh
N=${N:-300}; TEST=${TEST:-50}; EPOCHS=${EPOCHS:-2}
BASE_MODEL=${BASE_MODEL:-$ROOT/models/SmolLM2-135M-Instruct.Q4_1.gguf}
start_mock_teacher example 18411 18412
started=$(date +%s)

start_gateway "$BASE_MODEL"
python3 client.py log "$GATEWAY_PORT" "$N"
echo "== base student ($(basename "$BASE_MODEL"))"
t0=$(date +%s); python3 client.py eval "$GATEWAY_PORT" "$TEST" | tee "$WORK/before.json"; t1=$(date +%s)
echo "   eval took $((t1 - t0)) s"
stop_gateway

echo "== retort train sft --lora --epochs $EPOCHS ${TRAIN_ARGS:-}"
t0=$(date +%s)
RETORT_STUDENT_MODEL="$BASE_MODEL" "$RETORT" train sft --epochs "$EPOCHS" ${TRAIN_ARGS:-} 2>&1 | tee "$WORK/train.log"
t1=$(date +%s); echo "   training took $((t1 - t0)) s"
"$RETORT" students
STUDENT=$("$RETORT" students --json | python3 -c 'import json,sys; v=json.load(sys.stdin)[0]; print(v["directory"] + "/" + v["files"]["gguf"])')

start_gateway "$STUDENT"
echo "== trained student ($STUDENT)"
python3 client.py eval "$GATEWAY_PORT" "$TEST" | tee "$WORK/after.json"
stop_gateway
if [ "${DPO:-0}" = 1 ]; then
  start_gateway "$BASE_MODEL"
  python3 client.py pairs "$GATEWAY_PORT" "${PAIRS:-100}"
  stop_gateway
  echo "== retort train dpo --epochs 4 --learning-rate 1e-4 --batch-tokens 1024 (LoRA, from the base model)"
  t0=$(date +%s)
  RETORT_STUDENT_MODEL="$BASE_MODEL" "$RETORT" train dpo --epochs 4 --learning-rate 1e-4 --batch-tokens 1024 2>&1 | tee "$WORK/train-dpo.log"
  echo "   training took $(( $(date +%s) - t0 )) s"
  DPO_STUDENT=$("$RETORT" students --json | python3 -c 'import json,sys; v=json.load(sys.stdin)[0]; print(v["directory"] + "/" + v["files"]["gguf"])')
  "$RETORT" train status | head -1
  start_gateway "$DPO_STUDENT"
  echo "== DPO student ($DPO_STUDENT)"
  python3 client.py eval "$GATEWAY_PORT" "$TEST" | tee "$WORK/after-dpo.json"
  stop_gateway
fi
echo "== total wall time $(( $(date +%s) - started )) s; work directory $WORK"
