#!/usr/bin/env python3
"""Differential-test oracle: rewrite CSS/JS files with Django's own machinery.

Usage:
    rewrite_oracle.py [--js-modules] [--name-prefix DIR] FILE...

For every FILE this runs exactly the loop from
``HashedFilesMixin._post_process`` (Django's compiled ``patterns``, templates,
``get_ignored_blocks`` and ``url_converter``) over the file's content and prints
one JSON object to stdout::

    {"django": "6.1.3",
     "results": {"FILE": {"output": "...", "error": null}, ...}}

Only the storage is faked, deterministically: every file "exists" and every
file's content hash is ``abcdef123456``, so Django's real ``hashed_name`` turns
``name.ext`` into ``name.abcdef123456.ext`` (queries, fragments, ``?#`` and
percent-decoding are handled by Django's code, not by this script).  URLs that
Django leaves alone (``data:``, lowercase schemes, ``//host``, ``#frag``,
absolute paths outside STATIC_URL) are left alone by Django's own converter.

The syntax is picked like Django picks it: ``*.css`` or ``*.js`` (``fnmatchcase``
on the logical name).  The logical name Django sees is ``NAME_PREFIX/basename``
(default prefix ``css`` for CSS and ``js`` for JS); it only matters for resolving
relative URLs, which the fake storage never fails on.

``--js-modules`` turns on ``support_js_module_import_aggregation``.
"""

import argparse
import json
import os
import sys

import django
from django.conf import settings


def build_storage(js_modules):
    if not settings.configured:
        settings.configure(
            STATIC_URL="/static/",
            STATIC_ROOT="/nonexistent-static-root",
            DEBUG=False,
            USE_TZ=True,
        )
        django.setup()

    from django.contrib.staticfiles.storage import HashedFilesMixin, StaticFilesStorage
    from django.core.files.base import ContentFile

    class OracleStorage(HashedFilesMixin, StaticFilesStorage):
        support_js_module_import_aggregation = js_modules

        def exists(self, name):
            return True

        def open(self, name, mode="rb"):
            return ContentFile(b"", name=name)

        def file_hash(self, name, content=None):
            return "abcdef123456"

    return OracleStorage()


def rewrite(storage, name, content):
    """The content-rewriting part of HashedFilesMixin._post_process, verbatim."""
    from django.contrib.staticfiles.utils import matches_patterns

    hashed_files = {}
    path = name
    for extension, patterns in storage._patterns.items():
        if matches_patterns(path, (extension,)):
            if not any(p.search(content) for p, _, _ in patterns):
                continue
            for pattern, template, ignored_re in patterns:
                converter = storage.url_converter(
                    name,
                    hashed_files,
                    template,
                    storage.get_ignored_blocks(content, ignored_re),
                )
                content = pattern.sub(converter, content)
    return content


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--js-modules", action="store_true")
    parser.add_argument("--name-prefix", default=None)
    parser.add_argument("files", nargs="*")
    args = parser.parse_args(argv)

    storage = build_storage(args.js_modules)
    results = {}
    for file in args.files:
        base = os.path.basename(file)
        prefix = args.name_prefix or ("css" if base.endswith(".css") else "js")
        name = f"{prefix}/{base}"
        try:
            with open(file, "rb") as f:
                content = f.read().decode("utf-8")
            results[file] = {"output": rewrite(storage, name, content), "error": None}
        except Exception as exc:  # report, never hide
            results[file] = {"output": None, "error": f"{type(exc).__name__}: {exc}"}
    json.dump({"django": django.get_version(), "results": results}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
