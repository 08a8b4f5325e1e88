#!/usr/bin/env bash
# The replication part of make bench (issue 15): a feed host (publish) and edges (server --upstream)
# on this machine, over loopback UDP. Measures
#   1. the first replication of REPLICATION_RECORDS records written at once: publish, record and
#      replicate to edge A, records/s;
#   2. the catch-up of a new edge B from the archive alone, records/s from the edge's start and from its
#      first answer on /metrics (its JVM's start left out), and the CPU the feed host and edge B spent per
#      record meanwhile;
#   3. the delay from a record's write to the origin to its write into edge A's replica, p50/p99/p99.9,
#      over 20 s of the simulator at REPLICATION_RATE msgs/s (after 10 s of warm-up);
#   4. aggregate fan-out: FANOUT_CLIENTS subscribers to every stock (FANOUT_RATE msgs/s), half on each
#      edge, each edge pinned to one core, against all of them on one plain server of the origin
#      pinned to both cores; deliveries/s, p99, and the servers' and harnesses' CPU (the harness runs
#      on the same two cores, unpinned: the report says which one was the limit).
# Writes target/bench/replication.txt, with the load average of the run (the machine is shared).
# PUBLISH_JVM adds JVM flags to the feed host, as SERVER_JVM does to the edges (a profiler, -Daeron.*).
# Every process started here is stopped here, by PID.
set -euo pipefail
JAR=${BENCH_JAR:-target/tickstream.jar}
. "$(dirname "$0")/lib.sh"
HERE=$(dirname "$0")
OUT=target/bench
WORK=$(pwd)/data/bench/replication
RECORDS=${REPLICATION_RECORDS:-2000000}
RATE=${REPLICATION_RATE:-10000}
UDP=${REPLICATION_PORT:-19400}
A=${BENCH_PORT:-18480}
B=$((A + 1))
REPORT="$OUT/replication.txt"
mkdir -p "$OUT"
rm -rf "$WORK"
mkdir -p "$WORK"
stop_all_on_exit

records_of() { curl -s "http://127.0.0.1:$1/metrics" | awk '$1 == "tickstream_upstream_records_total" { print int($2) }'; }
holds_all() { [ "$(records_of "$1")" = "$RECORDS" ]; }
holds_some() { [ "$(records_of "$1")" -gt 0 ] 2>/dev/null; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
edge() {  # edge NAME HTTP_PORT
  start_server "$OUT/replication-edge-$1.log" "" --queue "$WORK/replica-$1" --upstream "127.0.0.1:$UDP" \
    --advertise 127.0.0.1 --aeron-dir "$WORK/aeron-$1" --port "$2" --host 127.0.0.1 --stale-after-ms 0
}

echo "replication: writing $RECORDS records to the origin"
java -jar "$JAR" simulate --queue "$WORK/origin" --rate 2000000 --count "$RECORDS" --burst-every 0 --seed 1 \
  --stats-every 0 > "$OUT/replication-simulator-1.log" 2>&1
t0=$(now_ms)
start publisher "$OUT/replication-publish.log" java ${PUBLISH_JVM:-} -jar "$JAR" publish --queue "$WORK/origin" \
  --listen "127.0.0.1:$UDP" --archive-dir "$WORK/archive" --aeron-dir "$WORK/aeron-publish"
PUBLISHER_PID=$LAST_PID
edge a "$A"
EDGE_A_PID=$SERVER_PID
first="–"
if wait_for 1200 0.1 holds_all "$A"; then
  ms=$(( $(now_ms) - t0 )); first="$(( RECORDS * 1000 / ms )) records/s ($RECORDS in $ms ms, from the publisher's start)"
fi
t0=$(now_ms)
edge b "$B"
EDGE_B_PID=$SERVER_PID
catchup="–"
if wait_for 3000 0.02 holds_some "$B"; then
  t1=$(now_ms); n1=$(records_of "$B"); pub1=$(cpu_ticks "$PUBLISHER_PID"); b1=$(cpu_ticks "$EDGE_B_PID")
  if wait_for 1200 0.1 holds_all "$B"; then
    t2=$(now_ms); pub2=$(cpu_ticks "$PUBLISHER_PID"); b2=$(cpu_ticks "$EDGE_B_PID")
    n=$(( RECORDS - n1 > 0 ? RECORDS - n1 : 1 )); ms=$(( t2 - t1 > 0 ? t2 - t1 : 1 )); tick_us=$(( 1000000 / $(getconf CLK_TCK) ))
    catchup="$(( RECORDS * 1000 / (t2 - t0) )) records/s ($RECORDS in $(( t2 - t0 )) ms, from the edge's start);"
    catchup="$catchup $(( n * 1000 / ms )) records/s once its /metrics answered ($n in $ms ms); CPU per record:"
    catchup="$catchup feed host $(( (pub2 - pub1) * tick_us * 1000 / n )) ns, edge $(( (b2 - b1) * tick_us * 1000 / n )) ns"
  fi
fi

echo "replication: the simulator at $RATE msgs/s for 30 s; delay measured over the last 20 s"
start_simulator "$OUT/replication-simulator-2.log" --queue "$WORK/origin" --rate "$RATE" --burst-every 0 \
  --stats-every 0 --duration 30
sleep 10
curl -s "http://127.0.0.1:$A/metrics" > "$WORK/m0.txt"
cpu0=$(cpu_ticks "$EDGE_A_PID")
sleep 20
curl -s "http://127.0.0.1:$A/metrics" > "$WORK/m1.txt"
cpu1=$(cpu_ticks "$EDGE_A_PID")
for m in m0 m1; do read_metric "$WORK/$m.txt" tickstream_upstream_delay_seconds_bucket le > "$WORK/$m-buckets.txt" || true; done
delay=$("$HERE/histogram.py" "$WORK/m0-buckets.txt" "$WORK/m1-buckets.txt")
n0=$(read_metric "$WORK/m0.txt" tickstream_upstream_records_total || echo 0)
n1=$(read_metric "$WORK/m1.txt" tickstream_upstream_records_total || echo 0)

# 4. aggregate fan-out: two edges of one core each against one server of two, at a load below what
# this machine saturates at with the harness on it (a saturated run measures the harness's share)
FANOUT_CLIENTS=${FANOUT_CLIENTS:-1000}
FANOUT_RATE=${FANOUT_RATE:-200}
FANOUT_SECONDS=${FANOUT_SECONDS:-30}
harness() {  # harness PORT CLIENTS NAME: the load-test harness, its report in $OUT/NAME.json
  rm -f "$OUT/$3.json"
  java -jar "$JAR" loadtest --url "ws://127.0.0.1:$1/ws" --clients "$2" --all-stocks-share 1 --contiguous \
    --ramp 2000 --warmup 5 --duration "$FANOUT_SECONDS" --name "$3" --out "$OUT" > "$OUT/$3-harness.log" 2>&1
}
fanout_summary() {  # fanout_summary SERVER_CPU_TICKS WALL_MS REPORT...: summed deliveries, worst p99, CPU
  python3 - "$(getconf CLK_TCK)" "$@" <<'PY'
import json, sys
hz, ticks, wall_ms = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
reports = [json.load(open(f)) for f in sys.argv[4:]]
d = sum(r["deliveriesPerSecond"] for r in reports)
p99 = max(r["latency"]["p99"] for r in reports) / 1000
p99_last = max(r["latencyLastSeconds"]["p99"] for r in reports) / 1000
wall = wall_ms / 1000
server = ticks / hz / wall
harness = sum(r["harnessCpuSeconds"] for r in reports) / wall
print(f"{d:,.0f} deliveries/s, p99 {p99:,.1f} ms ({p99_last:,.1f} ms over the last 10 s),"
      f" gaps {sum(r['gaps'] for r in reports)};"
      f" servers {server * 100:.0f}% of a core, harness {harness * 100:.0f}% (over the harness's {wall:.0f} s)")
PY
}
fanout_two="–"; fanout_one="–"
if command -v taskset > /dev/null; then
  echo "replication: aggregate fan-out, $FANOUT_CLIENTS subscribers at $FANOUT_RATE msgs/s: two edges, then one server"
  taskset -apc 0 "$EDGE_A_PID" > /dev/null
  taskset -apc 1 "$EDGE_B_PID" > /dev/null
  start_simulator "$OUT/replication-simulator-3.log" --queue "$WORK/origin" --rate "$FANOUT_RATE" --matches 0 \
    --burst-every 0 --stats-every 0 --duration $(( FANOUT_SECONDS + 120 ))
  sleep 3
  c0=$(( $(cpu_ticks "$EDGE_A_PID") + $(cpu_ticks "$EDGE_B_PID") )); t0=$(now_ms)
  harness "$A" $(( FANOUT_CLIENTS / 2 )) replication-two-edges-a & h1=$!
  harness "$B" $(( FANOUT_CLIENTS / 2 )) replication-two-edges-b & h2=$!
  wait $h1 $h2 || true
  c1=$(( $(cpu_ticks "$EDGE_A_PID") + $(cpu_ticks "$EDGE_B_PID") )); t1=$(now_ms)
  if [ -s "$OUT/replication-two-edges-a.json" ] && [ -s "$OUT/replication-two-edges-b.json" ]; then
    fanout_two=$(fanout_summary $(( c1 - c0 )) $(( t1 - t0 )) "$OUT/replication-two-edges-a.json" \
      "$OUT/replication-two-edges-b.json")
  fi
  stop_all
  start server "$OUT/replication-one-server.log" taskset -c 0,1 java ${SERVER_JVM:-} -jar "$JAR" server \
    --queue "$WORK/origin" --port "$A" --host 127.0.0.1 --stale-after-ms 0
  ONE_PID=$LAST_PID
  wait_for 600 0.1 server_ready "$A" || true
  start_simulator "$OUT/replication-simulator-4.log" --queue "$WORK/origin" --rate "$FANOUT_RATE" --matches 0 \
    --burst-every 0 --stats-every 0 --duration $(( FANOUT_SECONDS + 120 ))
  sleep 3
  c0=$(cpu_ticks "$ONE_PID"); t0=$(now_ms)
  harness "$A" "$FANOUT_CLIENTS" replication-one-server || true
  c1=$(cpu_ticks "$ONE_PID"); t1=$(now_ms)
  if [ -s "$OUT/replication-one-server.json" ]; then
    fanout_one=$(fanout_summary $(( c1 - c0 )) $(( t1 - t0 )) "$OUT/replication-one-server.json")
  fi
else
  fanout_two="skipped (no taskset)"
fi

{
  echo "replication over loopback UDP (Aeron), feed host and two edges on this machine ($(nproc) cores;" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end):"
  echo "  first replication (publish + record + replicate): $first"
  echo "  catch-up of a new edge from the archive:          $catchup"
  echo "  delay origin write -> edge replica at $RATE msgs/s: $delay ($(( ${n1%.*} - ${n0%.*} )) records in 20 s;" \
    "edge A's CPU $(( (cpu1 - cpu0) * 100 / $(getconf CLK_TCK) / 20 ))% of a core, serving nobody)"
  echo "  aggregate fan-out, $FANOUT_CLIENTS subscribers to every stock at $FANOUT_RATE msgs/s:"
  echo "    two edges, a core each:   $fanout_two"
  echo "    one server, both cores:   $fanout_one"
} | tee "$REPORT"
stop_all
