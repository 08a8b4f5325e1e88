#!/usr/bin/env bash
# make deps: installs what builds and tests need from Debian's packages when missing (JDK 17,
# Maven, nginx, prometheus, openssl, curl, chromium, node and npm: the tests run the client library
# under node, with the npm packages of src/test/node, which they install themselves with npm ci).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

missing=()
{ command -v java >/dev/null && java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; } || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
has_nginx || missing+=(nginx)
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing+=(prometheus)
command -v openssl >/dev/null || missing+=(openssl)
command -v curl >/dev/null || missing+=(curl)
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
install_packages "${missing[@]}"
