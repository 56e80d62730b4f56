#!/usr/bin/env bash
# Quick start, command 2: lint, type-check and run the whole test suite.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh" "dev,airflow"
# tests/test_health.py opens the health report in a real headless Chromium: Debian's package
# (browser builds that download themselves cannot be fetched on CI), installed when missing.
if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing chromium (apt-get) for the report test ..." >&2
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
fi
.venv/bin/ruff check .
bash scripts/typecheck.sh
exec .venv/bin/python -m pytest "$@"
