"""Measures the gateway's latency on the teacher route: `python3 gateway_latency.py PORT N`
sends N sequential extraction requests and prints p50/p90/p99 in milliseconds (run it
with and without a training run going to see what training costs the gateway)."""
import json
import sys
import time
import urllib.request

import dataset


def main():
    port, count = sys.argv[1], int(sys.argv[2])
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    latencies = []
    for prompt, _ in dataset.records(count, seed=1):
        body = json.dumps({"model": "default", "messages": [{"role": "user", "content": prompt}]}).encode()
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    print(json.dumps({"requests": count, "p50_ms": round(pick(0.5), 2), "p90_ms": round(pick(0.9), 2),
                      "p99_ms": round(pick(0.99), 2), "max_ms": round(latencies[-1], 2)}))


if __name__ == "__main__":
    main()
