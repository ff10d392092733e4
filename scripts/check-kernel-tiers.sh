#!/usr/bin/env bash
# Builds the engine for the x86 kernel tiers this machine does not run, and checks that each
# build holds its tier's instructions: the portable baseline (`generic`: no vpmaddubsw), AVX2
# (`haswell`: vpmaddubsw) and AVX-512 VNNI (`cascadelake`: vpdpbusd). The tier of the
# building CPU is built and tested by the test suite itself (every built kernel against the
# naive product). Each build takes about 1.5 minutes, in .build/tiers/<cpu>.
#   scripts/check-kernel-tiers.sh [CPU ...]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(uname -m)" = x86_64 ] || { echo "kernel tiers: x86-64 only, skipped"; exit 0; }

host=$(grep -q avx512_vnni /proc/cpuinfo && echo cascadelake \
  || { grep -q avx512bw /proc/cpuinfo && echo skylake-avx512; } || { grep -q avx2 /proc/cpuinfo && echo haswell; } || echo generic)
tiers=("$@")
if [ ${#tiers[@]} -eq 0 ]; then
  for cpu in generic haswell cascadelake; do [ "$cpu" = "$host" ] || tiers+=("$cpu"); done
fi

expect() {  # cpu → the instruction its build must hold (generic: must not hold)
  case $1 in generic) echo '!vpmaddubsw';; cascadelake) echo vpdpbusd;; *) echo vpmaddubsw;; esac
}

for cpu in "${tiers[@]}"; do
  scratch=.build/tiers/$cpu
  mkdir -p "$scratch"
  RETORT_TARGET_CPU=$cpu swift build -c release --target Engine --scratch-path "$scratch" >"$scratch.log" 2>&1 \
    || { tail -30 "$scratch.log"; echo "kernel tier $cpu: the engine does not build"; exit 1; }
  # The engine's instructions, disassembled once.
  mnemonics=$(find "$scratch" -path '*Engine.build*' -name '*.o' -exec objdump -d --no-show-raw-insn {} + \
    | grep -oE 'vpmaddubsw|vpdpbusd' || true)
  count=$(grep -c . <<<"$mnemonics" || true)
  want=$(expect "$cpu")
  name=${want#!}
  found=$(grep -c "^$name$" <<<"$mnemonics" || true)
  case $want in
    '!'*) [ "$found" -eq 0 ] || { echo "kernel tier $cpu: $name in a baseline build"; exit 1; } ;;
    *)    [ "$found" -gt 0 ] || { echo "kernel tier $cpu: no $want in the build"; exit 1; } ;;
  esac
  echo "kernel tier $cpu: builds; $want ✓ ($count byte-dot instructions)"
done
