#!/usr/bin/env bash
# probe.sh FUNCTION: grades 01-svd's reference solution with FUNCTION turned into a stub
# (returning GSL_EUNIMPL) and prints "N REST SCORE ALL FULL": how many tests then fail, how
# many still pass, the score, the number of tests and the full marks.  The catalogue and the
# distribution tests state their expectations in these terms, so that they hold however the
# chapter's tests grow.  Environment: BUILD (the check build folder), JOBS.
set -uo pipefail
cd "$(dirname "$0")/../.."
B="${BUILD:-build/check}"; fn=$1
make --no-print-directory -s BUILD="$B" build CH=01-svd >/dev/null 2>&1 || { echo "probe: cannot build" >&2; exit 1; }
t="$B/probe/$fn"; rm -rf "$t"; mkdir -p "$t"
printf '/* a probe\n * inject: %s\n */\n#define HOSTILE_BODY { return GSL_EUNIMPL; }\n' "$fn" >"$t/case.c"
grader/tests/inject.sh "$t/case.c" "$t/01-svd/svd.c"
. grader/tests/engine-env.sh
timeout 300 env "${ENGINE_ENV[@]}" "$B/bin/mlphys-grade" --impl "$t" --out "$t/out" --jobs "${JOBS:-2}" --quiet 01-svd >/dev/null 2>&1
jq -r '.chapters[0] | "\([.tests[] | select(.status != "passed")] | length) \([.tests[] | select(.status == "passed")] | length) \(.score) \(.tests | length) \(.max_score)"' "$t/out/report.json"
