#!/usr/bin/env bash
# Expansion with little data: N (40) logged exchanges alone, then the same N plus
# `retort augment --count AUG` (260), each trained with `retort train sft` and scored on
# the TEST (50) held-out texts of client.py eval (never logged). The mock teacher writes
# the new inputs from the task's own generator (see mock_teacher.py).
# Environment: RETORT (the binary; default: build release), N, AUG, TEST.
set -euo pipefail
[ -n "${RETORT:-}" ] && RETORT=$(realpath "$RETORT")
cd "$(dirname "$0")"
source ./lib.sh
N=${N:-40}; AUG=${AUG:-260}; TEST=${TEST:-50}
BASE_MODEL=${BASE_MODEL:-$ROOT/models/SmolLM2-135M-Instruct.Q4_1.gguf}
start_mock_teacher augment 18431 18432

train_and_eval() {  # $1: label
  t0=$(date +%s)
  RETORT_STUDENT_MODEL="$BASE_MODEL" "$RETORT" train sft >"$WORK/train-$1.log" 2>&1
  t1=$(date +%s)
  STUDENT=$("$RETORT" students --json | python3 -c 'import json,sys; v=json.load(sys.stdin)[0]; print(v["directory"] + "/" + v["files"]["gguf"])')
  start_gateway "$STUDENT"
  echo "== $1: trained in $((t1 - t0)) s ($(grep -c '' "$WORK/train-$1.log") log lines), student $(basename "$(dirname "$STUDENT")")"
  python3 client.py eval "$GATEWAY_PORT" "$TEST" | tee "$WORK/eval-$1.json"
  stop_gateway
}

start_gateway "$BASE_MODEL"
python3 client.py log "$GATEWAY_PORT" "$N"
stop_gateway
train_and_eval "real-$N"

echo "== retort augment default --count $AUG"
"$RETORT" augment default --count "$AUG" | tail -1 | tee "$WORK/augment.json"
"$RETORT" corpus list --tag source:expansion --limit 3
train_and_eval "real-$N+expansion-$AUG"
echo "work directory: $WORK"
