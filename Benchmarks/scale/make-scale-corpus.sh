#!/usr/bin/env bash
# Makes the real-wheel corpus N times over for the scale benchmark: copy i is the corpus under the
# prefix `copy-i/` (one source root per copy and wheel), hard-linked from the corpus except CSS and JS,
# which are real copies with a comment appended so no two copies share a stylesheet or a script (the
# work is not hidden by deduplication; images and fonts stay shared, as in a real site kept N times).
# Usage: Benchmarks/scale/make-scale-corpus.sh CORPUS_DIR N OUT_DIR   (writes OUT_DIR/roots.txt)
set -euo pipefail
corpus=$1 n=$2 out=$3
[ -f "$out/roots.txt" ] && [ "$(cat "$out/.copies" 2>/dev/null)" = "$n" ] && exit 0
rm -rf "$out"
mkdir -p "$out"
: > "$out/roots.txt"
for i in $(seq 1 "$n"); do
  while read -r root; do
    [ -n "$root" ] || continue
    dest="$out/copy-$i/$root/copy-$i"
    mkdir -p "$dest"
    cp -al "$corpus/$root/." "$dest/"
    find "$dest" -type f \( -name '*.css' -o -name '*.js' \) -print0 |
      while IFS= read -r -d '' file; do
        cp --remove-destination "$(readlink -f "$file")" "$file.tmp" 2>/dev/null || cat "$file" > "$file.tmp"
        printf '\n/* copy %s */\n' "$i" >> "$file.tmp"
        mv -f "$file.tmp" "$file"
      done
    echo "copy-$i/$root" >> "$out/roots.txt"
  done < "$corpus/roots.txt"
done
echo "$n" > "$out/.copies"
