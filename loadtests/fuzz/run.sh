#!/usr/bin/env bash
# Fuzzes every parser of outside input (1,000,000 executions per target by default) and writes loadtests/reports/fuzz.md.
#   loadtests/fuzz/run.sh [--executions N] [--seed S] [--target NAME]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build loadtests/fuzz/Serving.Fuzz -c Release -nologo -v quiet >/dev/null
dotnet loadtests/fuzz/Serving.Fuzz/bin/Release/net10.0/serving-fuzz.dll "$@"
