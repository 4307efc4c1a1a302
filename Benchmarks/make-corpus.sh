#!/usr/bin/env bash
# Builds the benchmark corpus: the static folders of a few pinned PyPI wheels (real third-party CSS,
# JS, fonts and images: Django admin, DRF, Wagtail, django-cms, grappelli, jazzmin, ckeditor, tinymce,
# filer, debug-toolbar, two Sphinx themes), unpacked at benchmark time and never committed.
# Usage: Benchmarks/make-corpus.sh DIR   → DIR/wheels/…, DIR/roots.txt (one source root per line)
set -euo pipefail
dir=${1:?usage: make-corpus.sh DIR}
wheels=(
    django==5.2.19 djangorestframework==3.18.3 wagtail==8.0.1 django-debug-toolbar==8.0.0
    django-grappelli==5.0.1 django-jazzmin==3.0.5 django-ckeditor==6.7.4 django-tinymce==5.0.0
    django-filer==3.6.0 django-cms==5.1.3 sphinx-rtd-theme==3.1.0 furo==2025.12.19
)
if [ -f "$dir/roots.txt" ]; then exit 0; fi
mkdir -p "$dir/download" "$dir/wheels"
python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$dir/download" "${wheels[@]}"
for wheel in "$dir"/download/*.whl; do
    name=$(basename "$wheel" .whl)
    mkdir -p "$dir/wheels/$name"
    python3 -m zipfile -e "$wheel" "$dir/wheels/$name"
done
# Every top-level `static` folder of an app, as Django's AppDirectoriesFinder would see them;
# test projects and project templates are not apps.
(cd "$dir" && find wheels -type d -name static -not -path '*/static/*' \
    | grep -v -E 'test_utils|project_template|dist-info' | sort) > "$dir/roots.txt.tmp"
mv "$dir/roots.txt.tmp" "$dir/roots.txt"
echo "corpus: $(wc -l < "$dir/roots.txt") source roots, $(cd "$dir" && sed 's|$|/|' roots.txt | xargs du -sch | tail -1 | cut -f1)"
