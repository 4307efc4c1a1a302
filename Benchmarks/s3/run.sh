#!/usr/bin/env bash
# Publishing the real-wheel corpus (Benchmarks/make-corpus.sh) to an S3-protocol server, side by side in
# one run, release build: moto's server (Tests/S3/moto_server.py, with a log of every request it
# received, here with signature checking off) on loopback, one bucket per contender.
#   1. ours: `collectstatic` with COLLECTSTATIC_STORAGE, over a STATIC_ROOT it collected just before
#      without storage (so the run is the publish: the local tree is already up to date);
#   2. `aws s3 sync` of that same collected tree (every hashed file, original and variant);
#   3. Django + django-storages `S3ManifestStaticStorage` (`manage.py collectstatic`, the same roots as
#      STATICFILES_DIRS; it compresses nothing, so it uploads about a third of the objects);
# then each again with nothing changed. Prints wall times and request counts by method (from the
# server's log).
# Usage: Benchmarks/s3/run.sh [CORPUS_DIR]   (default /tmp/collectstatic-corpus; BINARY=path skips the build;
#        DJANGO=0 leaves django-storages out, about 15 minutes of the run)
set -euo pipefail
cd "$(dirname "$0")/../.."
. Benchmarks/s3/common.sh
corpus=${1:-/tmp/collectstatic-corpus}
work=${BENCH_WORK:-/dev/shm/collectstatic-s3-benchmark}
[ -n "${BENCH_WORK:-}" ] || [ -d /dev/shm ] || work=/tmp/collectstatic-s3-benchmark
venv=${VENV:-/tmp/collectstatic-s3-bench-venv}
Benchmarks/make-corpus.sh "$corpus"
s3_bench_binary
if ! "$venv/bin/python" -c "import django, storages, boto3" 2>/dev/null; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet "django>=5.2,<6" django-storages boto3
fi
command -v aws >/dev/null || { echo "needs the AWS CLI (aws)"; exit 1; }

rm -rf "$work" && mkdir -p "$work"
s3_bench_roots "$corpus"
s3_bench_moto "$work"
requests() { s3_bench_requests; }
since() { s3_bench_since "$1"; }
seconds() { /usr/bin/time -f "%e" -o "$work/time" "$@" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }; cat "$work/time"; }
for name in ours sync django; do s3_bench_bucket "bench-$name"; done

# 1. Ours. The local collect first (not timed as publishing), then the publish.
cd "$work"
ours_env=(env -i PATH=/usr/bin:/bin COLLECTSTATIC_MISSING=warn AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID"
    AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" AWS_REGION=us-east-1 AWS_ENDPOINT_URL_S3="$endpoint")
local_cold=$(seconds "${ours_env[@]}" "$binary" --noinput --static-root "$work/root" "${dirs[@]}")
files=$(find "$work/root" -type f | wc -l)
mb=$(du -sm "$work/root" | cut -f1)
at=$(requests)
ours_publish=$(seconds "${ours_env[@]}" COLLECTSTATIC_STORAGE=s3://bench-ours/static "$binary" --noinput \
    --static-root "$work/root" "${dirs[@]}")
ours_publish_requests=$(since "$at")
at=$(requests)
ours_again=$(seconds "${ours_env[@]}" COLLECTSTATIC_STORAGE=s3://bench-ours/static "$binary" --noinput \
    --static-root "$work/root" "${dirs[@]}")
ours_again_requests=$(since "$at")

# 2. aws s3 sync of the same tree (to the bucket's root: the CLI's ListObjectsV2 with a `/` in its
#    prefix fails moto's signature check, see docs/guides/s3.md).
at=$(requests)
sync_publish=$(seconds aws --endpoint-url "$endpoint" s3 sync --only-show-errors "$work/root" s3://bench-sync)
sync_publish_requests=$(since "$at")
at=$(requests)
sync_again=$(seconds aws --endpoint-url "$endpoint" s3 sync --only-show-errors "$work/root" s3://bench-sync)
sync_again_requests=$(since "$at")

# 3. Django + django-storages S3ManifestStaticStorage.
project=$work/django
mkdir -p "$project"
{
    echo 'SECRET_KEY = "benchmark"'
    echo 'INSTALLED_APPS = ["django.contrib.staticfiles"]'
    echo 'STATIC_URL = "/static/"'
    echo 'STATICFILES_DIRS = ['
    for root in "${roots[@]}"; do echo "    \"$root\","; done
    echo ']'
    echo 'STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},'
    echo '    "staticfiles": {"BACKEND": "storages.backends.s3.S3ManifestStaticStorage", "OPTIONS": {'
    echo "        \"bucket_name\": \"bench-django\", \"location\": \"static\", \"endpoint_url\": \"$endpoint\","
    echo '        "region_name": "us-east-1", "addressing_style": "path", "querystring_auth": False}}}'
} > "$project/bench_settings.py"
django=(env -C "$project" DJANGO_SETTINGS_MODULE=bench_settings PYTHONPATH="$project"
    "$venv/bin/python" -m django collectstatic --noinput -v 0)
django_publish=n/a django_publish_requests=n/a django_again=n/a django_again_requests=n/a
if [ "${DJANGO:-1}" != 0 ]; then
    at=$(requests)
    django_publish=$(seconds "${django[@]}")
    django_publish_requests=$(since "$at")
    at=$(requests)
    django_again=$(seconds "${django[@]}")
    django_again_requests=$(since "$at")
fi

s3_bench_machine
echo "corpus: $(wc -l < "$corpus/roots.txt") roots; collected tree: $files files (hashed, originals, .br/.gz), $mb MB; local cold collect ${local_cold} s (not in the table)"
echo "$(python3 -c 'import moto; print("moto", moto.__version__)'), $(aws --version 2>&1 | cut -d' ' -f1), $("$venv/bin/python" -c 'import django, importlib.metadata as m; print("django-storages", m.version("django-storages"), "on Django", django.get_version(), "+ boto3", m.version("boto3"))')"
printf '| publish | wall (s) | requests |\n|---|---|---|\n'
printf '| ours, first publish | %s | %s |\n' "$ours_publish" "$ours_publish_requests"
printf '| aws s3 sync, same tree | %s | %s |\n' "$sync_publish" "$sync_publish_requests"
printf '| django-storages S3ManifestStaticStorage | %s | %s |\n' "$django_publish" "$django_publish_requests"
printf '| ours, nothing changed | %s | %s |\n' "$ours_again" "$ours_again_requests"
printf '| aws s3 sync, nothing changed | %s | %s |\n' "$sync_again" "$sync_again_requests"
printf '| django-storages, nothing changed | %s | %s |\n' "$django_again" "$django_again_requests"
