# Shared by the example's scripts (sourced after `set -euo pipefail`, from the script's
# own folder): resolves the retort binary and starts and stops a gateway.
# The caller sets GATEWAY_PORT and WORK; RETORT may name the binary (default: build release).
ROOT=$(cd ../.. && pwd)
if [ -z "${RETORT:-}" ]; then
  (cd "$ROOT" && swift build -c release --product retort >/dev/null)
  RETORT="$ROOT/.build/release/retort"
fi
GATEWAY=""

# Starts `retort serve` with $1 as the student GGUF and any further arguments; waits for /healthz.
start_gateway() {
  local model=$1; shift
  RETORT_STUDENT_MODEL="$model" "$RETORT" serve "$@" >"$WORK/gateway.log" 2>&1 & GATEWAY=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$GATEWAY_PORT/healthz" >/dev/null && return 0
    sleep 0.2
  done
  echo "gateway did not start; see $WORK/gateway.log" >&2; exit 1
}
stop_gateway() { kill "$GATEWAY"; wait "$GATEWAY" 2>/dev/null || true; GATEWAY=""; }

# Makes the work directory WORK (/tmp/retort-$1.XXXXXX), points retort at a corpus in it,
# at mock_teacher.py as the teacher on TEACHER_PORT (default $2) and at GATEWAY_PORT
# (default $3); starts the mock teacher and stops it, and any gateway, on exit.
start_mock_teacher() {
  WORK=$(mktemp -d "/tmp/retort-$1.XXXXXX")
  TEACHER_PORT=${TEACHER_PORT:-$2}; GATEWAY_PORT=${GATEWAY_PORT:-$3}
  export RETORT_DB="$WORK/data/retort.sqlite" RETORT_PORT=$GATEWAY_PORT
  export RETORT_TEACHER_URL="http://127.0.0.1:$TEACHER_PORT/v1"
  python3 mock_teacher.py "$TEACHER_PORT" & TEACHER=$!
  trap 'kill $TEACHER ${GATEWAY:-} 2>/dev/null || true' EXIT
}

# Prints the newest student version and the path of its GGUF.
newest_student() {
  "$RETORT" students --json | python3 -c 'import json,sys; v=json.load(sys.stdin)[0]; print(v["version"], v["directory"] + "/" + v["files"]["gguf"])'
}
