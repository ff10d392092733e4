#!/usr/bin/env bash
# Sets up a fresh machine and runs the whole test suite: Swift tests (the engine
# compiled optimized), including the ones that drive the gateway with the official
# `openai` and `anthropic` Python packages from a private virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

# Headless Chromium drives the dashboard in the browser test.
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check openai anthropic
export RETORT_TEST_PYTHON="$PWD/.venv/bin/python"

swift build --build-tests
# Everything the tests leave in the temporary directory (corpora, models, training runs,
# the browser's profile) goes in one directory of this run's, removed when it ends:
# otherwise each run leaves about a hundred megabytes in /tmp.
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/retort-tests.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
export TMPDIR="$SCRATCH"
# Serially: several tests check timeouts and retries against the wall clock, and the
# engine tests keep both cores busy; in parallel they would starve each other.
swift test --skip-build --no-parallel "$@"

# The dashboard in a real browser: search, rate, pick; checks the rows in SQLite and
# saves .build/artifacts/dashboard.png.
RETORT_BROWSER_TEST=1 python3 Tests/browser/dashboard_test.py --retort .build/debug/retort
