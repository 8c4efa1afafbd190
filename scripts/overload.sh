#!/bin/sh
# overload.sh shows kakekomi serve at twice its capacity from many clients,
# each under its own rate limit: it should shed the excess at once with
# 429 and Retry-After, answer no 5xx, let nothing time out, keep the
# latency of what it serves bounded, keep answering the health probe, and
# stay within 120 MB of memory.
#
# First the capacity: a server without limits (--rate-limit 1000000
# --max-inflight 1000000), driven closed-loop by 16 connections. Then a
# fresh server with the default limits, driven open-loop at half that
# rate, for the latency of a server at ease, and then at twice that rate,
# by clients of 4 requests a second each (the default limit is 5), each
# from its own loopback address, while a probe asks /healthz every 100 ms.
# With two cores or more, the server runs on core 0 and the load on core 1
# (taskset). Peak RSS is VmHWM of the second server.
#
#   scripts/overload.sh [SECONDS]     (default 10 seconds a phase)
#   KAKEKOMI_BIN=path/to/kakekomi scripts/overload.sh   (another build)
set -eu

secs=${1:-10}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

bin=${KAKEKOMI_BIN:-$tmp/kakekomi}
[ -n "${KAKEKOMI_BIN:-}" ] || go build -o "$bin" ./cmd/kakekomi
go build -o "$tmp/loadgen" ./scripts/loadgen

onserver="" onload=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
	onserver="taskset -c 0" onload="taskset -c 1"
fi

freeport() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start ARGS...: start the server on a free port; sets url and spid.
start() {
	port=$(freeport)
	$onserver "$bin" serve --addr "127.0.0.1:$port" --data "$tmp/data" "$@" 2>"$tmp/server.log" &
	spid=$!
	pids="$pids $spid"
	url="http://127.0.0.1:$port"
	i=0
	until curl -fsS "$url/healthz" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le 50 ] || { echo "overload.sh: the server did not start" >&2; exit 1; }
		sleep 0.1
	done
}

echo "$(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server ${onserver:-unpinned}, load ${onload:-unpinned}, ${secs} s a phase"

start --rate-limit 1000000 --max-inflight 1000000
$onload "$tmp/loadgen" -mode closed -url "$url" -conns 16 -duration "${secs}s" >"$tmp/capacity.json"
kill "$spid"
wait "$spid" 2>/dev/null || true

capacity=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ok_per_s"])' "$tmp/capacity.json")
start
for x in 0.5 2; do
	rate=$(python3 -c "print($x * $capacity)")
	$onload "$tmp/loadgen" -mode open -url "$url" -rate "$rate" -per-client 4 -duration "${secs}s" >"$tmp/open-$x.json"
done
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$spid/status")

python3 - "$tmp/capacity.json" "$tmp/open-0.5.json" "$tmp/open-2.json" "$hwm" <<'PY'
import json, sys
cap, half, over = (json.load(open(f)) for f in sys.argv[1:4])
rss = int(sys.argv[4]) / 1024
st = over["statuses"]
sent = over["answers"] + sum(over["errors"].values())
fivexx = sum(n for k, n in st.items() if k.startswith("5xx"))
shed = st.get("429 overloaded", 0)
limited = st.get("429 rate_limited", 0)
h = over.get("health") or {"answers": 0, "statuses": {}, "errors": {}, "p99_ms": 0}
print(f"capacity (closed loop, 16 connections): {cap['ok_per_s']:.0f} answers/s, p99 {cap['p99_ms']:.1f} ms")
print(f"half capacity (open loop, {half['clients']} clients): p99 {half['p99_ms']:.1f} ms, statuses {half['statuses']}, no answer {half['errors']}")
print(f"offered: {2*cap['ok_per_s']:.0f} requests/s from {over['clients']} clients of 4/s each (generator late by at most {over.get('send_lag_max_ms', 0):.0f} ms)")
print(f"answers: {over['answers_per_s']:.0f}/s; 200: {over['ok_per_s']:.0f}/s; statuses {st}; no answer {over['errors']}")
print(f"served / capacity: {over['ok_per_s']/cap['ok_per_s']:.2f}")
print(f"shed (429 overloaded) / sent: {shed/max(sent,1):.2f}; 429 rate_limited: {limited}; 5xx: {fivexx}; no answer: {sum(over['errors'].values())}")
print(f"p99 of all answers {over['p99_ms']:.1f} ms, of 200s {over['ok_p99_ms']:.1f} ms, max {over['max_ms']:.1f} ms; 200s' p99 / p99 at half capacity: {over['ok_p99_ms']/max(half['p99_ms'],0.001):.2f}")
print(f"health probe: {h['answers']} answers {h['statuses']}, no answer {h['errors']}, p99 {h['p99_ms']:.1f} ms")
print(f"peak RSS {rss:.1f} MB = {rss/120:.2f} of the 120 MB target")
PY
