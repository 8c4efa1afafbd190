#!/bin/sh
# bench-triage.sh measures the triage engine as BENCHMARKS.md reports it:
# per-call latency (p50 and p99) for 50, 300 and 3,000 characters with
# go test -bench, the wall time of one-shot `kakekomi triage` with hyperfine
# (Debian package hyperfine), batch throughput of `kakekomi triage --jsonl`,
# and the peak memory of both.
#
#   scripts/bench-triage.sh
set -eu
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench-triage.sh: hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "== go test -bench (one goroutine)"
go test ./internal/triage -run '^$' -bench 'BenchmarkTriage$' -benchtime 5000x -count 1 | grep '^Benchmark'
go test ./internal/triage -run '^$' -bench 'BenchmarkNew|BenchmarkLoadModels' -benchtime 20x -count 1 | grep '^Benchmark'

go build -o "$tmp/kakekomi" ./cmd/kakekomi
text="ネット通販で安かったので5万円振り込んだのに商品が届かない。お店と連絡がとれません。"

echo "== one-shot kakekomi triage"
hyperfine --warmup 3 --runs 30 --style basic "$tmp/kakekomi triage --at 2026-11-24T10:30:00+09:00 '$text'" 2>&1 | grep -E 'Time|Range'
/usr/bin/time -f 'peak RSS %M KB' "$tmp/kakekomi" triage "$text" 2>&1 >/dev/null | tail -n 1

echo "== batch kakekomi triage --jsonl (20,000 descriptions from the evaluation sets)"
python3 - "$tmp/batch.jsonl" <<'PY'
import json, sys, glob
texts = [json.loads(l)["text"] for f in sorted(glob.glob("corpus/triage/*.jsonl")) for l in open(f)]
with open(sys.argv[1], "w") as out:
    for i in range(20000):
        out.write(json.dumps({"id": str(i), "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n")
PY
start=$(date +%s.%N)
/usr/bin/time -f 'peak RSS %M KB' -o "$tmp/rss" "$tmp/kakekomi" triage --jsonl --at 2026-11-24T10:30:00+09:00 <"$tmp/batch.jsonl" >/dev/null
end=$(date +%s.%N)
python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'20000 texts in {s:.2f} s: {20000/s:.0f} texts/s')" "$start" "$end"
cat "$tmp/rss"
