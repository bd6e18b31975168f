#!/usr/bin/env bash
# Builds rocksmq-bench and runs the side-by-side harness (and, in a full run, the JMH micro-benchmarks),
# writing everything into rocksmq-bench/results/<timestamp>/.
#
# usage: rocksmq-bench/run-bench.sh [--quick | --smoke] [--jmh | --no-jmh] [--no-build] [harness options]
#   (no mode)   full run: W1-W9, 3 runs, every peer incl. Kafka, then JMH            (~1 h on 2 cores)
#   --quick     small counts, 1 run, no Kafka unless --kafka; no JMH unless --jmh   (< 2 min after the build)
#   --smoke     the quickest run, as in CI
#   --jmh       also run JMH in a quick/smoke run (short iterations)
#   --no-jmh    skip JMH in a full run
#   --no-build  use the jars already in rocksmq-bench/target
# Every other option goes to the harness; see: run-bench.sh --no-build --help
# Examples:
#   rocksmq-bench/run-bench.sh --quick
#   rocksmq-bench/run-bench.sh --workloads W1,W4 --peers rocksmq,rocksdb-kpm,rocksdb-vpb,chronicle,artemis
#   rocksmq-bench/run-bench.sh --workloads W1,W4,W5 --peers rocksmq,rocksmq-served,kafka   (rmq serve vs Kafka)
#   rocksmq-bench/run-bench.sh --quick --workloads W1 --peers rocksmq --jfr
#   rocksmq-bench/run-bench.sh --workloads W1,W4,W5 --background-load 2   (idle and busy side by side)
#   rocksmq-bench/run-bench.sh --quick --kafka --workloads W9 --peers rocksmq,kafka,artemis   (work queue side by side)
set -euo pipefail
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$bench_dir/.." && pwd)

mode=full
build=1
help=0
jmh=
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick; args+=("$1") ;;
    --smoke) mode=smoke; args+=("$1") ;;
    --jmh) jmh=1 ;;
    --no-jmh) jmh=0 ;;
    --no-build) build=0 ;;
    -h|--help) help=1 ;;
    *) args+=("$1") ;;
  esac
  shift
done
if [ -z "$jmh" ]; then
  if [ "$mode" = full ]; then jmh=1; else jmh=0; fi
fi

if [ "$build" = 1 ]; then
  echo "building rocksmq-bench (mvn package, no install)..."
  (cd "$root" && mvn -q -pl rocksmq-bench -am package -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true)
fi

cp="$bench_dir/target/classes:$bench_dir/target/lib/*"
if [ "$help" = 1 ]; then  # the harness's usage only: no measurement, no results directory
  java -cp "$cp" io.rocksmq.bench.BenchMain --help
  exit 0
fi
out="$bench_dir/results/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
status=0
java -cp "$cp" io.rocksmq.bench.BenchMain "${args[@]+"${args[@]}"}" --out "$out" --project-root "$root" || status=$?
if [ "$status" = 2 ]; then  # bad usage (the harness said what): nothing was measured, nothing else runs
  rm -rf "$out"
  exit 2
fi

if [ "$jmh" = 1 ]; then
  if [ "$mode" = full ]; then
    jmh_opts=()
  else
    jmh_opts=(-wi 1 -i 2 -w 500ms -r 500ms)
  fi
  echo "running JMH micro-benchmarks -> $out/jmh.json"
  prewarm="$root/../shared/tools/prewarm-memory.sh"
  [ -f "$prewarm" ] && bash "$prewarm" 1000 || true
  java -cp "$cp" org.openjdk.jmh.Main "${jmh_opts[@]+"${jmh_opts[@]}"}" -rf json -rff "$out/jmh.json" \
    2>&1 | tee "$out/jmh.txt" || status=$?
fi
echo "results in $out"
exit $status
