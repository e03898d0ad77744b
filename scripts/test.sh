#!/usr/bin/env bash
# Lint, type-check, check the layer contract, then run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
$bin/ruff check .
$bin/ruff format --check .
$bin/mypy
$bin/lint-imports
$bin/python -m pytest -n 2 "$@"
