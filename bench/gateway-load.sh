#!/usr/bin/env bash
# Gateway throughput and added latency against a teacher that answers in microseconds
# (nginx, bench/nginx-teacher.conf), every exchange logged, side by side with calling
# nginx directly in the same run (wrk; rounds alternate direct, gateway, direct, gateway).
# At the end the gateway is stopped and the rows in its corpus are counted against the
# requests it answered 200.
#
# Usage: bench/gateway-load.sh [connections=32] [seconds=10] [retort=.build/release/retort]
# Needs nginx and wrk (apt-get install nginx-light wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${1:-32}
SECONDS_PER_ROUND=${2:-10}
RETORT=${3:-.build/release/retort}
WORK=$(mktemp -d /tmp/retort-load.XXXXXX)
NGINX_PORT=18080
GATEWAY_PORT=18081
trap 'kill $NGINX_PID $RETORT_PID 2>/dev/null || true; wait 2>/dev/null || true' EXIT

nginx -p "$WORK" -c "$PWD/bench/nginx-teacher.conf" &
NGINX_PID=$!
cat > "$WORK/retort.json" <<JSON
{"port": $GATEWAY_PORT, "database": "$WORK/corpus.sqlite",
 "teacher": {"url": "http://127.0.0.1:$NGINX_PORT/v1", "max_attempts": 1},
 "routes": [{"name": "default", "teacher_model": "mock-teacher"}]}
JSON
"$RETORT" serve --config "$WORK/retort.json" > "$WORK/retort.log" 2>&1 &
RETORT_PID=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$GATEWAY_PORT/healthz" > /dev/null && curl -sf -o /dev/null -X POST \
    -H 'content-type: application/json' -d '{}' "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" && break
  sleep 0.1
done

# One wrk round: prints "requests/s p50_ms p99_ms requests non2xx".
round() {
  local url=$1 connections=$2 seconds=$3
  wrk -t1 -c"$connections" -d"${seconds}s" --latency -s bench/wrk-chat.lua "$url/v1/chat/completions" | awk '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /requests in/ {n=$1}
    /Non-2xx/ {bad=$NF}
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    END {printf "%s %.3f %.3f %s %s\n", rps, ms(p50), ms(p99), n, bad+0}'
}

DIRECT=http://127.0.0.1:$NGINX_PORT
GATEWAY=http://127.0.0.1:$GATEWAY_PORT
round "$GATEWAY" 4 2 > /dev/null   # warm-up
GATEWAY_REQUESTS=0
GATEWAY_BAD=0
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
printf "%-12s | %-8s | %12s | %10s | %10s\n" connections target "requests/s" "p50 ms" "p99 ms"
for c in 1 "$CONNECTIONS"; do
  for _ in 1 2; do
    for target in direct gateway; do
      url=$DIRECT; [ "$target" = gateway ] && url=$GATEWAY
      read -r rps p50 p99 n bad < <(round "$url" "$c" "$SECONDS_PER_ROUND")
      if [ "$target" = gateway ]; then
        GATEWAY_REQUESTS=$((GATEWAY_REQUESTS + n)); GATEWAY_BAD=$((GATEWAY_BAD + bad))
      fi
      printf "%-12s | %-8s | %12s | %10s | %10s\n" "$c" "$target" "$rps" "$p50" "$p99"
    done
  done
done
RSS=$(awk '/VmHWM/ {print $2/1024 " MB"}' /proc/$RETORT_PID/status)
kill -TERM $RETORT_PID; wait $RETORT_PID || true
ROWS=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from exchanges where status=200').fetchone()[0])" "$WORK/corpus.sqlite")
echo "gateway peak RSS: $RSS"
echo "gateway requests: $GATEWAY_REQUESTS (+ warm-up), non-200: $GATEWAY_BAD, rows with status 200: $ROWS"
