# tickstream: every way to build, run and test it. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

JAR     := target/tickstream.jar
PORT    ?= 8080
QUEUE   ?= data/queue
MVN     := mvn -B -ntp
# extra JVM flags for the server (none by default), e.g. "-Xms2g -Xmx2g -XX:+AlwaysPreTouch": see the README
SERVER_JVM ?=
export SERVER_JVM
SOURCES := pom.xml $(shell find src/main simulator -type f 2>/dev/null)

.PHONY: help deps build run stack bench soak simulate server test clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

deps: ## install what builds and tests need from Debian's packages when missing (JDK 17, Maven, nginx, prometheus, openssl, curl, chromium)
	@missing=""; \
	{ command -v java >/dev/null && java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; } || missing="$$missing openjdk-17-jdk-headless"; \
	command -v mvn >/dev/null || missing="$$missing maven"; \
	{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } || missing="$$missing nginx"; \
	{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing="$$missing prometheus"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing (apt-get)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  command -v apt-get >/dev/null || { echo "no apt-get here: install$$missing yourself" >&2; exit 1; }; \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $$missing; \
	fi

build: $(JAR) ## build target/tickstream.jar (only when sources changed)

$(JAR): $(SOURCES) | deps
	$(MVN) -q package -DskipTests

run: $(JAR) ## start the simulator and the server (queue under ./data, port 8080); Ctrl-C stops both
	@mkdir -p $(dir $(QUEUE))
	@set -m; \
	java -jar $(JAR) simulate --queue $(QUEUE) & sim=$$!; \
	java $(SERVER_JVM) -jar $(JAR) server --queue $(QUEUE) --port $(PORT) & srv=$$!; \
	stop() { trap - INT TERM; echo; echo "stopping server ($$srv) and simulator ($$sim)"; \
	  kill -TERM $$srv $$sim 2>/dev/null; wait $$srv $$sim 2>/dev/null; exit 0; }; \
	trap stop INT TERM; \
	for i in $$(seq 150); do (exec 3<>/dev/tcp/127.0.0.1/$(PORT)) 2>/dev/null && break; \
	  kill -0 $$srv 2>/dev/null || break; sleep 0.2; done; \
	echo; \
	echo "  dashboard   http://localhost:$(PORT)/"; \
	echo "  WebSocket   ws://localhost:$(PORT)/ws"; \
	echo "  metrics     http://localhost:$(PORT)/metrics"; \
	echo "  topics      http://localhost:$(PORT)/api/topics"; \
	echo "  Ctrl-C stops both"; \
	echo; \
	wait $$srv $$sim; stop

stack: $(JAR) ## simulator, server, NGINX (TLS on 8443) and Prometheus (9090); Ctrl-C stops all
	@bash src/main/sh/stack.sh

bench: $(JAR) ## fixed load scenarios (simulator, server, harness as processes); report in target/bench
	@bash src/main/sh/bench.sh

soak: $(JAR) ## the mixed load for 30 minutes (SOAK_MINUTES=...): heap, RSS, connections and gaps over time, in target/soak
	@bash src/main/sh/soak.sh

simulate: $(JAR) ## run only the simulator, writing to data/queue (QUEUE=...)
	java -jar $(JAR) simulate --queue $(QUEUE)

server: $(JAR) ## run only the server, tailing data/queue on port 8080 (QUEUE=..., PORT=...)
	java $(SERVER_JVM) -jar $(JAR) server --queue $(QUEUE) --port $(PORT)

test: deps ## install what is missing and run every test
	$(MVN) verify

clean: ## remove build output and the local queue
	rm -rf target data
