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

# make loadtest: the harness's target and size; unset, the loadtest command's own defaults (or its
# TICKSTREAM_LOADTEST_* variables) apply: ws://localhost:8080/ws, 1000 clients, 30 s
URL      ?=
CLIENTS  ?=
DURATION ?=
# any other loadtest flags, e.g. "--symbols 5 --slow-share 0.1" (java -jar target/tickstream.jar loadtest --help)
LOADTEST_FLAGS ?=

.PHONY: help deps build run stack cluster bench soak simulate server loadtest test clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

deps: ## install what builds and tests need from Debian's packages when missing (JDK 17, Maven, nginx, prometheus, openssl, curl, chromium, node, npm)
	@bash scripts/deps.sh

build: $(JAR) ## build target/tickstream.jar (only when sources changed)

$(JAR): $(SOURCES) | deps
	$(MVN) -q package -DskipTests

run: $(JAR) ## start the simulator and the server (queue under ./data, port 8080); Ctrl-C stops both
	@QUEUE=$(QUEUE) PORT=$(PORT) bash scripts/run.sh

stack: $(JAR) ## simulator, server, NGINX (TLS on 8443) and Prometheus (9090); Ctrl-C stops all
	@QUEUE=$(QUEUE) PORT=$(PORT) bash scripts/stack.sh

cluster: $(JAR) ## simulator, feed host (publish), 3 edges (server --upstream; 8080-8082), NGINX over them (TLS on 8443) and Prometheus (9090); Ctrl-C stops all
	@PORT=$(PORT) bash scripts/cluster.sh

bench: $(JAR) ## fixed load scenarios (simulator, server, harness as processes); report in target/bench
	@bash scripts/bench.sh

soak: $(JAR) ## the mixed load for 30 minutes (SOAK_MINUTES=...): heap, RSS, connections and gaps over time, in target/soak
	@bash scripts/soak.sh

simulate: $(JAR) ## run only the simulator, writing to data/queue (QUEUE=...)
	java -jar $(JAR) simulate --queue $(QUEUE)

server: $(JAR) ## run only the server, tailing data/queue on port 8080 (QUEUE=..., PORT=...)
	java $(SERVER_JVM) -jar $(JAR) server --queue $(QUEUE) --port $(PORT)

loadtest: $(JAR) ## the load-test harness against a running server (URL=ws://localhost:8080/ws CLIENTS=1000 DURATION=30; LOADTEST_FLAGS=...); report in target/bench
	java -jar $(JAR) loadtest $(if $(URL),--url $(URL)) $(if $(CLIENTS),--clients $(CLIENTS)) \
	  $(if $(DURATION),--duration $(DURATION)) $(LOADTEST_FLAGS)

test: deps ## install what is missing and run every test
	$(MVN) verify

clean: ## remove build output and the local queue
	rm -rf target data
