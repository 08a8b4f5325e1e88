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

missing=()
has_nginx || missing+=(nginx)
command -v prometheus >/dev/null || missing+=(prometheus)
command -v openssl >/dev/null || missing+=(openssl)
install_packages "${missing[@]}" || { echo "make stack needs ${missing[*]}" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

mkdir -p "$STACK" "$(dirname "$QUEUE")"
if [ ! -f "$STACK/cert.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$STACK/key.pem" -out "$STACK/cert.pem" -days 365 \
    -subj /CN=localhost 2>/dev/null
fi
echo "ssl_protocols TLSv1.2 TLSv1.3;" > "$STACK/options-ssl.conf"

# The repo's nginx/tickstream.conf, for this machine: local ports, the self-signed certificate,
# and localhost instead of example.com.
sed -e "s#server 127.0.0.1:8080;#server 127.0.0.1:$PORT;#" \
    -e "s#listen 443 ssl;#listen $HTTPS_PORT ssl;#" \
    -e "s#listen 80;#listen $HTTP_PORT;#" \
    -e "s#/etc/letsencrypt/live/example.com/fullchain.pem#$STACK/cert.pem#" \
    -e "s#/etc/letsencrypt/live/example.com/privkey.pem#$STACK/key.pem#" \
    -e "s#/etc/letsencrypt/options-ssl-nginx.conf#$STACK/options-ssl.conf#" \
    -e "s#ssl_dhparam /etc/letsencrypt/ssl-dhparams.pem;##" \
    -e "s#return 301 https://\$host\$request_uri;#return 301 https://\$host:$HTTPS_PORT\$request_uri;#" \
    -e "s#example\.com#localhost#g" \
    nginx/tickstream.conf > "$STACK/tickstream.conf"
{
  [ "$(id -u)" = 0 ] && echo "user root;"
  cat <<CONF
worker_processes 1;
daemon off;
pid $STACK/nginx.pid;
error_log $STACK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log $STACK/nginx-access.log;
  client_body_temp_path $STACK/nginx-body;
  proxy_temp_path $STACK/nginx-proxy;
  fastcgi_temp_path $STACK/nginx-fastcgi;
  uwsgi_temp_path $STACK/nginx-uwsgi;
  scgi_temp_path $STACK/nginx-scgi;
  include $STACK/tickstream.conf;
}
CONF
} > "$STACK/nginx.conf"

sed -e "s#localhost:8080#127.0.0.1:$PORT#" -e "s#- alerts.yml#- $(pwd)/grafana/prometheus/alerts.yml#" \
    grafana/prometheus/prometheus.yml > "$STACK/prometheus.yml"

# own process groups: Ctrl-C reaches this script only, which stops all four in order
set -m
start_simulator "$STACK/simulator.log" --queue "$QUEUE"
start_server "$STACK/server.log" "" --queue "$QUEUE" --port "$PORT"
start nginx "$STACK/nginx.out" "$NGINX" -p "$STACK" -c "$STACK/nginx.conf"
start prometheus "$STACK/prometheus.log" prometheus --config.file="$STACK/prometheus.yml" \
  --storage.tsdb.path="$STACK/prometheus-data" --web.listen-address="127.0.0.1:$PROM_PORT"
trap 'trap - INT TERM; echo; stop_all stopping; exit 0' INT TERM

for port in "$PORT" "$HTTPS_PORT" "$PROM_PORT"; do
  if ! wait_for 150 0.2 port_open "$port" && ! all_running 2>/dev/null; then
    echo "a process of the stack exited; logs in $STACK" >&2
    stop_all stopping
    exit 0
  fi
done

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
