#!/usr/bin/env bash
# `collectstatic --django` versus the project's own `manage.py collectstatic` (Django 6.1 + WhiteNoise
# CompressedManifestStaticFilesStorage) on one Django project, side by side in one run, release build:
# the project of the tests (Tests/Django/make_project.py: django.contrib.admin, an app, a prefixed
# STATICFILES_DIRS entry) plus the corpus of real wheels (Benchmarks/make-corpus.sh) as more
# STATICFILES_DIRS entries. Cold (empty STATIC_ROOT) and re-run (nothing changed); prints both wall
# times, the ratios, and whether both published the same manifest paths.
# Usage: Benchmarks/django/run.sh [CORPUS_DIR]   (default /tmp/collectstatic-corpus)
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=${1:-/tmp/collectstatic-corpus}
work=${WORK:-/tmp/collectstatic-django-bench}
venv=${VENV:-/tmp/collectstatic-django-venv-6.1}
Benchmarks/make-corpus.sh "$corpus"
swift build -c release --product collectstatic
binary=$PWD/.build/release/collectstatic
if ! "$venv/bin/python" -c "import django, whitenoise, brotli, gunicorn" 2>/dev/null; then
    python=python3
    for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.1[2-9]' | sort -V | tail -1); do
        python="env PYENV_VERSION=$version python${version%.*}"
    done
    [ -x "$venv/bin/python" ] || $python -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet "django>=6.1,<6.2" whitenoise brotli gunicorn
fi

rm -rf "$work" && mkdir -p "$work"
project=$work/project
"$venv/bin/python" Tests/Django/make_project.py "$project" >/dev/null
{
    echo "from .settings import *  # noqa"
    echo "STATICFILES_DIRS += ["
    sed "s|^\(.*\)$|    \"$corpus/\1\",|" "$corpus/roots.txt"
    echo "]"
} > "$project/mysite/settings_bench.py"
export DJANGO_SETTINGS_MODULE=mysite.settings_bench
export PATH=$venv/bin:$PATH   # the project's virtualenv is active, as in its Dockerfile

seconds() { /usr/bin/time -f "%e" -o "$work/time" "$@" >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }; cat "$work/time"; }

cd "$project"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
django_cold=$(seconds python manage.py collectstatic --noinput -v 0)
django_rerun=$(seconds python manage.py collectstatic --noinput -v 0)
mv staticfiles staticfiles-django
# The corpus has references to files its wheels do not ship (Django never looks at some of them);
# they are reported, not fatal, as in Benchmarks/compare-whitenoise.sh.
ours_cold=$(seconds env COLLECTSTATIC_MISSING=warn "$binary" --django --noinput)
ours_rerun=$(seconds env COLLECTSTATIC_MISSING=warn "$binary" --django --noinput)
same=$(python - <<'PY'
import json
a = json.load(open("staticfiles-django/staticfiles.json"))["paths"]
b = json.load(open("staticfiles/staticfiles.json"))["paths"]
print(f"{'identical' if a == b else 'DIFFERENT'} ({len(a)} entries)")
PY
)

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "project: make_project.py + $(wc -l < "$corpus/roots.txt") corpus roots as STATICFILES_DIRS"
echo "load average before/after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine skews both columns)"
echo "$(python -c 'import django, importlib.metadata as m; print("WhiteNoise", m.version("whitenoise"), "on Django", django.get_version())')"
echo "manifest paths: $same"
printf '| run | manage.py collectstatic (s) | collectstatic --django (s) | speed-up |\n|---|---|---|---|\n'
printf '| cold | %s | %s | %.1fx |\n' "$django_cold" "$ours_cold" "$(echo "$django_cold / $ours_cold" | bc -l)"
printf '| re-run, nothing changed | %s | %s | %.1fx |\n' "$django_rerun" "$ours_rerun" "$(echo "$django_rerun / $ours_rerun" | bc -l)"
