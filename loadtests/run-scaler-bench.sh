#!/usr/bin/env bash
# Scaler benchmark: activation push latency and GetMetrics latency with 1,000 revisions (loadtests/reports/scaler.md).
#   loadtests/run-scaler-bench.sh [activations] [calls]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'scripts/redis.sh stop "$dir"; rm -rf "$dir"' EXIT
redis=$(scripts/redis.sh start "$dir")
dotnet build loadtests/Serving.Scaler.Bench -c Release -nologo -v quiet
dotnet loadtests/Serving.Scaler.Bench/bin/Release/net10.0/scaler-bench.dll "$redis" "${1:-200}" "${2:-5000}"
