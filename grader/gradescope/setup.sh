#!/usr/bin/env bash
# Gradescope: runs once when the autograder image is built.  Installs the Debian packages and
# builds the engine, the libraries and the suites, so that each submission only compiles its
# own file.  Base image: Debian 12 or Ubuntu 24.04 (Criterion 2.4).
set -euo pipefail
cd "${AUTOGRADER_ROOT:-/autograder}/source"
grader/deps.sh
make --no-print-directory build CH="$(cat grader/gradescope/chapters)"
