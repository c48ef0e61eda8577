#!/usr/bin/env bash
# Runs crmsync's benchmark (issue 2) from a fresh clone: builds sync-benchmarks and the modules it
# needs (no `mvn install`), then runs it in forked JVMs with capped heaps — the measured run of
# 1,000,000 leads, then the 256 MB check. Reports go to stdout and to
# sync-benchmarks/target/benchmark.md and sync-benchmarks/target/benchmark-256m.md.
# Figures and how to read them: BENCHMARKS.md. Takes 5 to 15 minutes on 2 cores.
#
#   bench/run.sh                                  the documented run
#   bench/run.sh -Dbench.args="--records 200000"  extra options for the measured run (see Main)
#   bench/run.sh -Dbench.check.skip=true          without the 256 MB check
#   bench/run.sh -o                               offline, once dependencies are downloaded
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -q -pl sync-benchmarks -am package -DskipTests -Pbench "$@"
