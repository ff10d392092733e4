#!/usr/bin/env bash
# Structured outputs from the student, before and after constrained decoding: the base
# student answers TEST held-out extraction texts with `response_format` set to the
# task's JSON schema, first with `student.constrained_decoding: false` (free sampling:
# the answer check catches what is not JSON), then with the default (true).
# Environment: RETORT (the binary; default: build release), TEST (50), STUDENT (the GGUF).
set -euo pipefail
[ -n "${RETORT:-}" ] && RETORT=$(realpath "$RETORT")
cd "$(dirname "$0")"
source ./lib.sh
TEST=${TEST:-50}
STUDENT=${STUDENT:-$ROOT/models/SmolLM2-135M-Instruct.Q4_1.gguf}
WORK=$(mktemp -d /tmp/retort-structured.XXXXXX)
TEACHER_PORT=${TEACHER_PORT:-18421}; GATEWAY_PORT=${GATEWAY_PORT:-18422}
export RETORT_DB="$WORK/retort.sqlite" RETORT_PORT=$GATEWAY_PORT RETORT_STUDENT_MODEL="$STUDENT"
export RETORT_TEACHER_URL="http://127.0.0.1:$TEACHER_PORT/v1"
python3 mock_teacher.py "$TEACHER_PORT" & TEACHER=$!
cleanup() { kill $TEACHER ${GATEWAY:-} 2>/dev/null || true; }
trap cleanup EXIT

for constrained in false true; do
  python3 - "$ROOT/config/retort.json" "$WORK/config-$constrained.json" "$constrained" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["student"]["constrained_decoding"] = sys.argv[3] == "true"
json.dump(config, open(sys.argv[2], "w"))
PY
  start_gateway "$STUDENT" --config "$WORK/config-$constrained.json"
  echo "== student.constrained_decoding: $constrained ($(basename "$STUDENT"))"
  t0=$(date +%s); python3 client.py structured "$GATEWAY_PORT" "$TEST"; t1=$(date +%s)
  echo "   took $((t1 - t0)) s"
  stop_gateway
done
