#!/usr/bin/env bash
# The long fault-injection campaign (README, "Fault-injection suite"): every fault test of fault-suite in its
# long version (kill -9 x20, fsync failure x3, disk full x3, object store gone / hanging / slow for 60 s each),
# then the results table fault-suite/target/campaign-results.md. Bounded: 40 minutes in all.
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
if [ -f fault-suite/target/campaign-results.md ]; then
  cat fault-suite/target/campaign-results.md
fi
exit "$status"
