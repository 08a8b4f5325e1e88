# Shared by the scripts behind make run, stack, cluster, bench, soak and deps: start the processes
# of a run, wait for them, stop them, render the repo's NGINX and Prometheus configs for local
# ports, read a metric, install missing packages. Source it from bash:
#   . "$(dirname "$0")/lib.sh"
# Every process started through it is remembered by PID, and stop_all stops those and no other.

JAR=${JAR:-target/tickstream.jar}

# PIDs and names of the processes started here and not yet stopped, in start order.
STARTED_PIDS=()
STARTED_NAMES=()
# The PID of the process the last start_* call started.
LAST_PID=

# start NAME LOG COMMAND...: runs COMMAND in the background, its output to LOG ('-' leaves it on
# this terminal), and remembers its PID under NAME.
start() {
  local name=$1 log=$2; shift 2
  if [ "$log" = - ]; then "$@" & else "$@" > "$log" 2>&1 & fi
  LAST_PID=$!
  STARTED_PIDS+=("$LAST_PID")
  STARTED_NAMES+=("$name")
}

# start_simulator LOG FLAG...: the simulator (java -jar $JAR simulate FLAG...). Sets SIMULATOR_PID.
start_simulator() {
  local log=$1; shift
  start simulator "$log" java -jar "$JAR" simulate "$@"
  SIMULATOR_PID=$LAST_PID
}

# start_server LOG "JVM FLAGS" FLAG...: the server (java JVM_FLAGS $SERVER_JVM -jar $JAR server
# FLAG...); the JVM flags are split on spaces, as SERVER_JVM is. Sets SERVER_PID. Named "server",
# or SERVER_NAME (SERVER_NAME=edge1 start_server ...).
start_server() {
  local log=$1 jvm=$2; shift 2
  # shellcheck disable=SC2086  # the flags are words
  start "${SERVER_NAME:-server}" "$log" java $jvm ${SERVER_JVM:-} -jar "$JAR" server "$@"
  SERVER_PID=$LAST_PID
}

# start_publisher LOG FLAG...: the feed host (java -jar $JAR publish FLAG...). Sets PUBLISHER_PID.
start_publisher() {
  local log=$1; shift
  start publisher "$log" java -jar "$JAR" publish "$@"
  PUBLISHER_PID=$LAST_PID
}

# cpu_ticks PID: the process's CPU time (user and system) in clock ticks (getconf CLK_TCK a second);
# nothing, and a failure, when PID is empty or the process is gone.
cpu_ticks() { [ -n "$1" ] && awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }

# port_open PORT: something listens on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# server_ready PORT: the server on 127.0.0.1:PORT answers /health/ready with 200.
server_ready() { curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1; }

# all_running: every process started here is still running; else says which one exited.
all_running() {
  local i
  for i in "${!STARTED_PIDS[@]}"; do
    if ! kill -0 "${STARTED_PIDS[$i]}" 2>/dev/null; then
      echo "the ${STARTED_NAMES[$i]} (${STARTED_PIDS[$i]}) exited" >&2
      return 1
    fi
  done
}

# wait_for TRIES SECONDS CHECK...: runs CHECK up to TRIES times, SECONDS apart, until it
# succeeds. Fails when it never does, or as soon as a process started here has exited.
wait_for() {
  local tries=$1 interval=$2 i; shift 2
  for ((i = 0; i < tries; i++)); do
    "$@" && return 0
    all_running || return 1
    sleep "$interval"
  done
  return 1
}

# stop_all [MESSAGE]: SIGTERM to every process started here and not yet stopped, newest first,
# then waits for them. With MESSAGE, first prints "MESSAGE name (pid), ...".
stop_all() {
  local i list= pids=()
  for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do
    pids+=("${STARTED_PIDS[$i]}")
    list+="${list:+, }${STARTED_NAMES[$i]} (${STARTED_PIDS[$i]})"
  done
  STARTED_PIDS=(); STARTED_NAMES=()
  [ ${#pids[@]} -gt 0 ] || return 0
  [ -z "${1:-}" ] || echo "$1 $list"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}

# wait_started PID: waits for a process started here to exit, forgets it, and returns its status.
wait_started() {
  local pid=$1 rc=0 i
  wait "$pid" || rc=$?
  for i in "${!STARTED_PIDS[@]}"; do
    if [ "${STARTED_PIDS[$i]}" = "$pid" ]; then unset 'STARTED_PIDS[i]' 'STARTED_NAMES[i]'; fi
  done
  STARTED_PIDS=("${STARTED_PIDS[@]}"); STARTED_NAMES=("${STARTED_NAMES[@]}")
  return $rc
}

# stop_all_on_exit: stops every process started here when the script exits, is interrupted
# (Ctrl-C) or is terminated; an interrupted or terminated script then exits 130 or 143.
stop_all_on_exit() {
  trap 'stop_all' EXIT
  trap 'trap - INT; stop_all; exit 130' INT
  trap 'trap - TERM; stop_all; exit 143' TERM
}

# stop_all_on_ctrl_c: Ctrl-C (or SIGTERM) stops every process started here and exits 0. With
# `set -m` before the starts, each process has its own process group, so Ctrl-C reaches only the
# script, which stops them in order (newest first).
stop_all_on_ctrl_c() {
  trap 'trap - INT TERM; echo; stop_all stopping; exit 0' INT TERM
}

# await_ports LOGS PORT...: waits (30 s each) for something to listen on every PORT on 127.0.0.1;
# when a process started here exits meanwhile, says so, points at LOGS, stops the rest and exits.
await_ports() {
  local logs=$1 port; shift
  for port in "$@"; do
    if ! wait_for 150 0.2 port_open "$port" && ! all_running 2>/dev/null; then
      echo "a process exited before it listened; logs in $logs" >&2
      stop_all stopping
      exit 1
    fi
  done
}

# need_front_tools: nginx, prometheus and openssl (make stack, make cluster), installed with apt-get
# when missing; fails saying which otherwise. Sets NGINX to nginx's path.
need_front_tools() {
  local missing=()
  has_nginx || missing+=(nginx)
  command -v prometheus >/dev/null || missing+=(prometheus)
  command -v openssl >/dev/null || missing+=(openssl)
  install_packages "${missing[@]}" || { echo "NGINX and Prometheus in front need ${missing[*]}" >&2; return 1; }
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

# render_nginx DIR HTTPS_PORT HTTP_PORT SERVER_PORT...: the repo's nginx/tickstream.conf for this
# machine, in DIR/tickstream.conf, and DIR/nginx.conf around it (run: nginx -p DIR -c DIR/nginx.conf):
# TLS on HTTPS_PORT with a self-signed certificate (made once), plain http on HTTP_PORT, logs in DIR,
# localhost for example.com, and the upstream's server lines replaced by one per SERVER_PORT
# (127.0.0.1) with the file's own parameters (max_fails=0).
render_nginx() {
  local dir=$1 https=$2 http=$3; shift 3
  mkdir -p "$dir"
  if [ ! -f "$dir/cert.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" -days 365 \
      -subj /CN=localhost 2>/dev/null
  fi
  echo "ssl_protocols TLSv1.2 TLSv1.3;" > "$dir/options-ssl.conf"
  sed -e "s#listen 443 ssl;#listen $https ssl;#" \
      -e "s#listen 80;#listen $http;#" \
      -e "s#/etc/letsencrypt/live/example.com/fullchain.pem#$dir/cert.pem#" \
      -e "s#/etc/letsencrypt/live/example.com/privkey.pem#$dir/key.pem#" \
      -e "s#/etc/letsencrypt/options-ssl-nginx.conf#$dir/options-ssl.conf#" \
      -e "s#ssl_dhparam /etc/letsencrypt/ssl-dhparams.pem;##" \
      -e "s#/var/log/nginx/access.log#$dir/nginx-access.log#" \
      -e "s#return 301 https://\$host\$request_uri;#return 301 https://\$host:$https\$request_uri;#" \
      -e "s#example\.com#localhost#g" \
      nginx/tickstream.conf \
    | awk -v ports="$*" '
        /^[ \t]*server 127\.0\.0\.1:[0-9]+[ ;]/ {
          if (!done) {
            match($0, /^[ \t]*/); indent = substr($0, 1, RLENGTH)
            params = $0; sub(/^[ \t]*server 127\.0\.0\.1:[0-9]+/, "", params)
            n = split(ports, p, " ")
            for (i = 1; i <= n; i++) print indent "server 127.0.0.1:" p[i] params
            done = 1
          }
          next
        }
        { print }' > "$dir/tickstream.conf"
  {
    [ "$(id -u)" = 0 ] && echo "user root;"
    cat <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log $dir/nginx-access.log;
  client_body_temp_path $dir/nginx-body;
  proxy_temp_path $dir/nginx-proxy;
  fastcgi_temp_path $dir/nginx-fastcgi;
  uwsgi_temp_path $dir/nginx-uwsgi;
  scgi_temp_path $dir/nginx-scgi;
  include $dir/tickstream.conf;
}
CONF
  } > "$dir/nginx.conf"
}

# render_prometheus DIR PORT...: the repo's grafana/prometheus/prometheus.yml in DIR/prometheus.yml,
# scraping 127.0.0.1:PORT for each PORT, with the repo's alert rules.
render_prometheus() {
  local dir=$1 targets= port; shift
  for port in "$@"; do targets+="${targets:+, }\"127.0.0.1:$port\""; done
  mkdir -p "$dir"
  sed -e "s#\"localhost:8080\"#$targets#" -e "s#- alerts.yml#- $(pwd)/grafana/prometheus/alerts.yml#" \
    grafana/prometheus/prometheus.yml > "$dir/prometheus.yml"
}

# read_metric FILE NAME [LABEL]: from a Prometheus scrape saved in FILE, the sum of the samples of
# NAME over every label set. NAME may end in a partial label set, e.g. 'jvm_memory_used_bytes{area="heap"'.
# With LABEL, one line per value of that label instead: "VALUE SUM" (e.g. le for a histogram's
# buckets). Prints nothing, and fails, when FILE holds no such sample.
read_metric() {
  [ -r "$1" ] || return 1
  awk -v name="$2" -v label="${3:-}" '
    index($0, name) == 1 && substr($0, length(name) + 1, 1) !~ /[A-Za-z0-9_:]/ {
      if (label == "") { sum += $NF; found = 1; next }
      if (match($0, "[{,]" label "=\"[^\"]*\"")) {
        v = substr($0, RSTART + length(label) + 3, RLENGTH - length(label) - 4)
        if (!(v in by)) { order[++n] = v }
        by[v] += $NF; found = 1
      }
    }
    END {
      if (!found) exit 1
      if (label == "") printf "%.15g\n", sum
      else for (i = 1; i <= n; i++) printf "%s %.15g\n", order[i], by[order[i]]
    }' "$1"
}

# install_packages PACKAGE...: installs the Debian packages with apt-get (sudo when not root);
# fails, saying what to install, where there is no apt-get or no way to be root.
install_packages() {
  [ $# -gt 0 ] || return 0
  if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || command -v sudo >/dev/null; }; then
    local sudo=
    [ "$(id -u)" = 0 ] || sudo=sudo
    echo "installing $* (apt-get)"
    $sudo apt-get update && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "$@"
  else
    echo "no apt-get here: install $* yourself (Debian: apt-get install $*)" >&2
    return 1
  fi
}

# has_nginx: nginx is installed (on root's PATH only, if need be).
has_nginx() { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }
