#!/usr/bin/env bash
# Cold start of the one-machine platform (iris at minReplicas 0): first request at zero → response, phase by phase,
# and writes loadtests/reports/coldstart.md. Builds Release, runs `serving-loadtests coldstart "$@"`.
# Takes about 2-3 minutes with the defaults (10 rounds, each waits ~8 s for scale to zero); `--help` lists the options.
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet build runtime/Serving.Runtime.Host -c Release -nologo -v quiet
dotnet build loadtests/Serving.LoadTests -c Release -nologo -v quiet

exec dotnet loadtests/Serving.LoadTests/bin/Release/net10.0/serving-loadtests.dll coldstart "$@"
