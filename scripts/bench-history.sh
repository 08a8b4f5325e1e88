#!/usr/bin/env bash
# Reads of the past, the part of make bench for issue 17. A queue of HISTORY_RECORDS records
# (3,600,000 by default: an hour at 1,000 records/s) of 500 symbols and 16 matches, written at once,
# and a server on it; once the server has indexed it, over one connection (java -jar ... client,
# each request sent when the last is answered):
#   1. 20 snapshots of every topic (stocks.* and sports.>) at seqs in the oldest tenth of the
#      queue (an hour back), from the request to the whole answer;
#   2. 10 replays of "half a second" of stocks.AAPL from that hour back, at speed 0, the time to their
#      `replaying` answer: the window found (time to seq) and counted. The queue is written in seconds,
#      not in an hour: the window is the queue's time span / 7,200, so that it holds as many records
#      as half a second of an hour at 1,000 records/s.
# The first request of each kind warms the server up and is not counted.
# Writes target/bench/history.txt. Every process started here is stopped here, by PID.
set -euo pipefail
JAR=${BENCH_JAR:-target/tickstream.jar}
. "$(dirname "$0")/lib.sh"
OUT=target/bench
WORK=$(pwd)/data/bench/history
RECORDS=${HISTORY_RECORDS:-3600000}
PORT=${BENCH_PORT:-18490}
REPORT="$OUT/history.txt"
mkdir -p "$OUT"
rm -rf "$WORK"
mkdir -p "$WORK"
stop_all_on_exit

echo "history: writing $RECORDS records"
java -jar "$JAR" simulate --queue "$WORK/queue" --rate 2000000 --count "$RECORDS" --burst-every 0 --seed 1 \
  --matches 16 --stats-every 0 > "$OUT/history-simulator.log" 2>&1
last=$(sed -n 's/.*last seq \([0-9]*\).*/\1/p' "$OUT/history-simulator.log" | tail -1)
first=$((last - RECORDS + 1))   # one cycle file: the records of a cycle have consecutive seqs
start_server "$OUT/history-server.log" "" --queue "$WORK/queue" --port "$PORT" --host 127.0.0.1 --stale-after-ms 0 \
  --max-replays 20
indexed() {
  curl -s "http://127.0.0.1:$PORT/metrics" > "$WORK/metrics" || return 1
  [ "$(read_metric "$WORK/metrics" tickstream_feed_index_records | cut -d. -f1)" -ge "$RECORDS" ] 2>/dev/null
}
started=$(date +%s%N)
wait_for 600 0.1 indexed || { echo "history: the server did not index the queue (see $OUT/history-server.log)"; exit 1; }
index_ms=$(( ($(date +%s%N) - started) / 1000000 ))

client() {  # client LOG MESSAGE...: one connection, each message sent once the last is answered
  local log=$1; shift
  local args=()
  for m in "$@"; do args+=(--send "$m"); done
  java -jar "$JAR" client --url "ws://127.0.0.1:$PORT/ws" --timing --seconds 120 "${args[@]}" --until "$UNTIL" \
    > "$log" 2> "$log.timing"
}
tenth=$((RECORDS / 10))
snapshots=("{\"op\":\"snapshot\",\"id\":\"warm\",\"topics\":[\"stocks.*\",\"sports.>\"],\"at\":$((first + 10))}"
  "{\"op\":\"snapshot\",\"id\":\"end\",\"topics\":[\"stocks.*\",\"sports.>\"],\"at\":$last}")
for i in $(seq 1 20); do
  snapshots+=("{\"op\":\"snapshot\",\"id\":\"s$i\",\"topics\":[\"stocks.*\",\"sports.>\"],\"at\":$((first + RANDOM * 32768 % tenth + RANDOM % 1000))}")
done
UNTIL=snapshot client "$WORK/snapshots.out" "${snapshots[@]}"
topics=$(python3 -c 'import json,sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m["type"] == "snapshot" and m["id"] == "s1": print(len(m["messages"])); break' "$WORK/snapshots.out")
# the queue's first and last ts, from the snapshots at its start and at its end
read -r from_ts to_ts < <(python3 -c 'import json,sys
ts = {}
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m["type"] == "snapshot" and m["id"] in ("warm", "end"): ts[m["id"]] = max(x["ts"] for x in m["messages"])
print(ts["warm"], ts["end"])' "$WORK/snapshots.out")
window=$(( (to_ts - from_ts) / 7200 ))
replays=("{\"op\":\"replay\",\"id\":\"warm\",\"topics\":[\"stocks.AAPL\"],\"fromTime\":$from_ts,\"toTime\":$((from_ts + window)),\"speed\":0}")
for i in $(seq 1 10); do
  start_ts=$((from_ts + (to_ts - from_ts) * i / 100))
  replays+=("{\"op\":\"replay\",\"id\":\"r$i\",\"topics\":[\"stocks.AAPL\"],\"fromTime\":$start_ts,\"toTime\":$((start_ts + window)),\"speed\":0}")
done
UNTIL=replayed client "$WORK/replays.out" "${replays[@]}"
count=$(python3 -c 'import json,sys
n = [json.loads(l) for l in open(sys.argv[1])]
print(sum(m["count"] for m in n if m["type"] == "replaying" and m["id"] != "warm"))' "$WORK/replays.out")

summary() {  # summary FILE WHAT ID: p50 and max of the "answered" times of ids ID1, ID2, ...
  sed -n "s/client: $2 answered $3[0-9]* in \([0-9.]*\) ms/\1/p" "$1" | sort -n | awk '
    { v[NR] = $1 } END { if (NR == 0) { print "–"; exit } printf "p50 %.1f ms, max %.1f ms (%d requests)", v[int((NR + 1) / 2)], v[NR], NR }'
}
{
  echo "reads of the past, $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "queue: $RECORDS records, one cycle file; indexed $index_ms ms after the server's start"
  echo "snapshot at a seq in the oldest tenth, $topics topics: $(summary "$WORK/snapshots.out.timing" snapshot s)"
  echo "replay of an hour's 0.5 s ($window µs of this queue) of stocks.AAPL from then, to replaying ($count messages" \
    "in all): $(summary "$WORK/replays.out.timing" replaying r)"
} | tee "$REPORT"
