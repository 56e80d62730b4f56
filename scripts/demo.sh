#!/usr/bin/env bash
# Quick start, command 1: run the main job on the bundled demo sites into ./data.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh" ""
exec .venv/bin/newsmill demo --store "${NEWSMILL_STORE:-./data}" "$@"
