#!/usr/bin/env bash
# Django 6.1 + WhiteNoise CompressedManifestStaticFilesStorage versus collectstatic on the same
# corpus, cold and re-run with nothing changed, on this machine. Prints both wall times and ratios.
# Usage: Benchmarks/compare-whitenoise.sh [CORPUS_DIR]   (default /tmp/collectstatic-corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-/tmp/collectstatic-corpus}
work=${WORK:-/tmp/collectstatic-whitenoise}
venv=${VENV:-/tmp/collectstatic-django-venv-6.1}
Benchmarks/make-corpus.sh "$corpus"
swift build -c release --product collectstatic
if ! "$venv/bin/python" -c "import django, whitenoise, brotli" 2>/dev/null; then
    python=python3
    for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.1[2-9]' | sort -V | tail -1); do
        python="env PYENV_VERSION=$version python${version%.*}"
    done
    $python -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet "django>=6.1,<6.2" whitenoise brotli
fi
mapfile -t roots < <(sed "s|^|$corpus/|" "$corpus/roots.txt")
rm -rf "$work" && mkdir -p "$work"
binary=$PWD/.build/release/collectstatic
script=$PWD/Tests/Django/django_collect.py

seconds() { /usr/bin/time -f "%e" -o "$work/time" "$@" >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }; cat "$work/time"; }

wn_cold=$(seconds "$venv/bin/python" "$script" collect --whitenoise --static-root "$work/whitenoise" "${roots[@]}")
wn_rerun=$(seconds "$venv/bin/python" "$script" collect --whitenoise --static-root "$work/whitenoise" "${roots[@]}")
dirs=(); for root in "${roots[@]}"; do dirs+=(--dir "$root"); done
ours_cold=$(cd "$work" && seconds env -i PATH=/usr/bin:/bin "$binary" --noinput --missing warn --static-root "$work/ours" "${dirs[@]}")
ours_rerun=$(cd "$work" && seconds env -i PATH=/usr/bin:/bin "$binary" --noinput --missing warn --static-root "$work/ours" "${dirs[@]}")

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "corpus: $(wc -l < "$corpus/roots.txt") roots, $(sed "s|^|$corpus/|" "$corpus/roots.txt" | xargs du -sch | tail -1 | cut -f1)"
echo "$("$venv/bin/python" -c 'import django, importlib.metadata as m; print("WhiteNoise", m.version("whitenoise"), "on Django", django.get_version())')"
printf '| run | Django + WhiteNoise (s) | collectstatic (s) | speed-up |\n|---|---|---|---|\n'
printf '| cold | %s | %s | %.1fx |\n' "$wn_cold" "$ours_cold" "$(echo "$wn_cold / $ours_cold" | bc -l)"
printf '| re-run, nothing changed | %s | %s | %.1fx |\n' "$wn_rerun" "$ours_rerun" "$(echo "$wn_rerun / $ours_rerun" | bc -l)"
