#!/usr/bin/env bash
# make run: the simulator and the server, in the foreground of this terminal, with their URLs.
# Ctrl-C stops both (by PID; nothing else).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

QUEUE=${QUEUE:-data/queue}
PORT=${PORT:-8080}
mkdir -p "$(dirname "$QUEUE")"

# own process groups: Ctrl-C reaches this script only, which stops both in order
set -m
start_simulator - --queue "$QUEUE"
start_server - "" --queue "$QUEUE" --port "$PORT"
stop_all_on_ctrl_c
wait_for 150 0.2 port_open "$PORT" || true

cat <<URLS

  dashboard   http://localhost:$PORT/
  WebSocket   ws://localhost:$PORT/ws
  metrics     http://localhost:$PORT/metrics
  topics      http://localhost:$PORT/api/topics
  Ctrl-C stops both

URLS
wait "$SERVER_PID" "$SIMULATOR_PID" || true
echo
stop_all stopping
