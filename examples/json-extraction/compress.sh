#!/usr/bin/env bash
# Compression (the survey's compression role): a 15-block student distilled from the
# 30-block SFT student with `retort train kd`, against that SFT student, on the same 50
# never-logged held-out texts, with each one's decode speed measured side by side.
#   1. N exchanges of the JSON task are logged through `retort serve` (mock teacher);
#   2. `retort train sft` (LoRA, EPOCHS) registers the 30-block SFT student;
#   3. `retort train kd --teacher <that version> --layers LAYERS` (full fine-tuning, KD_EPOCHS)
#      registers the compressed student;
#   4. both are scored through the gateway (exact match of all three fields, temperature 0);
#   5. `retort-bench engine` decodes with each, alternating, ROUNDS times.
# Environment: RETORT, RETORT_BENCH (binaries; default: build release), N (300), TEST (50),
# EPOCHS (2), LAYERS (15), KD_EPOCHS (3), KD_ARGS (extra `retort train kd` options), ROUNDS (3).
set -euo pipefail
[ -n "${RETORT:-}" ] && RETORT=$(realpath "$RETORT")
cd "$(dirname "$0")"
source ./lib.sh
N=${N:-300}; TEST=${TEST:-50}; EPOCHS=${EPOCHS:-2}; LAYERS=${LAYERS:-15}; KD_EPOCHS=${KD_EPOCHS:-3}; ROUNDS=${ROUNDS:-3}
RETORT_BENCH=${RETORT_BENCH:-$(dirname "$RETORT")/retort-bench}
[ -x "$RETORT_BENCH" ] || (cd "$ROOT" && swift build -c release --product retort-bench >/dev/null)
BASE_MODEL=${BASE_MODEL:-$ROOT/models/SmolLM2-135M-Instruct.Q4_1.gguf}
start_mock_teacher compress 18421 18422

start_gateway "$BASE_MODEL"
python3 client.py log "$GATEWAY_PORT" "$N"
stop_gateway

echo "== retort train sft --epochs $EPOCHS"
t0=$(date +%s)
RETORT_STUDENT_MODEL="$BASE_MODEL" "$RETORT" train sft --epochs "$EPOCHS" >"$WORK/train-sft.log" 2>&1
echo "   took $(( $(date +%s) - t0 )) s"
read -r SFT SFT_GGUF <<<"$(newest_student)"

echo "== retort train kd --teacher $SFT --layers $LAYERS --epochs $KD_EPOCHS ${KD_ARGS:-}"
t0=$(date +%s)
RETORT_STUDENT_MODEL="$BASE_MODEL" "$RETORT" train kd --teacher "$SFT" --layers "$LAYERS" --epochs "$KD_EPOCHS" ${KD_ARGS:-} \
  >"$WORK/train-kd.log" 2>&1
echo "   took $(( $(date +%s) - t0 )) s"
"$RETORT" train status | head -3
read -r KD KD_GGUF <<<"$(newest_student)"

for pair in "$SFT:$SFT_GGUF" "$KD:$KD_GGUF"; do
  start_gateway "${pair#*:}"
  echo "== ${pair%%:*} on $TEST held-out texts"
  python3 client.py eval "$GATEWAY_PORT" "$TEST" | tee "$WORK/eval-${pair%%:*}.json"
  stop_gateway
done

echo "== decode tok/s (128 tokens after a 128-token prompt), alternating, $ROUNDS rounds"
for round in $(seq 1 "$ROUNDS"); do
  for pair in "$SFT:$SFT_GGUF" "$KD:$KD_GGUF"; do
    rate=$("$RETORT_BENCH" engine --model "${pair#*:}" --prefill 16 --decode 128 --repeats 1 2>/dev/null | grep -i "decode" | tail -1)
    echo "   round $round ${pair%%:*}: $rate"
  done
done
echo "== work directory $WORK"
