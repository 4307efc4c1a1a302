#!/usr/bin/env bash
# Two builds of collectstatic side by side in one run (e.g. before and after a refactor): the corpus
# collected cold on all cores, re-run with nothing changed, and the 20x scale tree collected cold with
# --no-compress; wall time, CPU time and peak RSS (GNU time), each binary in turn, ROUNDS times.
# Usage: Benchmarks/compare-binaries.sh BEFORE_BINARY AFTER_BINARY [CORPUS_DIR] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
before=$1 after=$2
corpus=${3:-/tmp/collectstatic-corpus}
rounds=${4:-1}
work=${COMPARE_WORK:-/dev/shm/collectstatic-compare}
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }
Benchmarks/make-corpus.sh "$corpus" >/dev/null
Benchmarks/scale/make-scale-corpus.sh "$corpus" 20 /tmp/collectstatic-scale/tree-20
mkdir -p "$work"
dirs() {
    mapfile -t roots < "$1/roots.txt"
    for root in "${roots[@]}"; do [ -n "$root" ] && printf -- '--dir\n%s\n' "$1/$root"; done
}
mapfile -t corpus_dirs < <(dirs "$corpus")
mapfile -t scale_dirs < <(dirs /tmp/collectstatic-scale/tree-20)
measure() {  # label binary out flags...
    local label=$1 binary=$2 out=$3; shift 3
    env -i PATH=/usr/bin:/bin /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
        "$binary" --noinput --missing warn --static-root "$out" "$@" > /dev/null 2> "$work/stderr" ||
        { cat "$work/stderr" >&2; exit 1; }
    read -r wall user sys rss < "$work/time"
    printf '| %s | %s | %.2f | %.2f | %.0f |\n' "$label" "$(basename "$(dirname "$(dirname "$binary")")")/$(basename "$binary")" \
        "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc)"
}
printf '| run | binary | wall (s) | CPU (s) | peak RSS (MB) |\n|---|---|---|---|---|\n'
for round in $(seq 1 "$rounds"); do
    for name in before after; do
        binary=${!name}
        out="$work/out-$name"
        rm -rf "$out" "$work/.out-$name.collectstatic"
        measure "cold ($name)" "$binary" "$out" "${corpus_dirs[@]}"
        measure "re-run ($name)" "$binary" "$out" "${corpus_dirs[@]}"
        rm -rf "$out" "$work/.out-$name.collectstatic"
        measure "20x --no-compress ($name)" "$binary" "$out" --no-compress "${scale_dirs[@]}"
        rm -rf "$out" "$work/.out-$name.collectstatic"
    done
done
