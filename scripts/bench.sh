#!/usr/bin/env bash
# make bench: the simulator, the server and the load-test harness as separate processes, a fixed
# set of scenarios, the server's /metrics scraped at the end of each, one report. Loopback only;
# every process started here is stopped here, by PID.
set -euo pipefail
JAR=${BENCH_JAR:-target/tickstream.jar}
. "$(dirname "$0")/lib.sh"
HERE=$(dirname "$0")

OUT=target/bench
WORK=$(pwd)/data/bench
PORT=${BENCH_PORT:-18480}
DURATION=${BENCH_DURATION:-30}
# the window of the server's own figures (latency, allocation, GC pauses), ending 3 s before the run
WINDOW=${BENCH_WINDOW:-10}
# latency counts from this long after every connection was answered (ramp, snapshots, JIT)
WARMUP=$(( DURATION > 20 ? 10 : DURATION / 3 ))
mkdir -p "$OUT" "$WORK"
SUMMARY="$OUT/summary.md"
echo "| scenario | clients | feed msgs/s (measured) | deliveries/s | delivery ratio | p50 | p99 | p99.9 | max | p99, last 10 s | server p50, last ${WINDOW} s | server p99, last ${WINDOW} s | gaps | server CPU s | harness CPU s | server PSS MiB | live heap before clients MiB | live heap MiB | live heap per client KB (above the heap before) | server bytes allocated per delivery, last ${WINDOW} s | server GC pauses, last ${WINDOW} s (count, longest) | harness CPU per message, last ${WINDOW} s, µs | server transport |" > "$SUMMARY"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|" >> "$SUMMARY"

stop_all_on_exit

# first the machine's own floor for below-saturation: the same loopback writes and reads in C,
# with nothing of ours (src/bench/loopback_floor.c); skipped where there is no C compiler
FLOOR="$OUT/loopback-floor.txt"
rm -f "$FLOOR"
if [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" floor "* ]]; then
  if ! command -v gcc >/dev/null; then
    echo "loopback floor: skipped (no gcc)" | tee "$FLOOR"
  elif ! gcc -O2 -pthread -o "$OUT/loopback-floor" src/bench/loopback_floor.c; then
    echo "loopback floor: skipped (it did not compile)" | tee "$FLOOR"
  else
    # never let the floor end the run: the scenarios do not depend on it
    "$OUT/loopback-floor" 1000 100 10 170 | tee "$FLOOR" || echo "loopback floor: failed (see above)" | tee "$FLOOR"
  fi
fi

# then the time to ready on a queue of 10 million records (STARTUP_RECORDS): the server reads the
# whole queue for the latest message of every topic before it is ready. The queue is written once
# and kept under data/bench for later runs; each start is timed from exec to /health/ready 200.
STARTUP="$OUT/startup.txt"
rm -f "$STARTUP"
if [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" startup "* ]]; then
  records=${STARTUP_RECORDS:-10000000}
  squeue="$WORK/startup-$records"
  if [ ! -f "$squeue.done" ]; then
    rm -rf "$squeue"
    echo "startup: writing $records records to $squeue (once)"
    java -jar "$JAR" simulate --queue "$squeue" --rate 2000000 --count "$records" --burst-every 0 --seed 1 \
      --stats-every 0 > "$OUT/startup-simulator.log" 2>&1
    touch "$squeue.done"
  fi
  for run in 1 2 3; do
    t0=$(date +%s%N)
    start_server "$OUT/startup-server-$run.log" "-Xms2g -Xmx2g" --queue "$squeue" --port "$PORT" --host 127.0.0.1 \
      --stale-after-ms 0
    ready=""
    if wait_for 1200 0.05 server_ready "$PORT"; then ready=$(( ($(date +%s%N) - t0) / 1000000 )); fi
    topics=$(curl -s "http://127.0.0.1:$PORT/api/topics" | grep -o '{"topic"' | wc -l || true)
    scan=$(grep -o 'loaded the latest message of .*' "$OUT/startup-server-$run.log" || true)
    echo "startup run $run: $records records, ready after ${ready:-never} ms, $topics topics listed; $scan" | tee -a "$STARTUP"
    stop_all
  done
fi

# cpu_seconds PID: cpu_ticks in seconds; nothing when the process is gone
cpu_seconds() {
  local ticks
  ticks=$(cpu_ticks "$1") || return 0
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f\n", t / hz }'
}

# the scenarios run, in order: a row each on the summary page (index.html)
RAN=()

# scenario NAME RATE MATCHES "SERVER FLAGS" -- harness flags...
scenario() {
  local name=$1 rate=$2 matches=$3 server_flags=$4; shift 5
  if [ -n "${BENCH_ONLY:-}" ] && [[ " $BENCH_ONLY " != *" $name "* ]]; then return; fi
  RAN+=("$name")
  local queue="$WORK/$name"
  rm -rf "$queue"
  rm -f "$OUT/$name.json"   # a report left from an earlier run must not stand in for this one
  start_simulator "$OUT/$name-simulator.log" --queue "$queue" --rate "$rate" --matches "$matches" --burst-every 0 \
    --seed 1 --stats-every 0
  # shellcheck disable=SC2086  # the server flags are words
  rm -f "$OUT/$name-gc.log"
  start_server "$OUT/$name-server.log" "-Xms2g -Xmx2g -XX:+AlwaysPreTouch -Xlog:gc,gc+phases:file=$OUT/$name-gc.log:time" \
    --queue "$queue" --port "$PORT" \
    --host 127.0.0.1 $server_flags
  local srv=$SERVER_PID
  wait_for 100 0.2 server_ready "$PORT" || true
  sleep 3   # let every topic appear
  # the server's own live heap before any client: what each connection adds is measured above it
  jcmd "$srv" GC.class_histogram > "$OUT/$name-histogram-baseline.txt" 2>&1 || true
  local cpu0; cpu0=$(cpu_ticks "$srv" || echo 0)
  # the server's own latency (feed write to socket write) and the feed's rate over 10 s near the
  # end: two scrapes, their counters subtracted (each stamped when asked for). Then, once the
  # harness has stopped measuring and holds its connections open (--hold), the live heap: the
  # full GC it takes must not pause the measured window.
  local window_at=$(( DURATION > WINDOW + 4 ? DURATION - WINDOW - 3 : 1 ))
  rm -f "$OUT/$name-harness.pid" "$OUT/$name-harness-cpu-window"{0,1}.txt
  ( sleep "$window_at"; date +%s.%N > "$OUT/$name-metrics-window0.at"
    cpu_seconds "$(cat "$OUT/$name-harness.pid" 2>/dev/null)" > "$OUT/$name-harness-cpu-window0.txt"
    curl -s -m 5 "http://127.0.0.1:$PORT/metrics" > "$OUT/$name-metrics-window0.txt" || true
    sleep "$WINDOW"; date +%s.%N > "$OUT/$name-metrics-window1.at"
    cpu_seconds "$(cat "$OUT/$name-harness.pid" 2>/dev/null)" > "$OUT/$name-harness-cpu-window1.txt"
    curl -s -m 5 "http://127.0.0.1:$PORT/metrics" > "$OUT/$name-metrics-window1.txt" || true
    sleep 5
    # the live objects after a full GC, counted by the JVM itself (GC.class_histogram): exact
    # under any collector, where "used" after a ZGC cycle counts whole pages
    jcmd "$srv" GC.class_histogram > "$OUT/$name-histogram.txt" 2>&1 || true
    curl -s --retry 5 --retry-all-errors --retry-delay 1 "http://127.0.0.1:$PORT/metrics" \
      > "$OUT/$name-metrics-live.txt" || true ) & local probe=$!
  # the harness's PID (the subshell's, which java then takes over) for its CPU over the window
  ( echo "$BASHPID" > "$OUT/$name-harness.pid"
    exec java -jar "$JAR" loadtest --url "ws://127.0.0.1:$PORT/ws" --duration "$DURATION" --hold 8 --name "$name" \
      --out "$OUT" "$@" ) 2>&1 \
    | tee "$OUT/$name-harness.log" | grep -E "^t=.*(5|0)s|scenario|deliveries|p99 |gaps" || true
  wait $probe || true
  # an overloaded server may answer late: retry, and never let a lost scrape end the whole run
  curl -s --retry 5 --retry-all-errors --retry-delay 1 "http://127.0.0.1:$PORT/metrics" > "$OUT/$name-metrics.txt" || true
  local cpu1; cpu1=$(cpu_ticks "$srv" || echo 0)
  # PSS, not RSS: a pre-touched heap, or ZGC's three mappings of it, make RSS say little
  local rss; rss=$(awk '/^Pss:/ {printf "%.0f", $2/1024}' /proc/$srv/smaps_rollup 2>/dev/null || echo 0)
  local heap; heap=$(awk '/^Total/ {printf "%.1f", $3/1048576}' "$OUT/$name-histogram.txt" 2>/dev/null || true)
  local base; base=$(awk '/^Total/ {printf "%.1f", $3/1048576}' "$OUT/$name-histogram-baseline.txt" 2>/dev/null || true)
  if [ ! -s "$OUT/$name.json" ]; then
    echo "| $name | the harness wrote no report: see $OUT/$name-harness.log |" >> "$SUMMARY"
    stop_all
    return
  fi
  local hz; hz=$(getconf CLK_TCK)
  # the feed's rate and the server's latency over the 10 s window: the two scrapes' counters
  local w0="$OUT/$name-metrics-window0" w1="$OUT/$name-metrics-window1"
  read_metric "$w0.txt" tickstream_delivery_latency_seconds_bucket le > "$w0-latency-buckets.txt" || true
  read_metric "$w1.txt" tickstream_delivery_latency_seconds_bucket le > "$w1-latency-buckets.txt" || true
  python3 "$HERE/bench-summary.py" --report "$OUT/$name.json" --nominal-rate "$rate" \
    --window-start "$(cat "$w0.at" 2>/dev/null || true)" --window-end "$(cat "$w1.at" 2>/dev/null || true)" \
    --feed-messages-start "$(read_metric "$w0.txt" tickstream_feed_messages_total || true)" \
    --feed-messages-end "$(read_metric "$w1.txt" tickstream_feed_messages_total || true)" \
    --tailer-lag-start "$(read_metric "$w0.txt" tickstream_tailer_lag_seconds || true)" \
    --tailer-lag-end "$(read_metric "$w1.txt" tickstream_tailer_lag_seconds || true)" \
    --latency-buckets-start "$w0-latency-buckets.txt" --latency-buckets-end "$w1-latency-buckets.txt" \
    --server-cpu-seconds "$(( (cpu1 - cpu0) / hz ))" --server-pss-mib "$rss" \
    --live-heap-mib "${heap:-}" --live-heap-before-mib "${base:-}" \
    --allocated-start "$(read_metric "$w0.txt" jvm_allocated_bytes_total || true)" \
    --allocated-end "$(read_metric "$w1.txt" jvm_allocated_bytes_total || true)" \
    --sent-start "$(read_metric "$w0.txt" tickstream_messages_sent_total || true)" \
    --sent-end "$(read_metric "$w1.txt" tickstream_messages_sent_total || true)" \
    --gc-log "$OUT/$name-gc.log" \
    --harness-cpu-start "$(cat "$OUT/$name-harness-cpu-window0.txt" 2>/dev/null || true)" \
    --harness-cpu-end "$(cat "$OUT/$name-harness-cpu-window1.txt" 2>/dev/null || true)" \
    --transport "$(read_metric "$OUT/$name-metrics.txt" tickstream_network_transport transport | awk '$2 == 1 { print $1 }' || true)" \
    >> "$SUMMARY"
  stop_all
}

# the cluster's replication (issue 15): its own script, its own processes, target/bench/replication.txt
REPLICATION="$OUT/replication.txt"
rm -f "$REPLICATION"
if [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" replication "* ]]; then
  BENCH_JAR="$JAR" "$HERE/bench-replication.sh" || echo "replication: failed (see $OUT/replication-*.log)"
fi

# reads of the past (issue 17): snapshots at a seq and replays an hour back, target/bench/history.txt
HISTORY="$OUT/history.txt"
rm -f "$HISTORY"
if [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" history "* ]]; then
  BENCH_JAR="$JAR" "$HERE/bench-history.sh" || echo "history: failed (see $OUT/history-*.log)"
fi

scenario fanout-1k 1000 0 "" -- --clients 1000 --all-stocks-share 1 --contiguous --ramp 2000 --warmup "$WARMUP"
# one traced subscriber among the 1,000 (issue 18): what latency provenance costs the rest
scenario fanout-1k-traced 1000 0 "" -- --clients 1000 --all-stocks-share 1 --contiguous --ramp 2000 --warmup "$WARMUP" \
  --traced-clients 1
# fan-out at 4M and 8M deliveries/s asked (issue 16): past what one core of this machine serves,
# measured with a harness that costs a fraction of the server per message
scenario fanout-4m 4000 0 "" -- --clients 1000 --all-stocks-share 1 --contiguous --ramp 2000 --warmup "$WARMUP"
scenario fanout-8m 8000 0 "" -- --clients 1000 --all-stocks-share 1 --contiguous --ramp 2000 --warmup "$WARMUP"
scenario fanout-1k-linger20 1000 0 "--batch-linger-ms 20" -- --clients 1000 --all-stocks-share 1 --contiguous --ramp 2000 --warmup "$WARMUP"
scenario below-saturation 100 0 "" -- --clients 1000 --all-stocks-share 1 --contiguous --ramp 2000 --warmup "$WARMUP"
scenario below-saturation-linger20 100 0 "--batch-linger-ms 20" -- --clients 1000 --all-stocks-share 1 --contiguous --ramp 2000 --warmup "$WARMUP"
# many subscribers on a slow feed (issue 16): nothing to pack, one write per subscriber per message
scenario fanout-10k-slow 20 0 "" -- --clients 10000 --all-stocks-share 1 --contiguous --ramp 5000 --warmup "$WARMUP"
scenario fanout-5k 1000 0 "--batch-linger-ms 20" -- --clients 5000 --all-stocks-share 1 --contiguous --ramp 2500 --warmup "$WARMUP"
scenario mixed 5000 16 "" -- --clients 5000 --symbols 10 --matches 2 --ramp 2500 --warmup "$WARMUP"
scenario slow 5000 16 "" -- --clients 5000 --symbols 10 --matches 2 --ramp 2500 --warmup "$WARMUP" --slow-share 0.1
# the same two with 100 ms batches: fewer, fuller frames (about 10 messages each instead of 6)
scenario mixed-linger100 5000 16 "--batch-linger-ms 100" -- --clients 5000 --symbols 10 --matches 2 --ramp 2500 --warmup "$WARMUP"
scenario slow-linger100 5000 16 "--batch-linger-ms 100" -- --clients 5000 --symbols 10 --matches 2 --ramp 2500 --warmup "$WARMUP" --slow-share 0.1
# mixed and slow at a load this 2-core machine carries (the 5,000-subscriber ones saturate it):
# what slow readers do to healthy ones, measured rather than drowned in the overload
scenario mixed-1k 1000 16 "" -- --clients 1000 --symbols 10 --matches 2 --ramp 1000 --warmup "$WARMUP"
scenario slow-1k 1000 16 "" -- --clients 1000 --symbols 10 --matches 2 --ramp 1000 --warmup "$WARMUP" --slow-share 0.1
scenario idle 100 0 "" -- --clients 10000 --symbols 0 --matches 0 --ramp 5000
python3 "$HERE/bench-index.py" --out "$OUT" ${RAN[@]+"${RAN[@]}"}
echo
echo "Results (also in $SUMMARY, and $OUT/index.html linking each scenario's report; per scenario: JSON,"
echo "HTML report, logs and /metrics under $OUT):"
cat "$SUMMARY"
if [ -s "$FLOOR" ]; then echo; cat "$FLOOR"; fi
if [ -s "$STARTUP" ]; then echo; cat "$STARTUP"; fi
if [ -s "$REPLICATION" ]; then echo; cat "$REPLICATION"; fi
