#!/usr/bin/env bash
# Gateway throughput and added latency against a teacher that answers in microseconds
# (nginx, bench/nginx-teacher.conf), every exchange logged, side by side with calling
# nginx directly in the same run (wrk; rounds alternate direct, gateway, direct, gateway).
# Given a second binary, both gateways run at once (each with its own corpus) and every
# round goes direct, then A and B, the order of the targets after direct rotating every round
# (A B, B A, ...) with a second's pause before each: the way to compare two builds on a VM whose speed drifts
# (a gateway's writer may still be inserting its last round's rows).
# At the end each gateway is stopped and the rows in its corpus are counted against the
# requests it answered 200.
#
# Usage: bench/gateway-load.sh [connections=32] [seconds=10] [retort=.build/release/retort] [retort-b]
# ROUNDS=N (default 2) sets the rounds per concurrency.
# FLOOR=1 also runs `retort-bench floor` (the gateway's HTTP stack bare, next to the retort
# binary) as two more targets: "static" (a fixed answer: the server alone) and "proxy" (the
# body forwarded to nginx through the gateway's teacher client: server plus teacher hop).
# Needs nginx and wrk (apt-get install nginx-light wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${1:-32}
SECONDS_PER_ROUND=${2:-10}
BINARIES=("${3:-.build/release/retort}")
[ -n "${4:-}" ] && BINARIES+=("$4")
WORK=$(mktemp -d /tmp/retort-load.XXXXXX)
NGINX_PORT=18080
PIDS=()
FLOOR_PID=
trap 'kill $NGINX_PID $FLOOR_PID "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT

nginx -p "$WORK" -c "$PWD/bench/nginx-teacher.conf" &
NGINX_PID=$!
TARGETS=(direct)
URLS=("http://127.0.0.1:$NGINX_PORT")
for i in "${!BINARIES[@]}"; do
  name=gateway; [ ${#BINARIES[@]} -gt 1 ] && name=$([ "$i" = 0 ] && echo A || echo B)
  port=$((18081 + i))
  cat > "$WORK/$name.json" <<JSON
{"port": $port, "database": "$WORK/$name.sqlite",
 "teacher": {"url": "http://127.0.0.1:$NGINX_PORT/v1", "max_attempts": 1},
 "routes": [{"name": "default", "teacher_model": "mock-teacher"}]}
JSON
  "${BINARIES[$i]}" serve --config "$WORK/$name.json" > "$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  TARGETS+=("$name")
  URLS+=("http://127.0.0.1:$port")
done
if [ "${FLOOR:-0}" = 1 ]; then
  "$(dirname "${BINARIES[0]}")/retort-bench" floor --port 18090 --teacher "http://127.0.0.1:$NGINX_PORT/v1" > "$WORK/floor.log" 2>&1 &
  FLOOR_PID=$!
  TARGETS+=(static proxy)
  URLS+=("http://127.0.0.1:18090/static" "http://127.0.0.1:18090/proxy")
fi
for url in "${URLS[@]}"; do
  for _ in $(seq 100); do
    if [ "$url" = "${URLS[0]}" ] || [[ "$url" = *:18090/* ]]; then
      curl -sf -o /dev/null -X POST -H 'content-type: application/json' -d '{}' "$url/v1/chat/completions" && break
    else
      curl -sf "$url/healthz" > /dev/null && break
    fi
    sleep 0.1
  done
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

for i in "${!URLS[@]}"; do [ "$i" -gt 0 ] && round "${URLS[$i]}" 4 2 > /dev/null; done  # warm-up
declare -A REQUESTS BAD
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
printf "%-12s | %-8s | %12s | %10s | %10s\n" connections target "requests/s" "p50 ms" "p99 ms"
for c in 1 "$CONNECTIONS"; do
  for pass in $(seq "${ROUNDS:-2}"); do
    # Direct first, then the other targets in an order that rotates every round.
    ORDER=(0)
    for k in $(seq 0 $((${#URLS[@]} - 2))); do ORDER+=($(( (k + pass) % (${#URLS[@]} - 1) + 1 ))); done
    for i in "${ORDER[@]}"; do
      [ "$i" -gt 0 ] && sleep 1
      read -r rps p50 p99 n bad < <(round "${URLS[$i]}" "$c" "$SECONDS_PER_ROUND")
      target=${TARGETS[$i]}
      REQUESTS[$target]=$(( ${REQUESTS[$target]:-0} + n ))
      BAD[$target]=$(( ${BAD[$target]:-0} + bad ))
      printf "%-12s | %-8s | %12s | %10s | %10s\n" "$c" "$target" "$rps" "$p50" "$p99"
    done
  done
done
for i in "${!PIDS[@]}"; do
  target=${TARGETS[$((i + 1))]}
  pid=${PIDS[$i]}
  RSS=$(awk '/VmHWM/ {print $2/1024 " MB"}' /proc/$pid/status)
  kill -TERM "$pid"; wait "$pid" || true
  ROWS=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from exchanges where status=200').fetchone()[0])" "$WORK/$target.sqlite")
  echo "$target (${BINARIES[$i]}): peak RSS $RSS; requests ${REQUESTS[$target]} (+ warm-up), non-200: ${BAD[$target]}, rows with status 200: $ROWS"
done
