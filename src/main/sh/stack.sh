#!/usr/bin/env bash
# make stack: the simulator, the server, NGINX (TLS on a local port, self-signed certificate)
# and Prometheus, with the repository's own configs rendered for local ports under data/stack.
# Ctrl-C stops all four.
set -euo pipefail

JAR=target/tickstream.jar
QUEUE=${QUEUE:-data/queue}
STACK=$(pwd)/data/stack
PORT=${PORT:-8080}
HTTPS_PORT=${HTTPS_PORT:-8443}
HTTP_PORT=${HTTP_PORT:-8081}
PROM_PORT=${PROM_PORT:-9090}

missing=()
{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } || missing+=(nginx)
command -v prometheus >/dev/null || missing+=(prometheus)
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || command -v sudo >/dev/null; }; then
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    echo "installing ${missing[*]} (apt-get)"
    $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
  else
    echo "make stack needs ${missing[*]}: install them (Debian: apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
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

set -m
java -jar "$JAR" simulate --queue "$QUEUE" > "$STACK/simulator.log" 2>&1 & sim=$!
java ${SERVER_JVM:-} -jar "$JAR" server --queue "$QUEUE" --port "$PORT" > "$STACK/server.log" 2>&1 & srv=$!
"$NGINX" -p "$STACK" -c "$STACK/nginx.conf" > "$STACK/nginx.out" 2>&1 & ngx=$!
prometheus --config.file="$STACK/prometheus.yml" --storage.tsdb.path="$STACK/prometheus-data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" > "$STACK/prometheus.log" 2>&1 & prom=$!

stop() {
  trap - INT TERM
  echo
  echo "stopping prometheus ($prom), nginx ($ngx), server ($srv), simulator ($sim)"
  kill -TERM "$prom" "$ngx" "$srv" "$sim" 2>/dev/null || true
  wait "$prom" "$ngx" "$srv" "$sim" 2>/dev/null || true
  exit 0
}
trap stop INT TERM

for port in "$PORT" "$HTTPS_PORT" "$PROM_PORT"; do
  for _ in $(seq 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    for pid in "$sim" "$srv" "$ngx" "$prom"; do
      kill -0 "$pid" 2>/dev/null || { echo "a process of the stack exited; logs in $STACK" >&2; stop; }
    done
    sleep 0.2
  done
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
wait "$srv" "$sim" "$ngx" "$prom"
stop
