#!/usr/bin/env bash
# The gateway's differential test (direct path against YARP's, tests/Serving.Gateway.Tests/Proxy/Differential) with a
# larger corpus than CI's 10,000 cases:  loadtests/run-differential.sh [CASES]   (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
export SERVING_DIFFERENTIAL_CASES=${1:-200000}
dotnet test tests/Serving.Gateway.Tests -c Release -nologo --logger "console;verbosity=detailed" \
  --filter "FullyQualifiedName~Proxy.Differential" | grep -E "cases through|undocumented|Passed!|Failed!"
