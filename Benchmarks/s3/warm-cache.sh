#!/usr/bin/env bash
# A fresh machine with a warm bucket cache (COLLECTSTATIC_CACHE=s3://…), release build, one run:
#   1. machine A collects the real-wheel corpus cold with the bucket cache (it compresses everything and
#      sends the entries);
#   2. machine B (fresh STATIC_ROOT, fresh cache folder) collects the same corpus with the same settings:
#      it fetches the entries and compresses nothing;
#   3. the floor: a fresh --no-compress collect of the same corpus;
#   4. the downloads on their own, twice: as machine B's run timed its fetch (`sharedCacheFetch` in its
#      --json report), and by an independent client, `aws s3 cp --recursive` of the cache's prefix (the
#      same objects: only machine A wrote there) with as many requests at once as ours (16).
# Goal (issue 21): 2 within 10% of 3 plus the downloads; the last lines give the ratios. moto's server
# (Benchmarks/s3/common.sh) on loopback.
# Usage: Benchmarks/s3/warm-cache.sh [CORPUS_DIR]   (BINARY=path skips the build)
set -euo pipefail
cd "$(dirname "$0")/../.."
. Benchmarks/s3/common.sh
corpus=${1:-/tmp/collectstatic-corpus}
work=${BENCH_WORK:-/dev/shm/collectstatic-warm-cache}
Benchmarks/make-corpus.sh "$corpus" >/dev/null
s3_bench_binary
rm -rf "$work" && mkdir -p "$work"
s3_bench_roots "$corpus"
s3_bench_moto "$work"
s3_bench_bucket cache
# label key out flags...: one run under GNU time; its table line, and KEY.wall / KEY.fetch in $work.
run() {
    local label=$1 key=$2 out=$3; shift 3
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$binary" --noinput --missing warn --json \
        --static-root "$out" "$@" "${dirs[@]}" > "$work/$key.json" 2> "$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
    read -r wall user sys rss < "$work/time"
    python3 - "$label" "$wall" "$user" "$sys" "$rss" "$work/$key.json" "$work/$key" <<'PY'
import json, sys
label, wall, user, sys_, rss, path, key = sys.argv[1:]
report = json.loads([l for l in open(path) if l.startswith("{")][-1])
fetch = report.get("sharedCacheFetch")
open(key + ".wall", "w").write(wall + "\n")
open(key + ".fetch", "w").write((f"{fetch['seconds']:.2f} {fetch['records'] + fetch['files']}" if fetch else "0 0") + "\n")
print(f"| {label} | {float(wall):.2f} | {float(user) + float(sys_):.2f} | {int(rss) // 1024} | "
      f"{report['variantsWritten']:,} | {report['variantsReused']:,} | "
      + (f"{fetch['records']:,} + {fetch['files']:,} in {fetch['seconds']:.2f} s" if fetch else "—")
      + f" | {report.get('sharedCacheStored', 0):,} |", flush=True)
PY
}
s3_bench_machine
printf '| run | wall (s) | CPU (s) | peak RSS (MB) | variants written | reused | fetched: records + files, time | files sent |\n|---|---|---|---|---|---|---|---|\n'
COLLECTSTATIC_CACHE=s3://cache/ci run "machine A: cold, bucket cache empty" a "$work/a"
at=$(s3_bench_requests)
COLLECTSTATIC_CACHE=s3://cache/ci run "machine B: fresh, bucket cache warm" b "$work/b"
b_requests=$(s3_bench_since "$at")
# The same with the cache folder given (COLLECTSTATIC_CACHE_DIR, on the work folder's file system): the tool
# does not remove it at the end, as it removes the temporary one machine B had.
COLLECTSTATIC_CACHE=s3://cache/ci COLLECTSTATIC_CACHE_DIR=$work/b2-cache run \
    "machine B2: as B, cache folder given" b2 "$work/b2"
run "floor: fresh, --no-compress" floor "$work/c" --no-compress

# The same downloads by another client: every object under the cache's prefix.
printf '[default]\ns3 =\n    max_concurrent_requests = 16\n' > "$work/aws-config"
at=$(s3_bench_requests)
AWS_CONFIG_FILE=$work/aws-config /usr/bin/time -f '%e' -o "$work/time" \
    aws --endpoint-url "$endpoint" s3 cp --recursive --only-show-errors s3://cache/ci "$work/downloads"
aws_wall=$(cat "$work/time")
aws_requests=$(s3_bench_since "$at")
echo
echo "machine B's requests: $b_requests; aws s3 cp: $aws_requests, $(find "$work/downloads" -type f | wc -l) files in $aws_wall s"
read -r fetch_seconds fetch_files < "$work/b.fetch"
read -r fetch2_seconds fetch2_files < "$work/b2.fetch"
python3 - "$(cat "$work/floor.wall")" "$aws_wall" B "$(cat "$work/b.wall")" "$fetch_seconds" "$fetch_files" \
    B2 "$(cat "$work/b2.wall")" "$fetch2_seconds" "$fetch2_files" <<'PY'
import sys
floor, aws = map(float, sys.argv[1:3])
for index in (3, 7):
    name, b, fetch, files = sys.argv[index], *map(float, sys.argv[index + 1:index + 4])
    print(f"machine {name} {b:.2f} s against the floor {floor:.2f} s + its own fetch ({int(files):,} files) {fetch:.2f} s"
          f" = {floor + fetch:.2f} s: {b / (floor + fetch):.2f}")
    print(f"machine {name} {b:.2f} s against the floor {floor:.2f} s + aws s3 cp of the same objects {aws:.2f} s = "
          f"{floor + aws:.2f} s: {b / (floor + aws):.2f}")
PY
for key in b b2; do
    python3 - "$key" "$work/$key.json" <<'PY'
import json, sys
seconds = json.loads([l for l in open(sys.argv[2]) if l.startswith("{")][-1])["seconds"]
print(f"machine {sys.argv[1].upper()}'s stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(seconds.items()))
      + f"; their sum {sum(seconds.values()):.2f}")
PY
done
