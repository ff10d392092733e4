#!/usr/bin/env bash
# Retort's engine side by side with llama.cpp on the same model files, 2 threads, in one
# run: llama-bench and `retort-bench engine` alternate round by round (machines like this
# one are noisy; a ratio from one round is worth more than two absolute figures).
#
#   bench/compare-llamacpp.sh [--rounds N] [LLAMA_BENCH]
#
# LLAMA_BENCH: a llama-bench binary. Without one, llama.cpp is built once into
# .build/llama.cpp from the llama-cpp-python 0.3.36 sdist on PyPI (about 5 minutes; needs
# python3-venv and a C++ compiler), with -DGGML_NATIVE=ON as Retort builds for its CPU.
# Files: the shipped Q4_1 model, and a Q8_0 copy made from it with llama-quantize
# (models/…Q8_0.gguf, made once). Each engine decodes each file in its own format (Retort's
# `decode_weights: auto`). Decode is 128 tokens after a 128-token prompt (llama-bench
# `-d 128`), prefill 512 tokens from an empty cache.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
if [ "${1:-}" = "--rounds" ]; then rounds=$2; shift 2; fi
llama_bench=${1:-}
work=.build/llama.cpp
version=0.3.36

build_llama() {
  echo "== building llama-bench from llama-cpp-python $version (once, into $work)" >&2
  mkdir -p "$work"
  [ -x "$work/venv/bin/pip" ] || python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q cmake ninja scikit-build-core
  [ -f "$work/llama_cpp_python-$version.tar.gz" ] || "$work/venv/bin/pip" download -q --no-deps --no-binary :all: \
    --no-build-isolation "llama-cpp-python==$version" -d "$work"
  tar -xzf "$work/llama_cpp_python-$version.tar.gz" -C "$work"
  local source="$work/llama_cpp_python-$version/vendor/llama.cpp"
  PATH="$PWD/$work/venv/bin:$PATH" cmake -S "$source" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DGGML_NATIVE=ON -DGGML_OPENMP=OFF -DLLAMA_CURL=OFF >/dev/null
  PATH="$PWD/$work/venv/bin:$PATH" ninja -C "$work/build" llama-bench llama-quantize >/dev/null
}

if [ -z "$llama_bench" ]; then
  llama_bench=$work/build/bin/llama-bench
  [ -x "$llama_bench" ] || build_llama
fi
quantize=$(dirname "$llama_bench")/llama-quantize
q4_1=$(ls models/SmolLM2-135M-Instruct*Q4_1.gguf | head -1)
q8_0=${q4_1%Q4_1.gguf}Q8_0.gguf
if [ ! -f "$q8_0" ]; then
  "$quantize" --allow-requantize "$q4_1" "$q8_0" Q8_0 >/dev/null 2>&1
fi
swift build -c release --product retort-bench >/dev/null
retort=.build/release/retort-bench
results=$(mktemp)
trap 'rm -f "$results"' EXIT

for round in $(seq "$rounds"); do
  echo "== round $round of $rounds" >&2
  "$llama_bench" -m "$q4_1" -m "$q8_0" -t 2 -p 512 -n 0 -r 3 -o csv 2>/dev/null \
    | awk -v r="$round" -F'","' 'NR > 1 { print r, "llama", $6, "prefill", $41 }' >> "$results"
  "$llama_bench" -m "$q4_1" -m "$q8_0" -t 2 -p 0 -n 128 -d 128 -r 3 -o csv 2>/dev/null \
    | awk -v r="$round" -F'","' 'NR > 1 { print r, "llama", $6, "decode", $41 }' >> "$results"
  for file in "$q4_1" "$q8_0"; do
    "$retort" engine --model "$file" --threads 2 --repeats 3 --prefill 512 | tee /dev/stderr \
      | awk -v r="$round" -v f="$file" '/^prefill/ { print r, "retort", f, "prefill", $3 } /^decode .*ms\/token/ { print r, "retort", f, "decode", $3 }' >> "$results"
  done
done

# Per round and figure, retort ÷ llama; then the median over rounds.
python3 - "$results" <<'EOF'
import collections, statistics, sys
figures = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    round_, engine, path, test, value = line.split()
    figures[(path.rsplit("/", 1)[-1].replace('"', ''), test)].setdefault(engine, {})[round_] = float(value.replace('"', ''))
print(f"\n{'file':<36} {'test':<26} {'llama.cpp tok/s':>16} {'retort tok/s':>13} {'ratio (median of rounds)':>25}")
for (name, test), engines in sorted(figures.items()):
    llama, retort = engines.get("llama", {}), engines.get("retort", {})
    rounds = sorted(set(llama) & set(retort))
    if not rounds: continue
    ratios = [retort[r] / llama[r] for r in rounds]
    label = "decode 128 after 128" if test == "decode" else "prefill 512"
    print(f"{name:<36} {label:<26} {statistics.median(llama.values()):>16.1f} {statistics.median(retort.values()):>13.1f}"
          f" {statistics.median(ratios):>10.2f}x  ({min(ratios):.2f}-{max(ratios):.2f})")
EOF
grep -m1 'model name' /proc/cpuinfo | sed 's/.*: /cpu: /'
echo "flags: $(grep -m1 flags /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512f|avx512_vnni|avx_vnni)$' | tr '\n' ' ')"
