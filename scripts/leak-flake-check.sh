#!/usr/bin/env bash
# Runs the leak tests repeatedly, CI-style (CI=true, a fresh Vitest process each time), alternating
# Vitest's `forks` and `threads` pools, and fails if any run fails. Usage:
#   scripts/leak-flake-check.sh [RUNS=20]
# Each run also repeats every no-leak case VIAL_LEAK_REPEAT times (default here: 3).
set -uo pipefail
cd "$(dirname "$0")/.."

runs="${1:-20}"
export CI=true
export VIAL_LEAK_REPEAT="${VIAL_LEAK_REPEAT:-3}"
log_dir="$(mktemp -d "${TMPDIR:-/tmp}/vial-leak-flake.XXXXXX")"
failures=0
for run in $(seq 1 "$runs"); do
  if (( run % 2 )); then pool=forks; else pool=threads; fi
  started=$(date +%s)
  if npx vitest run test/leak --pool="$pool" >"$log_dir/run-$run.log" 2>&1; then
    verdict=pass
  else
    verdict=FAIL
    failures=$((failures + 1))
  fi
  summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log_dir/run-$run.log" | grep -a -m1 -E '^ +Tests ' | sed 's/^ *//')
  echo "run $run/$runs ($pool): $verdict in $(( $(date +%s) - started )) s — $summary"
done
echo "$failures of $runs run(s) failed; logs in $log_dir"
exit $(( failures > 0 ))
