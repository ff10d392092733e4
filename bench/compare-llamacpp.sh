#!/usr/bin/env bash
# Side by side, in one run: llama.cpp's llama-bench and `retort-bench engine` on the same
# model files, 2 threads, alternating (machines like this one are noisy).
#   bench/compare-llamacpp.sh LLAMA_BENCH [Q8_0_GGUF]
# LLAMA_BENCH: a llama-bench binary (e.g. built from the llama.cpp in the llama-cpp-python
# sdist with -DGGML_NATIVE=ON). Q8_0_GGUF: the shipped model re-quantized by llama-quantize
# (`llama-quantize --allow-requantize models/SmolLM2-135M-Instruct.Q4_1.gguf out.gguf Q8_0`);
# Retort decodes the shipped Q4_1 file with its own Q8_0 copies, so both decode Q8_0 weights.
set -euo pipefail
cd "$(dirname "$0")/.."
llama_bench=${1:?usage: bench/compare-llamacpp.sh LLAMA_BENCH [Q8_0_GGUF]}
q4_1=$(ls models/SmolLM2-135M-Instruct*.gguf | head -1)
q8_0=${2:-}
swift build -c release --product retort-bench >/dev/null
for round in 1 2; do
  echo "== round $round: llama.cpp"
  models=(-m "$q4_1"); [ -n "$q8_0" ] && models+=(-m "$q8_0")
  "$llama_bench" "${models[@]}" -t 2 -p 128,512 -n 128 -r 3 2>/dev/null | grep -E '^\|'
  for weights in q8_0 q4_1; do
    echo "== round $round: retort, decode weights $weights (model $q4_1)"
    .build/release/retort-bench engine --threads 2 --repeats 3 --decode-weights "$weights" | grep -E 'prefill|decode  '
  done
done
