#!/usr/bin/env bash
# Quick start, command 2: lint, type-check and run the whole test suite.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh" "dev,airflow"
.venv/bin/ruff check .
bash scripts/typecheck.sh
exec .venv/bin/python -m pytest "$@"
