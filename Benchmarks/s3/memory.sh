#!/usr/bin/env bash
# Memory of a bucket publish against the size of the tree (issue 21: "the 20x tree publishes within 1.5x
# the 1x peak"), release build, one run, moto on loopback (Benchmarks/s3/common.sh).
# For each size (default 1x and 20x: the real-wheel corpus N times over under different prefixes, every
# copy's CSS and JS edited, Benchmarks/scale/make-scale-corpus.sh):
#   1. collect: a cold local collect into a fresh STATIC_ROOT (tmpfs), no storage;
#   2. publish: the same command with COLLECTSTATIC_STORAGE=s3://mem-N/static over that STATIC_ROOT, so
#      the run finds nothing to do locally and its work is the upload of every object to a fresh bucket.
# Both with brotli quality 4 and gzip level 6 (as the scale benchmark: the 20x collect stays short; the
# objects are the same in number). Reports wall, CPU and peak RSS (wait4's ru_maxrss via GNU time) of each
# run, its requests, and the peak at the end of each stage from the run's report (`peakMegabytes`:
# "destinations" is the bucket publish).
# 20x is about 280,000 objects: at moto's ~270 PUT/s about 17 minutes. Run it in the background.
# Usage: Benchmarks/s3/memory.sh [CORPUS_DIR] [SIZES]   (BINARY=path skips the build)
set -euo pipefail
cd "$(dirname "$0")/../.."
. Benchmarks/s3/common.sh
corpus=${1:-/tmp/collectstatic-corpus}
sizes=${2:-"1 20"}
work=${BENCH_WORK:-/dev/shm/collectstatic-s3-memory}
# The copies are hard links into the corpus: on its file system (as Benchmarks/scale/run.sh's trees).
trees=${SCALE_WORK:-/tmp/collectstatic-scale}
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }
Benchmarks/make-corpus.sh "$corpus" >/dev/null
s3_bench_binary
rm -rf "$work" && mkdir -p "$work" "$trees"
s3_bench_moto "$work"

# label size flags...: one run under GNU time, an empty environment but for the bucket's.
declare -A base_rss
measure() {
    local label=$1 size=$2; shift 2
    local at; at=$(s3_bench_requests)
    env -i PATH=/usr/bin:/bin AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
        AWS_REGION=us-east-1 AWS_ENDPOINT_URL_S3="$endpoint" "$@" \
        /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
        "$binary" --noinput --missing warn --json --brotli-quality 4 --gzip-level 6 \
        --static-root "$work/root-$size" "${dirs[@]}" > "$work/report-$label-$size.json" 2> "$work/stderr" \
        || { cat "$work/stderr" >&2; exit 1; }
    local wall user sys rss_kb
    read -r wall user sys rss_kb < "$work/time"
    local rss=$(( rss_kb / 1024 ))
    [ -n "${base_rss[$label]:-}" ] || base_rss[$label]=$rss
    python3 - "$label" "$size" "$wall" "$user" "$sys" "$rss" "${base_rss[$label]}" "$(s3_bench_since "$at")" \
        "$(find "$work/root-$size" -type f | wc -l)" "$work/report-$label-$size.json" <<'PY'
import json, sys
label, size, wall, user, sys_, rss, base, requests, files, path = sys.argv[1:]
report = json.loads([l for l in open(path) if l.startswith("{")][-1])
peaks = ", ".join(f"{k} {v:.0f}" for k, v in sorted(report.get("peakMegabytes", {}).items(), key=lambda kv: kv[1]))
print(f"| {label} | {size}x | {int(files):,} | {float(wall):.1f} | {float(user) + float(sys_):.1f} | {rss} | "
      f"{int(rss) / int(base):.2f} | {requests} | {peaks} |", flush=True)
PY
}

s3_bench_machine
printf '| run | size | files in STATIC_ROOT | wall (s) | CPU (s) | peak RSS (MB) | RSS ÷ 1x | requests | peak MB at the end of each stage |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for size in $sizes; do
    Benchmarks/scale/make-scale-corpus.sh "$corpus" "$size" "$trees/tree-$size"
    s3_bench_roots "$trees/tree-$size"
    rm -rf "$work/root-$size" "$work/.root-$size.collectstatic"
    measure collect "$size"
    s3_bench_bucket "mem-$size"
    measure publish "$size" COLLECTSTATIC_STORAGE="s3://mem-$size/static"
    rm -rf "$work/root-$size" "$work/.root-$size.collectstatic"
done
