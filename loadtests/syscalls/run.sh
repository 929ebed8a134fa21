#!/usr/bin/env bash
# Counts what a proxy asks of the kernel per request: system calls (sendto, recvfrom, epoll_wait, sched_yield, futex),
# context switches and CPU time (task-clock), with `perf stat` attached to the proxy process while wrk loads it.
# Counts are robust on a noisy machine where CPU time alone is not: a context switch is a context switch however busy
# the neighbours are. Used to find and check the gateway's I/O scheduling (loadtests/reports/gateway.md).
#
#   loadtests/syscalls/run.sh [CONNECTIONS]    # from the repository root; default 32
#
# Targets, one after the other, each a fresh process on free loopback ports in front of the same nginx backend:
# the gateway as built (direct path, --io inline), with --io-threads 1, with --io-threads 1 --forwarder yarp, with
# --io threadpool, a bare YARP MapForwarder, nginx.
# Needs perf (Debian linux-perf), wrk, nginx; builds the gateway and the bare forwarder. Prints one line per target.
set -euo pipefail
cd "$(dirname "$0")/../.."
conc=${1:-32}
work=loadtests/results/syscalls
mkdir -p "$work/backend/tmp" "$work/nginx-proxy/tmp"
for tool in perf wrk nginx; do command -v $tool >/dev/null || { echo "syscalls: $tool is missing" >&2; exit 1; }; done
dotnet build gateway/Serving.Gateway.Host -c Release -nologo -v quiet >/dev/null
dotnet build loadtests/yarp-forwarder -c Release -nologo -v quiet >/dev/null
dotnet build loadtests/Serving.LoadTests -c Release -nologo -v quiet >/dev/null
gateway=gateway/Serving.Gateway.Host/bin/Release/net10.0/serving-gateway.dll
yarp=loadtests/yarp-forwarder/bin/Release/net10.0/yarp-forwarder.dll
lua=loadtests/Serving.LoadTests/bin/Release/net10.0/Wrk/post.lua
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
backend_port=$(free_port)

nginx_conf() { # PREFIX PORT LOCATION [UPSTREAM]
  cat <<CONF
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $1/tmp/body; proxy_temp_path $1/tmp/proxy; fastcgi_temp_path $1/tmp/fastcgi;
  uwsgi_temp_path $1/tmp/uwsgi; scgi_temp_path $1/tmp/scgi;
  keepalive_timeout 75s; keepalive_requests 1000000;
  ${4:-}
  server { listen 127.0.0.1:$2; default_type application/json; location / { $3 } }
}
CONF
}
prefix=$PWD/$work/backend
nginx_conf "$prefix" "$backend_port" "return 200 '{\"predictions\":[1]}';" > "$prefix/nginx.conf"
nginx -p "$prefix" -e "$prefix/startup-error.log" -c "$prefix/nginx.conf" & backend=$!
pids=("$backend")
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
echo '{"instances":[[6.8,2.8,4.8,1.4]]}' > "$work/predict.json"
cat > "$work/routes.json" <<JSON
[{"namespace": "default", "name": "iris", "components": {"predictor": {
  "traffic": [{"revision": "iris-predictor-00002", "percent": 50}, {"revision": "iris-predictor-00001", "percent": 50}],
  "revisions": [{"name": "iris-predictor-00002", "endpoints": [{"address": "http://127.0.0.1:$backend_port", "ready": true}]},
                {"name": "iris-predictor-00001", "endpoints": [{"address": "http://127.0.0.1:$backend_port", "ready": true}]}]}}}]
JSON

measure() { # NAME PORT PID
  local url=http://127.0.0.1:$2/v1/models/iris:predict file=$work/${1//[^a-z]/_}
  for _ in $(seq 150); do curl -s -o /dev/null -H 'Host: iris.default.example.com' -d '{}' "$url" && break; sleep 0.2; done
  wrk_run() { wrk -t 1 --timeout 30s -s "$lua" -H 'Host: iris.default.example.com' "$@" "$url" -- "$work/predict.json" application/json; }
  wrk_run -c 32 -d 8s >/dev/null                      # tiered JIT settles
  wrk_run -c "$conc" -d 8s > "$file.wrk" & local load=$!
  sleep 1
  local target=$3; [ "$1" = nginx ] && target=$(pgrep -P "$3" | head -1) # the worker
  perf stat -x, -e raw_syscalls:sys_enter,syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_sched_yield,syscalls:sys_enter_futex,sched:sched_switch,task-clock \
    -p "$target" -- sleep 5 2> "$file.perf"
  wait "$load"
  kill "$3"; wait "$3" 2>/dev/null || true
  python3 - "$1" "$file.wrk" "$file.perf" <<'PY'
import json, sys
name, wrk, stat = sys.argv[1:]
text = open(wrk).read()
r = json.loads(text[text.index('WRK_RESULT ') + 11:].splitlines()[0])
if r['non200'] or r['connect_errors'] or r['read_errors'] or r['timeouts']:
    sys.exit(f'{name}: wrk saw errors: {r}')
per_s = r['requests'] / (r['duration_us'] / 1e6)
cols = []
for line in open(stat):
    f = line.strip().split(',')
    if len(f) < 3 or not f[0].replace('.', '').isdigit():
        continue
    value, event = float(f[0]), f[2].split(':')[-1].replace('sys_enter_', '')
    cols.append(f'cpu µs {value * 1000 / (per_s * 5):.1f}' if event == 'task-clock' else f'{event} {value / (per_s * 5):.2f}')
print(f'{name}: {per_s:.0f} req/s; per request: ' + ', '.join(cols))
PY
}

for target in "gateway" "gateway (--io-threads 1)" "gateway (--io-threads 1 --forwarder yarp)" "gateway (--io threadpool)" "yarp (bare)" nginx; do
  port=$(free_port)
  case $target in
    "gateway") dotnet "$gateway" --port "$port" --admin-port "$(free_port)" --routes "$work/routes.json" --log-level Warning > "$work/gateway.log" 2>&1 & ;;
    "gateway (--io-threads 1)") dotnet "$gateway" --port "$port" --admin-port "$(free_port)" --routes "$work/routes.json" --log-level Warning --io-threads 1 > "$work/gateway.log" 2>&1 & ;;
    "gateway (--io-threads 1 --forwarder yarp)") dotnet "$gateway" --port "$port" --admin-port "$(free_port)" --routes "$work/routes.json" --log-level Warning --io-threads 1 --forwarder yarp > "$work/gateway.log" 2>&1 & ;;
    "gateway (--io threadpool)") dotnet "$gateway" --port "$port" --admin-port "$(free_port)" --routes "$work/routes.json" --log-level Warning --io threadpool > "$work/gateway.log" 2>&1 & ;;
    "yarp (bare)") dotnet "$yarp" --listen "127.0.0.1:$port" --backend "http://127.0.0.1:$backend_port" > "$work/yarp.log" 2>&1 & ;;
    nginx) prefix=$PWD/$work/nginx-proxy
      nginx_conf "$prefix" "$port" 'proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";' \
        "upstream backend { server 127.0.0.1:$backend_port; keepalive 64; keepalive_requests 1000000; }" > "$prefix/nginx.conf"
      nginx -p "$prefix" -e "$prefix/startup-error.log" -c "$prefix/nginx.conf" & ;;
  esac
  pid=$!; pids+=("$pid")
  measure "$target" "$port" "$pid"
done
