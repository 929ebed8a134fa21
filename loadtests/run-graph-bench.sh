#!/usr/bin/env bash
# Measures InferenceGraph overhead in the gateway and writes loadtests/reports/graph-overhead.md: a Sequence of two steps
# against the same two calls, an Ensemble of three against its slowest step. No external tools; about 2 minutes.
# `serving-loadtests graph --help` lists the options.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build loadtests/Serving.LoadTests -c Release -nologo -v quiet
exec dotnet loadtests/Serving.LoadTests/bin/Release/net10.0/serving-loadtests.dll graph "$@"
