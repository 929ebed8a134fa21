#!/usr/bin/env bash
# Benchmarks serving-gateway against nginx and a plain Go reverse proxy in front of the same backend and writes
# loadtests/reports/gateway.md. Installs wrk, nginx and golang-go (Debian packages) when missing, builds the gateway,
# the Go proxy (loadtests/go-proxy) and the benchmark, runs `serving-loadtests gateway "$@"`.
# Takes about 20 minutes with the defaults; `serving-loadtests gateway --help` lists the options.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx)
command -v go >/dev/null || missing+=(golang-go)
if [ ${#missing[@]} -gt 0 ]; then
  echo "run-gateway-bench: installing ${missing[*]}" >&2
  # The nginx package would start a system-wide nginx; policy-rc.d tells Debian's maintainer scripts not to start
  # services. The benchmark runs its own nginx processes, in the foreground, with everything under loadtests/results/.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Standard library only: nothing to download, and every Go cache stays under .cache/ (ignored).
root="$PWD"
export GOPATH="$root/.cache/go" GOCACHE="$root/.cache/go-build" GOMODCACHE="$root/.cache/go/pkg/mod"
export GOPROXY=off GOFLAGS= GOENV=off GOTOOLCHAIN=local GOTELEMETRY=off
mkdir -p .cache/loadtests
(cd loadtests/go-proxy && go build -o "$root/.cache/loadtests/go-proxy" .)

dotnet build gateway/Serving.Gateway.Host -c Release -nologo -v quiet
dotnet build loadtests/yarp-forwarder -c Release -nologo -v quiet
dotnet build loadtests/Serving.LoadTests -c Release -nologo -v quiet

# Prints the target lines and "report: PATH"; exits 1 when a cell had non-200 responses, socket errors or gateway 5xx.
exec dotnet loadtests/Serving.LoadTests/bin/Release/net10.0/serving-loadtests.dll gateway "$@"
