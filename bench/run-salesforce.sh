#!/usr/bin/env bash
# Runs the Salesforce adapter benchmark (issue 12) from a fresh clone: builds sync-benchmarks and
# what it needs (no `mvn install`), then in one run: the adapter vs a raw client parsing the same
# responses over loopback against the fake server (REST, Bulk), and the 64 MB check in a forked JVM.
# The report goes to stdout and to sync-benchmarks/target/benchmark-salesforce.md (see BENCHMARKS.md).
#
#   bench/run-salesforce.sh                                      the documented run
#   bench/run-salesforce.sh -Dbench.sf.args="--records 20000"    a smaller run (options: see Main)
#   bench/run-salesforce.sh -o                                   offline
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -q -pl sync-benchmarks -am package -DskipTests -Pbench-salesforce "$@"
