#!/usr/bin/env bash
# make soak: the mixed load for SOAK_MINUTES (default 30) against a simulator and a server run as
# processes; every SOAK_SAMPLE seconds (default 30) a line with the server's live heap (after a
# full GC), RSS, open connections and the harness's gap count; one CSV and a summary at the end.
# Loopback only; every process started here is stopped here, by PID.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT=target/soak
WORK=$(pwd)/data/soak
PORT=${SOAK_PORT:-18580}
MINUTES=${SOAK_MINUTES:-30}
SAMPLE=${SOAK_SAMPLE:-30}
CLIENTS=${SOAK_CLIENTS:-2000}
mkdir -p "$OUT" "$WORK"
rm -rf "$WORK/queue"
CSV="$OUT/soak.csv"
echo "elapsed_s,live_heap_mib,rss_mib,connections,deliveries_total" > "$CSV"

stop_all_on_exit
start_simulator "$OUT/simulator.log" --queue "$WORK/queue" --rate 2000 --matches 16 --seed 1 --stats-every 0
start_server "$OUT/server.log" "-Xms512m -Xmx1g" --queue "$WORK/queue" --port "$PORT" --host 127.0.0.1
srv=$SERVER_PID
wait_for 100 0.2 server_ready "$PORT" || true
sleep 3
start harness "$OUT/harness.log" java -jar "$JAR" loadtest --url "ws://127.0.0.1:$PORT/ws" --clients "$CLIENTS" \
  --symbols 10 --matches 2 --ramp 500 --duration $((MINUTES * 60)) --name soak --out "$OUT"
load=$LAST_PID

# the sum of a meter's samples in a scrape taken now, 0 when there is none
SCRAPE="$OUT/metrics-sample.txt"
metric() { read_metric "$SCRAPE" "$1" || echo 0; }
start=$(date +%s)
echo "soak: $CLIENTS clients, mixed subscriptions, ${MINUTES} min; a sample every ${SAMPLE} s (also $CSV)"
printf "%8s %14s %8s %12s %16s\n" elapsed "live heap MiB" "RSS MiB" connections deliveries
while kill -0 $load 2>/dev/null; do
  sleep "$SAMPLE"
  kill -0 $load 2>/dev/null || break
  jcmd $srv GC.run >/dev/null 2>&1 || true
  curl -s "http://127.0.0.1:$PORT/metrics" > "$SCRAPE" || true
  heap=$(( $(metric 'jvm_memory_used_bytes{area="heap"') / 1048576 ))
  rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/$srv/status)
  conns=$(metric tickstream_connections)
  sent=$(metric 'tickstream_messages_sent_total')
  el=$(( $(date +%s) - start ))
  echo "$el,$heap,$rss,$conns,$sent" >> "$CSV"
  printf "%8s %14s %8s %12s %16s\n" "${el}s" "$heap" "$rss" "$conns" "$sent"
done
wait_started "$load" && rc=0 || rc=$?
echo
grep -v "^t=" "$OUT/harness.log" | grep -E "^scenario|deliveries per second|gaps / reorders|disconnects|p99 " || true
python3 - "$CSV" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
if len(rows) >= 3:
    half = rows[len(rows) // 3:]          # after the ramp and the first GCs
    heaps = [int(r["live_heap_mib"]) for r in half]; rss = [int(r["rss_mib"]) for r in half]
    print(f"live heap after the first third: {min(heaps)}..{max(heaps)} MiB (growth {heaps[-1] - heaps[0]:+d} MiB); "
          f"RSS {min(rss)}..{max(rss)} MiB (growth {rss[-1] - rss[0]:+d} MiB)")
PY
exit $rc
