#!/bin/sh
# bench-triage.sh measures the triage engine as BENCHMARKS.md reports it:
# per-call latency (p50 and p99) for 50, 300 and 3,000 characters and the
# start-up parts with go test -bench, the wall time of one-shot `kakekomi
# triage` with hyperfine (Debian package hyperfine) beside a hello-world Go
# binary in the same run, batch throughput of `kakekomi triage --jsonl`,
# and the peak memory of both.
#
# Latency and the one-shot command run on one core (taskset -c 0, one P),
# as their goals are stated; the batch runs on both cores, as its goal is.
# Other work on the machine slows every figure: the script prints the load
# average, and the CPU time of the batch, which suffers less from it.
#
#   scripts/bench-triage.sh
set -eu
cd "$(dirname "$0")/.."
for tool in hyperfine taskset python3; do
	command -v "$tool" >/dev/null || { echo "bench-triage.sh: $tool is not installed (apt-get install hyperfine util-linux python3)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench-triage.sh: /usr/bin/time is not installed (apt-get install time)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
one="taskset -c 0"
at=2026-11-24T10:30:00+09:00
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

echo "== go test -bench, one core"
$one go test ./internal/triage -run '^$' -bench 'BenchmarkTriage$' -benchtime 2000x -cpu 1 -count 1 | grep '^Benchmark'
$one go test ./internal/triage -run '^$' -bench 'BenchmarkNew$|BenchmarkLoadModels' -benchtime 20x -cpu 1 -count 1 | grep '^Benchmark'
$one go test ./internal/kb -run '^$' -bench 'BenchmarkBuiltin$|BenchmarkLoad$' -benchtime 20x -cpu 1 -count 1 | grep '^Benchmark'

go build -o "$tmp/kakekomi" ./cmd/kakekomi
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' >"$tmp/hello.go"
(cd "$tmp" && go build -o hello hello.go)
text="ネット通販で安かったので5万円振り込んだのに商品が届かない。お店と連絡がとれません。"

echo "== one-shot kakekomi triage, one core, against hello world"
# -N: no shell in between, so that the hello-world run is the cost of
# starting a process and nothing else.
hyperfine -N --warmup 3 --runs 30 --style basic --export-json "$tmp/oneshot.json" \
	"$one $tmp/kakekomi triage --at $at $text" "$one $tmp/hello" >/dev/null
python3 - "$tmp/oneshot.json" <<'PY'
import json, sys
kk, hello = json.load(open(sys.argv[1]))["results"]
for name, r in (("kakekomi triage", kk), ("hello world", hello)):
    print(f"{name}: mean {r['mean']*1000:.1f} ms ± {r['stddev']*1000:.1f}, min {r['min']*1000:.1f} ms, user {r['user']*1000:.1f} ms, system {r['system']*1000:.1f} ms")
print(f"ratio to hello world: {kk['mean']/hello['mean']:.0f}x; mean to the 150 ms target: {kk['mean']/0.150:.2f}")
PY
$one /usr/bin/time -f 'peak RSS %M KB' "$tmp/kakekomi" triage "$text" 2>&1 >/dev/null | tail -n 1

echo "== batch kakekomi triage --jsonl, 20,000 corpus descriptions, best of three"
python3 - "$tmp/batch.jsonl" <<'PY'
import json, sys, glob
texts = [json.loads(l)["text"] for f in sorted(glob.glob("corpus/triage/*.jsonl")) for l in open(f)]
with open(sys.argv[1], "w") as out:
    for i in range(20000):
        out.write(json.dumps({"id": str(i), "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n")
PY
for cores in 0-1 0; do
	for run in 1 2 3; do
		taskset -c "$cores" /usr/bin/time -f '%e %U %S %M' -o "$tmp/time.$run" "$tmp/kakekomi" triage --jsonl --at "$at" <"$tmp/batch.jsonl" >/dev/null
	done
	python3 - "$cores" "$tmp"/time.1 "$tmp"/time.2 "$tmp"/time.3 <<'PY'
import sys
runs = sorted(tuple(map(float, open(f).read().split())) for f in sys.argv[2:])
wall, user, system, rss = runs[0]
goal = f"; to the 10,000/s goal: {20000/wall/10000:.2f}" if sys.argv[1] == "0-1" else ""
print(f"cores {sys.argv[1]}: {20000/wall:,.0f} texts/s ({wall:.2f} s; CPU {user+system:.2f} s; peak RSS {rss/1024:.1f} MB){goal}")
PY
done
