#!/usr/bin/env bash
# mypy over the `newsmill` package as it is installed. The package is assembled from the part
# folders by pyproject's package-dir map, which mypy cannot read, so it checks a tree of links
# shaped like the installed package (build/typecheck/newsmill -> newsmill/, pipeline/, ...).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tree=build/typecheck
rm -rf "$tree" && mkdir -p "$tree/newsmill"
for f in newsmill/*; do ln -s "$PWD/$f" "$tree/newsmill/"; done
for part in pipeline spiders storage; do ln -s "$PWD/$part" "$tree/newsmill/$part"; done
exec .venv/bin/mypy "$tree/newsmill" dags "$@"
