#!/usr/bin/env bash
# Total compressed bytes of the corpus's CSS/JS/SVG/JSON, each file compressed on its own, for zstd levels,
# gzip -9 and brotli q11 (the CLIs use the same system libraries as collectstatic), then zstd levels x
# window logs (--zstd=wlog=N; zstd never uses a window bigger than the file, so a log only matters for
# files over 2^N bytes: the script counts them). Seconds are CPU seconds of one CLI run over all files.
# WINDOW_ONLY=1 skips the level/codec table.
# Numbers in docs/design/compression.md.
# Usage: Benchmarks/zstd-levels.sh [CORPUS_DIR]   (default /tmp/collectstatic-corpus, made by make-corpus.sh)
set -euo pipefail
corpus=${1:-/tmp/collectstatic-corpus}
cd "$(dirname "$0")/.."
Benchmarks/make-corpus.sh "$corpus"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
src=$work/src; mkdir -p "$src"
i=0
while read -r root; do
    while IFS= read -r -d '' f; do i=$((i + 1)); cp "$f" "$src/$i-$(basename "$f")"; done < <(
        find "$corpus/$root" -type f \( -name '*.css' -o -name '*.js' -o -name '*.svg' -o -name '*.json' \) -print0)
done < "$corpus/roots.txt"
bytes() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }'; }
echo "files $(ls "$src" | wc -l) bytes $(bytes "$src")"
# CPU seconds (user + system) of one run: less disturbed than wall time on a shared machine.
timed() { /usr/bin/time -f '%U %S' -o "$work/time" "$@" >/dev/null 2>&1; awk '{ print $1 + $2 }' "$work/time"; }
if [ -z "${WINDOW_ONLY:-}" ]; then
    for level in 3 9 15 19 22; do
        out=$work/z$level; mkdir -p "$out"
        secs=$(timed zstd -q -f --ultra -$level --no-check --output-dir-flat "$out" "$src"/*)
        echo "zstd -$level bytes $(bytes "$out") secs $secs"
    done
    cp -r "$src" "$work/gz"; secs=$(timed gzip -9 -n "$work/gz"/*); echo "gzip -9 bytes $(bytes "$work/gz") secs $secs"
    cp -r "$src" "$work/br"; secs=$(timed brotli -q 11 -w 22 --rm "$work/br"/*); echo "brotli q11 bytes $(bytes "$work/br") secs $secs"
fi
echo "files over 2^N bytes: $(for n in 17 19 20 21 23; do printf 'N=%s:%s ' $n "$(find "$src" -type f -size +$((1 << n))c | wc -l)"; done)"
for level in ${WINDOW_LEVELS:-3 9 19 22}; do
    for wlog in ${WINDOW_LOGS:-17 19 21 23}; do
        out=$work/z$level-w$wlog; mkdir -p "$out"
        secs=$(timed zstd -q -f --ultra -$level --zstd=wlog=$wlog --no-check --output-dir-flat "$out" "$src"/*)
        echo "zstd -$level wlog $wlog bytes $(bytes "$out") secs $secs"
        rm -rf "$out"
    done
done
