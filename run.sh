#!/usr/bin/env bash
# Local quickstart: builds the runtime and serves the iris sample on http://127.0.0.1:8080.
# Later issues turn this into the whole platform (gateway on 8080, controller, scaler).
set -euo pipefail
cd "$(dirname "$0")"

port=${PORT:-8080}
dotnet build runtime/Serving.Runtime.Host -c Release -nologo -v quiet
dotnet runtime/Serving.Runtime.Host/bin/Release/net10.0/serving-runtime.dll \
  --model-dir samples/models/iris --model-name iris --http-port "$port" "$@" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server' INT TERM

for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null && break
  kill -0 $server 2>/dev/null || { echo "run.sh: the runtime exited" >&2; exit 1; }
  sleep 0.2
done

cat <<MSG

The iris model is served on http://127.0.0.1:$port. Try:

  curl -s -H 'Content-Type: application/json' -d '{"instances":[[6.8,2.8,4.8,1.4]]}' \\
    http://127.0.0.1:$port/v1/models/iris:predict
  # {"predictions":[1]}  (1 = versicolor)

  curl -s -H 'Content-Type: application/json' \\
    -d '{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}' \\
    http://127.0.0.1:$port/v2/models/iris/infer

Ctrl+C stops it.
MSG
wait $server
