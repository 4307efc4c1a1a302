#!/usr/bin/env bash
# Scale benchmark (release build, not a test): the real-wheel corpus 1x, 5x and 20x over (copies under
# different prefixes, every copy's CSS and JS edited so contents differ: Benchmarks/scale/make-scale-corpus.sh),
# collected cold with --no-compress and with compression at a low brotli quality (so the 20x run stays
# short). Reports wall time, CPU time, peak RSS (wait4's ru_maxrss via GNU time) per size, and the ratios the
# issue sets goals on: peak RSS against the 1x run, and time per file against the 1x run (linear = 1.0).
# Usage: Benchmarks/scale/run.sh [CORPUS_DIR] [SIZES]   (defaults: /tmp/collectstatic-corpus, "1 5 20")
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=${1:-/tmp/collectstatic-corpus}
sizes=${2:-"1 5 20"}
work=${SCALE_WORK:-/tmp/collectstatic-scale}
# STATIC_ROOT goes on a tmpfs by default: on a busy ext4 disk, creating tens of thousands of files
# spends most of its time in the kernel's inode allocator (`perf` shows ext4's `recently_deleted`), which
# measures the disk's history, not collectstatic. SCALE_OUT=/some/disk/folder measures a disk instead.
out_root=${SCALE_OUT:-/dev/shm/collectstatic-scale}
mkdir -p "$out_root"
Benchmarks/make-corpus.sh "$corpus"
swift build -c release --product collectstatic >/dev/null
binary=$PWD/.build/release/collectstatic
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }
mkdir -p "$work"
declare -A base_rss base_per_file
printf '| mode | size | files | MB | wall (s) | CPU (s) | peak RSS (MB) | RSS ÷ 1x | wall per file ÷ 1x |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for size in $sizes; do
    tree="$work/tree-$size"
    Benchmarks/scale/make-scale-corpus.sh "$corpus" "$size" "$tree"
    files=$(find "$tree" -type f ! -name roots.txt ! -name .copies | wc -l)
    megabytes=$(find "$tree" -type f ! -name roots.txt ! -name .copies -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s / 1e6 }')
    mapfile -t roots < "$tree/roots.txt"
    dirs=()
    for root in "${roots[@]}"; do dirs+=(--dir "$tree/$root"); done
    for mode in no-compress brotli-q4; do
        out="$out_root/out-$size-$mode"
        rm -rf "$out" "$out_root/.out-$size-$mode.collectstatic"
        flags=(--noinput --missing warn --json --static-root "$out")
        if [ "$mode" = no-compress ]; then flags+=(--no-compress); else flags+=(--brotli-quality 4 --gzip-level 6); fi
        # An empty environment, as in a Docker build.
        env -i PATH=/usr/bin:/bin /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
            "$binary" "${flags[@]}" "${dirs[@]}" > "$work/report-$size-$mode.json"
        read -r wall user sys rss_kb < "$work/time"
        rss=$(awk -v k="$rss_kb" 'BEGIN { printf "%.0f", k / 1024 }')
        cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
        per_file=$(awk -v w="$wall" -v f="$files" 'BEGIN { print w / f }')
        if [ -z "${base_rss[$mode]:-}" ]; then base_rss[$mode]=$rss; base_per_file[$mode]=$per_file; fi
        rss_ratio=$(awk -v a="$rss" -v b="${base_rss[$mode]}" 'BEGIN { printf "%.2f", a / b }')
        time_ratio=$(awk -v a="$per_file" -v b="${base_per_file[$mode]}" 'BEGIN { printf "%.2f", a / b }')
        printf '| %s | %sx | %s | %s | %s | %s | %s | %s | %s |\n' \
            "$mode" "$size" "$files" "$megabytes" "$wall" "$cpu" "$rss" "$rss_ratio" "$time_ratio"
        rm -rf "$out" "$out_root/.out-$size-$mode.collectstatic"
    done
done
echo
echo "peak RSS (MB) at the end of each stage, largest size:"
for mode in no-compress brotli-q4; do
    last=$(echo $sizes | awk '{ print $NF }')
    python3 -c "import json,sys; r=json.loads([l for l in open(sys.argv[1]) if l.startswith('{')][-1]); print('  $mode:', ', '.join(f'{k} {v}' for k, v in sorted(r.get('peakMegabytes', {}).items(), key=lambda kv: kv[1])))" \
        "$work/report-$last-$mode.json"
done
