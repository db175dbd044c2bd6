# Sourced by the benchmark scripts (not run on its own): the durable PostgreSQL server they measure against and the
# CPU its processes use. Needs JAVA and CP (a classpath with the gateway's test classes) set by the caller.

# Starts e2e/bench/PostgresServer (zonky's binaries, fsync and synchronous_commit on) as a coprocess and sets PG (its
# pid, for the caller's trap), URL, PG_PORT and PG_SETTINGS (what the server reports).
start_durable_postgres() {
    coproc PGPROC { "$JAVA" -cp "$CP" dev.wanhybrid.gateway.e2e.bench.PostgresServer; }
    PG=$PGPROC_PID
    URL=
    PG_SETTINGS=
    local line
    while read -r line <&"${PGPROC[0]}"; do
        if [[ $line == settings=* ]]; then PG_SETTINGS=${line#settings=}; fi
        if [[ $line == jdbc-url=* ]]; then URL=${line#jdbc-url=}; break; fi
    done
    [[ -n $URL ]] || { echo "PostgreSQL did not start" >&2; exit 1; }
    PG_PORT=$(sed -E 's|.*://[^:/]+:([0-9]+)/.*|\1|' <<<"$URL")
}

# CPU time so far (clock ticks, user + system) of the server started above: its postmaster (the postgres process
# started with -p $PG_PORT) and the processes it started; 0 when there is none.
pg_cpu_ticks() {
    local total=0 stat comm postmaster= pid ppid ticks
    [[ -n ${PG_PORT:-} ]] || { echo 0; return; }
    for stat in /proc/[0-9]*/stat; do
        read -r comm 2>/dev/null < "${stat%stat}comm" || continue
        [[ $comm == postgres ]] && tr '\0' ' ' 2>/dev/null < "${stat%stat}cmdline" | grep -q -- "-p $PG_PORT " \
            && postmaster=$(basename "${stat%/stat}")
    done
    if [[ -n $postmaster ]]; then
        for stat in /proc/[0-9]*/stat; do
            read -r comm 2>/dev/null < "${stat%stat}comm" || continue
            [[ $comm == postgres ]] || continue
            read -r pid ppid ticks < <(awk '{print $1, $4, $14 + $15}' "$stat" 2>/dev/null) || continue
            [[ $pid == "$postmaster" || $ppid == "$postmaster" ]] && total=$(( total + ticks ))
        done
    fi
    echo $total
}
