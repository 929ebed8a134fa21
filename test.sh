#!/usr/bin/env bash
# Installs what the tests need, builds, runs every test project, and ends with one line:
#   tests: N passed, N failed
set -uo pipefail
cd "$(dirname "$0")"

scripts/fetch-models.sh || { echo "tests: 0 passed, 1 failed"; exit 1; }

# The Kubernetes tests run a real control plane: kube.sh builds it from Debian's source once (about 6 minutes on
# 2 cores) and caches it under ~/.cache/serving-platform; later runs only check the cache.
if ! scripts/kube.sh install; then
  echo "scripts/kube.sh install failed: the Kubernetes test binaries are missing"
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

# The scaler's tests need a real Redis: one shared instance (tests that stop Redis start their own redis-server).
redis_dir=$(mktemp -d)
trap 'scripts/redis.sh stop "$redis_dir"; rm -rf "$redis_dir"' EXIT
SERVING_TEST_REDIS=$(scripts/redis.sh start "$redis_dir") || { echo "tests: 0 passed, 1 failed"; exit 1; }
export SERVING_TEST_REDIS

# The storage initializer's tests need s3rver (npm); they start their own on a free loopback port.
scripts/s3rver.sh install || { echo "tests: 0 passed, 1 failed"; exit 1; }

results=TestResults
rm -rf "$results"
if ! dotnet build Gateway.sln -c Release -nologo -v quiet; then
  echo "build failed"
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

dotnet test Gateway.sln -c Release --no-build -nologo --logger "trx" --results-directory "$results" "$@"
status=$?

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the runner failed without a failed test (a crash or a missing result): count it
fi
echo "tests: $passed passed, $failed failed"
exit "$status"
