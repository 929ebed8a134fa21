#!/usr/bin/env bash
# Scenario load tests of the one-machine platform, each writing loadtests/reports/<scenario>.md and <scenario>.png:
#   loadtests/run.sh <scenario>      steady, burst, canary, mode-switch, step, overload, graph, kill-replica, redis-outage, platform-restart
#   loadtests/run.sh all             every scenario, one after the other (about 18 minutes)
#   loadtests/run.sh burst --kubernetes   on the cluster (scripts/run-kubernetes.sh) instead; reports in loadtests/reports/kubernetes/
#                                    (steady, burst, canary, mode-switch, step, graph, kill-replica take it)
#   loadtests/run.sh --help          the scenarios and options
# Builds the platform (serving-local, the runtime, the gateway and the scaler) and the load tests in Release, then runs
# `serving-loadtests scenario "$@"`. Everything runs on loopback; every process started is stopped at the end or on Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -eq 0 ]; then
  echo "usage: loadtests/run.sh <scenario>|all [options]   (loadtests/run.sh --help lists them)" >&2
  exit 2
fi

case " $* " in
  *" redis-outage "*|*" all "*) scripts/redis.sh install ;;
esac

projects="runtime/Serving.Runtime.Host controller/Serving.Controller.Local.Host gateway/Serving.Gateway.Host scaler/Serving.Scaler.Host loadtests/Serving.LoadTests"
case " $* " in
  *" --kubernetes "*) projects=loadtests/Serving.LoadTests ;; # scripts/run-kubernetes.sh builds the cluster's programs itself
esac
for project in $projects; do
  dotnet build "$project" -c Release -nologo -v quiet >/dev/null || { dotnet build "$project" -c Release -nologo -v quiet; exit 1; }
done

exec dotnet loadtests/Serving.LoadTests/bin/Release/net10.0/serving-loadtests.dll scenario "$@"
