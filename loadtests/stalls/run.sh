#!/usr/bin/env bash
# The test suite on a stalled machine: runs ./test.sh while pausing (SIGSTOP, then SIGCONT) one random process of the run
# at a time (the test hosts, our servers, the control plane, etcd, Redis, s3rver), as a shared, overloaded CI machine
# stalls them. A test that fails here and passes on a quiet machine waits on a time instead of an effect.
#   loadtests/stalls/run.sh [--every SECONDS] [--longest SECONDS] [--output-dir DIR] [-- TEST.SH ARGUMENTS]
#     --every S     the gap between pauses is uniform in [S, 2S]; default 1
#     --longest L   each pause lasts 0.3 s to L (uniform); default 2
# Writes DIR/test.log (test.sh's output), DIR/pauses.log (every pause: time, pid, seconds, command) and DIR/summary.md;
# exits with test.sh's status. About as long as ./test.sh, a little longer.
set -uo pipefail
cd "$(dirname "$0")/../.."

every=1
longest=2
out=loadtests/results/stalls
while [ $# -gt 0 ]; do
  case "$1" in
    --every) every=$2; shift 2 ;;
    --longest) longest=$2; shift 2 ;;
    --output-dir) out=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n 2,9p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "stalls: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if ! awk -v e="$every" 'BEGIN{exit !(e+0 > 0)}'; then
  echo "stalls: --every must be a number of seconds above 0, not '$every'" >&2
  exit 2
fi
if ! awk -v l="$longest" 'BEGIN{exit !(l+0 > 0.3)}'; then
  echo "stalls: --longest must be a number of seconds above 0.3, not '$longest'" >&2
  exit 2
fi
mkdir -p "$out"
: > "$out/pauses.log"

# One pause at a time; a process already stopped (tests pause some themselves) is left alone.
stall() {
  local pattern='testhost|serving-|Serving\.|kube-apiserver|kube-controller|kube-scheduler|etcd|redis-server|s3rver'
  while :; do
    sleep "$(awk -v r=$RANDOM -v e="$every" 'BEGIN{printf "%.2f", e + e*r/32768}')"
    mapfile -t pids < <(pgrep -f "$pattern" | grep -vx "$BASHPID")
    [ ${#pids[@]} -gt 0 ] || continue
    local pid=${pids[$((RANDOM % ${#pids[@]}))]}
    local state
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || continue
    [ "$state" != "T" ] || continue
    local seconds
    seconds=$(awk -v r=$RANDOM -v l="$longest" 'BEGIN{printf "%.2f", 0.3 + (l - 0.3)*r/32768}')
    kill -STOP "$pid" 2>/dev/null || continue
    echo "$(date +%T.%N | cut -c1-12) $pid ${seconds}s $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-160 | sed 's/ *$//')" >> "$out/pauses.log"
    sleep "$seconds"
    kill -CONT "$pid" 2>/dev/null
  done
}

stall &
staller=$!
trap 'kill $staller 2>/dev/null; wait $staller 2>/dev/null' EXIT
started=$(date -u +%FT%TZ)
./test.sh "$@" > "$out/test.log" 2>&1
status=$?
kill $staller 2>/dev/null
wait $staller 2>/dev/null

{
  echo "# The test suite under stalls"
  echo
  echo "Started $started on $(git rev-parse --short HEAD); a pause every ${every}-$(awk -v e="$every" 'BEGIN{print 2*e}') s, 0.3-${longest} s each."
  echo
  echo "- result: \`$(grep '^tests:' "$out/test.log" | tail -1)\`"
  echo "- pauses: $(wc -l < "$out/pauses.log") (\`pauses.log\`)"
  echo
  echo "## Failed tests"
  echo
  failed=$(grep -E '^\s+Failed ' "$out/test.log" | sed 's/^ */- /')
  echo "${failed:-none}"
} > "$out/summary.md"
cat "$out/summary.md"
exit $status
