#!/usr/bin/env bash
# s3rver (npm, a fake S3 server) for the storage initializer's tests: loopback only, data in a folder of the caller's.
#   scripts/s3rver.sh install        install s3rver into .cache/s3rver if it is missing (idempotent)
#   scripts/s3rver.sh start DIR      start one on a free loopback port, its buckets under DIR/data; writes DIR/port and
#                                    DIR/pid, prints the endpoint (http://127.0.0.1:PORT); with DIR/tls.crt and
#                                    DIR/tls.key (PEM) present it serves HTTPS with them (https://127.0.0.1:PORT)
#   scripts/s3rver.sh stop DIR       stop the one started in DIR (nothing if none)
# s3rver knows one access key id, S3RVER (secret S3RVER), and refuses any other with InvalidAccessKeyId (403); it does
# not check SigV4 signatures, so a wrong secret for S3RVER is accepted.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=3.7.1
prefix=$root/.cache/s3rver
package=$prefix/node_modules/s3rver

install() {
  if [ -f "$package/package.json" ] && grep -q "\"version\": \"$version\"" "$package/package.json"; then
    return 0
  fi
  command -v npm >/dev/null || { echo "s3rver.sh: npm is required (Debian package 'npm')" >&2; exit 1; }
  echo "s3rver.sh: installing s3rver $version" >&2
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "s3rver@$version" >&2
}

start() {
  local dir
  dir=$(realpath -m "$1")
  mkdir -p "$dir/data"
  stop "$dir"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  local scheme=http
  local tls=()
  if [ -f "$dir/tls.crt" ] && [ -f "$dir/tls.key" ]; then
    scheme=https
    tls=(--cert "$dir/tls.crt" --key "$dir/tls.key")
  fi
  nohup node "$package/bin/s3rver.js" -d "$dir/data" -a 127.0.0.1 -p "$port" --silent "${tls[@]}" \
    </dev/null >"$dir/s3rver.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 1 200); do
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/s3rver.log" >&2; echo "s3rver.sh: s3rver exited" >&2; exit 1; }
    sleep 0.05
  done
  (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "s3rver.sh: s3rver did not listen on $port" >&2; exit 1; }
  echo "$port" >"$dir/port"
  echo "$scheme://127.0.0.1:$port"
}

stop() {
  local dir=$1
  if [ -f "$dir/pid" ]; then
    kill "$(cat "$dir/pid")" 2>/dev/null || true
    rm -f "$dir/pid"
  fi
}

case "${1:-}" in
  install) install ;;
  start) install && start "${2:?usage: s3rver.sh start DIR}" ;;
  stop) stop "${2:?usage: s3rver.sh stop DIR}" ;;
  *) echo "usage: scripts/s3rver.sh install | start DIR | stop DIR" >&2; exit 2 ;;
esac
