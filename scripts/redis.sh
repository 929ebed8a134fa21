#!/usr/bin/env bash
# Redis for the scaler's tests and benchmark (Debian redis-server, no persistence, loopback only).
#   scripts/redis.sh install          install redis-server if it is missing (idempotent)
#   scripts/redis.sh start DIR        start one on a free loopback port; writes DIR/port and DIR/pid, prints host:port
#   scripts/redis.sh stop DIR         stop the one started in DIR (nothing if none)
set -euo pipefail

install() {
  command -v redis-server >/dev/null && return 0
  echo "redis.sh: installing redis-server" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq redis-server >/dev/null
  command -v redis-server >/dev/null
}

start() {
  local dir=$1
  mkdir -p "$dir"
  stop "$dir"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
  for _ in $(seq 1 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.05
  done
  redis-cli -p "$port" ping >/dev/null
  echo "$port" >"$dir/port"
  echo "127.0.0.1:$port"
}

stop() {
  local dir=$1
  if [ -f "$dir/redis.pid" ]; then
    kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    rm -f "$dir/redis.pid"
  fi
}

case "${1:-}" in
  install) install ;;
  start) install && start "${2:?usage: redis.sh start DIR}" ;;
  stop) stop "${2:?usage: redis.sh stop DIR}" ;;
  *) echo "usage: scripts/redis.sh install | start DIR | stop DIR" >&2; exit 2 ;;
esac
