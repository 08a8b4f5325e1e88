#!/usr/bin/env bash
# make stack: the simulator, the server, NGINX (TLS on a local port, self-signed certificate)
# and Prometheus, with the repository's own configs rendered for local ports under data/stack.
# Ctrl-C stops all four.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

QUEUE=${QUEUE:-data/queue}
STACK=$(pwd)/data/stack
PORT=${PORT:-8080}
HTTPS_PORT=${HTTPS_PORT:-8443}
HTTP_PORT=${HTTP_PORT:-8081}
PROM_PORT=${PROM_PORT:-9090}

need_front_tools || exit 1
mkdir -p "$STACK" "$(dirname "$QUEUE")"
# the repo's nginx/tickstream.conf with its upstream the one server; the repo's prometheus.yml
render_nginx "$STACK" "$HTTPS_PORT" "$HTTP_PORT" "$PORT"
render_prometheus "$STACK" "$PORT"

# own process groups: Ctrl-C reaches this script only, which stops all four in order
set -m
start_simulator "$STACK/simulator.log" --queue "$QUEUE"
start_server "$STACK/server.log" "" --queue "$QUEUE" --port "$PORT"
start nginx "$STACK/nginx.out" "$NGINX" -p "$STACK" -c "$STACK/nginx.conf"
start prometheus "$STACK/prometheus.log" prometheus --config.file="$STACK/prometheus.yml" \
  --storage.tsdb.path="$STACK/prometheus-data" --web.listen-address="127.0.0.1:$PROM_PORT"
stop_all_on_ctrl_c
await_ports "$STACK" "$PORT" "$HTTPS_PORT" "$PROM_PORT"

cat <<URLS

  page (TLS)   https://localhost:$HTTPS_PORT/        (self-signed certificate)
  WebSocket    wss://localhost:$HTTPS_PORT/ws
  plain http   http://localhost:$HTTP_PORT/          (redirects to https)
  server       http://localhost:$PORT/               (direct; /metrics here)
  prometheus   http://localhost:$PROM_PORT/          (alerts: /alerts)
  grafana      import grafana/dashboards/tickstream.json, or use grafana/provisioning
  logs         $STACK/*.log
  Ctrl-C stops all four

URLS
wait "${STARTED_PIDS[@]}" || true
echo
stop_all stopping
