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
