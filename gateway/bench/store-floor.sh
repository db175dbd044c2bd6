#!/usr/bin/env bash
# The store's floor under a durable submit (not a test): what the database alone costs to store a submission's three
# rows (reservation, job, first event; the values and sizes the gateway writes for the submit benchmark's request),
# with no HTTP, routing or rendering, on the same machine as gateway/bench/submit-wrk.sh.
#  - PostgreSQL: the durable server of the submit benchmark (e2e/bench/PostgresServer, fsync and synchronous_commit
#    on) with the gateway's schema (its migrations); pgbench (C, Debian's postgresql-client) inserts the rows in groups
#    of G jobs per transaction, one statement per transaction (INSERT ... SELECT from template rows under new ids), from
#    C clients. PostgreSQL's CPU is read from /proc for the server's processes over the middle of each run.
#  - H2: e2e/bench/StoreFloor inserts the same rows with JDBC, in memory (no disk path at all) and on a file with a
#    write at every commit.
# Writes Markdown to $1 (default docs/benchmarks/submit-floor.md). Needs pgbench and psql (apt-get install
# postgresql-client) and the test classes: ./mvnw -o -pl gateway -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(realpath -m "${1:-../docs/benchmarks/submit-floor.md}")
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
PG_RUNS=${PG_RUNS-14:1 14:2 4:1 4:2 1:8 1:32}
H2_RUNS=${H2_RUNS-mem:8 mem:32 file:8}
WORK=$(mktemp -d)
trap 'kill ${PG:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v pgbench >/dev/null && command -v psql >/dev/null \
    || { echo "needs pgbench and psql: apt-get install postgresql-client" >&2; exit 1; }
if [[ ! -s target/bench-classpath.txt ]]; then
    (cd .. && ./mvnw -o -q -pl gateway -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile=target/bench-classpath.txt)
fi
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
HZ=$(getconf CLK_TCK)
# shellcheck source=durable-postgres.sh
source bench/durable-postgres.sh
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

start_durable_postgres
"$JAVA" -cp "$CP" dev.wanhybrid.gateway.e2e.bench.StoreFloor pg-template "$URL" | grep -q ready
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qAt)

columns() { # $1 = table, $2 = the column that takes the new id; prints "insert list|select list" (identity
    # columns, job_events.id, are left to the database)
    "${PSQL[@]}" -c "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) || '|' ||
        string_agg(CASE WHEN column_name = '$2' THEN 'ids.id' ELSE 't.' || column_name END, ', '
        ORDER BY ordinal_position) FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = '$1' AND is_identity = 'NO'"
}
IFS='|' read -r JC JS <<<"$(columns jobs id)"
IFS='|' read -r EC ES <<<"$(columns job_events job_id)"
IFS='|' read -r SC SS <<<"$(columns spend_entries job_id)"
cat > "$WORK/floor.sql" <<SQL
WITH ids AS (SELECT 'video_' || lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0')
        || substr(md5(random()::text), 1, 20) AS id FROM generate_series(1, :g)),
    s AS (INSERT INTO spend_entries ($SC) SELECT $SS FROM ids, tpl_spend_entries t),
    j AS (INSERT INTO jobs ($JC) SELECT $JS FROM ids, tpl_jobs t),
    e AS (INSERT INTO job_events ($EC) SELECT $ES FROM ids, tpl_job_events t)
SELECT 1;
SQL

last_event() { "${PSQL[@]}" -c "SELECT COALESCE(MAX(id), 0) FROM job_events"; }

pg_rows=()
for run in $PG_RUNS; do
    IFS=: read -r g c <<<"$run"
    pgbench -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -M prepared -f "$WORK/floor.sql" -D g="$g" -c "$c" -j 2 \
        -T $(( SECONDS_PER_RUN + 8 )) postgres > "$WORK/pgbench.out" 2>&1 &
    BENCH=$!
    sleep 2
    kill -0 $BENCH 2>/dev/null || { cat "$WORK/pgbench.out" >&2; exit 1; }
    d0=$(pg_cpu_ticks); e0=$(last_event); b0=$(awk '{print $14 + $15}' /proc/$BENCH/stat); t0=$(date +%s.%N)
    sleep "$SECONDS_PER_RUN"
    d1=$(pg_cpu_ticks); e1=$(last_event); b1=$(awk '{print $14 + $15}' /proc/$BENCH/stat); t1=$(date +%s.%N)
    wait $BENCH || { cat "$WORK/pgbench.out" >&2; exit 1; }
    lat=$(awk '/latency average/ {print $4}' "$WORK/pgbench.out")
    row=$(awk -v g="$g" -v c="$c" -v n=$(( e1 - e0 )) -v d=$(( d1 - d0 )) -v b=$(( b1 - b0 )) -v hz="$HZ" \
        -v t0="$t0" -v t1="$t1" -v lat="$lat" 'BEGIN { s = t1 - t0; printf "| %d | %d | %.0f | %.0f | %s | %.4f | %.4f |", g, c,
        n / s, n / g / s, lat, d * 1000 / hz / n, b * 1000 / hz / n }')
    echo "postgresql $row" >&2
    pg_rows+=("$row")
done

h2_rows=()
for run in $H2_RUNS; do
    IFS=: read -r where threads <<<"$run"
    [[ $where == mem ]] || { rm -rf "$WORK/h2"; where="$WORK/h2/floor"; }
    line=$("$JAVA" -Xmx4g -cp "$CP" dev.wanhybrid.gateway.e2e.bench.StoreFloor h2 "$where" "$threads" \
        "$SECONDS_PER_RUN" 1 | grep '^h2-floor')
    echo "$line" >&2
    h2_rows+=("$(awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "| %s | %s | %s | %s |", (v["store"] == "mem" ? "in memory (no disk path)" : "file, a write at every commit (`WRITE_DELAY=0`)"),
        v["threads"], v["jobs/s"], v["cpu-ms-per-job"] }' <<<"$line")")
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

{
    echo "# The store's floor under a durable submit"
    echo
    echo "Written by \`gateway/bench/store-floor.sh\` on $(date -u +%Y-%m-%dT%H:%M:%SZ). Machine: $(nproc) CPUs, the one \`submit-wrk.sh\` runs on (submit.md); load average before the run: $LOAD_BEFORE; after: $LOAD_AFTER. ${SECONDS_PER_RUN}s measured per row, after 2s (PostgreSQL) or ${SECONDS_PER_RUN}s (H2) of the same load."
    echo
    echo "What the database alone costs to store one submission's three rows (its reservation in \`spend_entries\`, the \`jobs\` row, its first \`job_events\` row with the job's JSON), with the gateway's schema and the values and sizes it writes for the submit benchmark's request; no HTTP, no routing, no rendering, no gateway. A durable submit costs at least this on the database's side, on top of everything the bare endpoint does."
    echo
    echo "## PostgreSQL, durable (\`${PG_SETTINGS:-?}\`)"
    echo
    echo "pgbench (C), one statement per transaction inserting G jobs' rows (copies of template rows under new time-first ids), from C clients. CPU per job: the server's processes (backends, WAL writer, checkpointer, autovacuum) and pgbench, from \`/proc\`."
    echo
    echo "| jobs per commit (G) | clients (C) | jobs/s | commits/s | latency per transaction, ms | PostgreSQL CPU ms per job | pgbench CPU ms per job |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${pg_rows[@]}"
    echo
    echo "## H2 (the embedded store), in the JVM"
    echo
    echo "\`e2e/bench/StoreFloor\`: JDBC prepared inserts of the same rows, a commit per job, from the given threads; CPU is the whole process's (JIT and GC included)."
    echo
    echo "| store | threads | jobs/s | CPU ms per job |"
    echo "|---|---:|---:|---:|"
    printf '%s\n' "${h2_rows[@]}"
} > "$OUT"
cat "$OUT"
