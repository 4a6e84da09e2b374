#!/usr/bin/env bash
# The hostile-client fuzz campaign: fuzzes each Jazzer target of broker-vertx (io.strata.broker.fuzz) for MINUTES
# minutes in turn, then writes broker-vertx/target/fuzz-results.md: one row per target with the inputs run and
# the crashes found (Jazzer stops a target at its first crash and writes the input into the target's committed
# inputs directory, src/test/resources/io/strata/broker/fuzz/<Class>Inputs/<method>/crash-*, where the next
# `mvn verify` replays it as a regression test).
#
# Usage: broker-vertx/src/test/fuzz/run-fuzz.sh [MINUTES per target, default 5] [Class#method ...]
# With FUZZ_ROWS_DIR set, each target also writes its row of the fault campaign's table there
# (fault-suite/run-campaign.sh sets it; columns as in fault-suite's ResultRow).
# Exit code: 0 when no target crashed, 1 otherwise. The generated corpus is kept in broker-vertx/.cifuzz-corpus/
# (not committed) so that a later campaign goes on from it.
set -uo pipefail
cd "$(dirname "$0")/../../../.."

minutes="${1:-5}"
shift || true
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=(
    "FrameDecoderFuzzTest#framesReassembleIdenticallyWhateverTheChunking"
    "FrameDecoderFuzzTest#requestBodiesAreDecodedOrRejected"
    "RequestHandlerFuzzTest#everyRequestIsAnsweredOrClosedAndTheBrokerServesOn"
  )
  if [ -f broker-vertx/src/test/java/io/strata/broker/fuzz/ProduceRecordsFuzzTest.java ]; then
    targets+=("ProduceRecordsFuzzTest#acknowledgedBatchesAreReadableAndTheRestAreRefused")
  fi
fi

inputs_root=broker-vertx/src/test/resources/io/strata/broker/fuzz
stats=broker-vertx/target/fuzz-stats
results=broker-vertx/target/fuzz-results.md
logs=broker-vertx/target/fuzz-logs
mkdir -p "$stats" "$logs"

rows=()
total_inputs=0
total_crashes=0
for target in "${targets[@]}"; do
  class="${target%%#*}"
  method="${target##*#}"
  dir="$inputs_root/${class}Inputs/$method"
  mkdir -p "$dir"
  before=$(ls "$dir" | grep -c '^crash-' || true)
  rm -f "$stats/$target.count"
  echo "fuzz: $target for $minutes min (log: $logs/$target.log)"
  started=$(date +%s)
  # Jazzer instruments Strata's classes and kafka-clients' protocol and record parsers for coverage. The module's
  # 60 s JUnit timeout bounds each input (Jazzer passes it to libFuzzer as -timeout), not the whole campaign.
  JAZZER_FUZZ=1 mvn -B -q -pl broker-vertx -am test \
      -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.max_duration="${minutes}m" \
      -Djazzer.instrument='io.strata.**,org.apache.kafka.common.**' \
      -Djunit.jupiter.execution.timeout.mode=disabled \
      >"$logs/$target.log" 2>&1
  status=$?
  seconds=$(( $(date +%s) - started ))
  cp "broker-vertx/target/surefire-reports/io.strata.broker.fuzz.$class-output.txt" "$logs/$target.output.txt" 2>/dev/null || true
  after=$(ls "$dir" | grep -c '^crash-' || true)
  crashes=$(( after - before ))
  inputs=$(cat "$stats/$target.count" 2>/dev/null || echo "?")
  if [ "$crashes" -gt 0 ]; then
    result="crash: $(ls -t "$dir" | grep '^crash-' | head -n "$crashes" | tr '\n' ' ')"
  elif [ "$status" -ne 0 ]; then
    result="failed without a crash input (see $logs/$target.log)"
    crashes=1
  else
    result="ok"
  fi
  [ "$inputs" != "?" ] && total_inputs=$(( total_inputs + inputs ))
  total_crashes=$(( total_crashes + crashes ))
  rows+=("| \`$target\` | $seconds s | $inputs | $crashes | $result |")
  if [ -n "${FUZZ_ROWS_DIR:-}" ]; then
    mkdir -p "$FUZZ_ROWS_DIR"
    echo "| fuzz \`$target\` ($seconds s) | - | - | - | - | - | - | - | - | $inputs | $crashes | $result |" \
        >"$FUZZ_ROWS_DIR/fuzz-${class}-${method}.row"
  fi
  echo "fuzz: $target: $inputs inputs, $crashes crash(es), $result"
done

{
  echo "# Fuzz campaign results"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)," \
       "$minutes min per target, command: \`broker-vertx/src/test/fuzz/run-fuzz.sh $minutes\`"
  echo
  echo "| target | time | inputs run | crashes | result |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo "| **total** | | $total_inputs | $total_crashes | |"
} >"$results"
cat "$results"
[ "$total_crashes" -eq 0 ]
