#!/usr/bin/env bash
# Tracks 10,000 in-flight simulated DashScope tasks for 60 s with one TaskTracker under a 256 MB heap and writes
# the figures to benchmarks/tracker-10k.txt. Usage (from the repository root):
#   cloud-adapter/benchmarks/run-tracker-benchmark.sh [tasks] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR_NAME:-target}
../mvnw -q -B -f pom.xml -Dbuild.dir.name="$BUILD" test-compile dependency:build-classpath \
  -Dmdep.outputFile="$BUILD/bench.classpath" -Dmdep.includeScope=test
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
for candidate in /usr/lib/jvm/temurin-25-jdk-amd64/bin/java; do [ -x "$candidate" ] && JAVA=$candidate; done
"$JAVA" -Xmx256m -cp "$BUILD/classes:$BUILD/test-classes:$(cat "$BUILD/bench.classpath")" \
  dev.wanhybrid.cloud.bench.TrackerBenchmark "${1:-10000}" "${2:-60}" benchmarks/tracker-10k.txt
