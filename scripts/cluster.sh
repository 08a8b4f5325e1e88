#!/usr/bin/env bash
# make cluster: the cluster on this machine. The simulator writes the origin queue, the feed host
# (publish) sends it over Aeron, EDGES edges (server --upstream, each with its own replica, port and
# Aeron directory) replicate it, NGINX (the repo's nginx/tickstream.conf, TLS on a local port) spreads
# clients over the edges, and Prometheus scrapes every edge; all under data/cluster. Ctrl-C stops all.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CLUSTER=$(pwd)/data/cluster
PORT=${PORT:-8080}                # the first edge's; the others follow it
EDGES=${EDGES:-3}
FEED_PORT=${FEED_PORT:-9400}      # UDP: FEED_PORT carries the live stream, FEED_PORT+1 the archive's control
HTTPS_PORT=${HTTPS_PORT:-8443}
HTTP_PORT=${HTTP_PORT:-8088}
PROM_PORT=${PROM_PORT:-9090}
# every process's own Aeron directory, in memory where /dev/shm is there
SHM=/dev/shm
[ -d "$SHM" ] && [ -w "$SHM" ] || SHM=$CLUSTER

need_front_tools || exit 1
mkdir -p "$CLUSTER"
EDGE_PORTS=()
for ((i = 0; i < EDGES; i++)); do EDGE_PORTS+=($((PORT + i))); done
# the repo's nginx/tickstream.conf with the edges as its upstream; the repo's prometheus.yml on every edge
render_nginx "$CLUSTER" "$HTTPS_PORT" "$HTTP_PORT" "${EDGE_PORTS[@]}"
render_prometheus "$CLUSTER" "${EDGE_PORTS[@]}"

# own process groups: Ctrl-C reaches this script only, which stops them all in order
set -m
start_simulator "$CLUSTER/simulator.log" --queue "$CLUSTER/queue"
start_publisher "$CLUSTER/publisher.log" --queue "$CLUSTER/queue" --listen "127.0.0.1:$FEED_PORT" \
  --archive-dir "$CLUSTER/archive" --aeron-dir "$SHM/tickstream-cluster-publisher"
EDGE_PIDS=()
for ((i = 1; i <= EDGES; i++)); do
  SERVER_NAME=edge$i start_server "$CLUSTER/edge$i.log" "" --queue "$CLUSTER/replica-edge$i" --host 127.0.0.1 \
    --port "${EDGE_PORTS[i - 1]}" --upstream "127.0.0.1:$FEED_PORT" --aeron-dir "$SHM/tickstream-cluster-edge$i"
  EDGE_PIDS+=("$SERVER_PID")
done
start nginx "$CLUSTER/nginx.out" "$NGINX" -p "$CLUSTER" -c "$CLUSTER/nginx.conf"
start prometheus "$CLUSTER/prometheus.log" prometheus --config.file="$CLUSTER/prometheus.yml" \
  --storage.tsdb.path="$CLUSTER/prometheus-data" --web.listen-address="127.0.0.1:$PROM_PORT"
stop_all_on_ctrl_c
await_ports "$CLUSTER" "${EDGE_PORTS[@]}" "$HTTPS_PORT" "$PROM_PORT"

# each edge ready: caught up with the feed host, the newest record it holds sent at most 1 s ago
for port in "${EDGE_PORTS[@]}"; do
  if ! wait_for 300 0.2 server_ready "$port"; then
    all_running 2>/dev/null || { echo "logs in $CLUSTER" >&2; stop_all stopping; exit 1; }
    echo "the edge on $port is not ready yet: http://localhost:$port/health/ready says why" >&2
  fi
done

echo
echo "  page (TLS)   https://localhost:$HTTPS_PORT/        (self-signed certificate; NGINX picks an edge)"
echo "  WebSocket    wss://localhost:$HTTPS_PORT/ws"
echo "  plain http   http://localhost:$HTTP_PORT/          (redirects to https)"
for ((i = 1; i <= EDGES; i++)); do
  echo "  edge$i        http://localhost:${EDGE_PORTS[i - 1]}/          (direct: /health/ready, /metrics; pid ${EDGE_PIDS[i - 1]})"
done
cat <<URLS
  feed host    udp 127.0.0.1:$FEED_PORT (live stream) and $((FEED_PORT + 1)) (archive control); pid $PUBLISHER_PID
  prometheus   http://localhost:$PROM_PORT/          (every edge; alerts: /alerts)
  grafana      import grafana/dashboards/tickstream.json (its Cluster row), or use grafana/provisioning
  logs         $CLUSTER/*.log
  kill -9 an edge's pid: the page reconnects through NGINX to another edge and resumes
  Ctrl-C stops all

URLS
wait "${STARTED_PIDS[@]}" || true
echo
stop_all stopping
