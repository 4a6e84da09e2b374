#!/usr/bin/env bash
# The long fault-injection campaign (README, "Fault-injection suite"): every fault test of fault-suite in its
# long version (kill -9 x20, fsync failure x3, disk full x3, object store gone / hanging / slow for 60 s each),
# then the hostile-client fuzzers (broker-vertx/src/test/fuzz/run-fuzz.sh, FUZZ_MINUTES per target, default 4),
# then the results table fault-suite/target/campaign-results.md (fault rows and fuzz rows).
# Bounded: 40 minutes for the faults, plus 4 fuzz targets x FUZZ_MINUTES (and their builds).
# Extra arguments go to Maven (e.g. -Dtest='KillNineTest' to run one fault).
set -uo pipefail
cd "$(dirname "$0")/.."
rm -rf fault-suite/target/campaign-rows fault-suite/target/campaign-results.md
timeout --kill-after=60 40m mvn -B -pl fault-suite -am verify -Pfault-campaign \
  -Dtest='io/strata/faults/**/*Test' -Dsurefire.failIfNoSpecifiedTests=false "$@"
status=$?
if [ "$status" = 124 ]; then
  echo "campaign: stopped after 40 minutes" >&2
fi

FUZZ_ROWS_DIR="$PWD/fault-suite/target/campaign-rows" broker-vertx/src/test/fuzz/run-fuzz.sh "${FUZZ_MINUTES:-4}"
fuzz_status=$?
# The fuzz rows join the fault rows in the table (its header and fault rows are written by the fault tests)
if [ -f fault-suite/target/campaign-results.md ]; then
  cat fault-suite/target/campaign-rows/fuzz-*.row >>fault-suite/target/campaign-results.md 2>/dev/null
  cat fault-suite/target/campaign-results.md
fi
[ "$status" = 0 ] && [ "$fuzz_status" = 0 ]
