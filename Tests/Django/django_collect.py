"""Runs Django's own collectstatic with ManifestStaticFilesStorage, as the reference peer.

Usage:
  python django_collect.py collect --static-root DIR [--static-url /static/] [--js-modules] [--whitenoise] ROOT...
      ROOT is PATH or PREFIX=PATH, in search order (STATICFILES_DIRS).
  python django_collect.py url --static-root DIR [--static-url /static/] NAME...
      Prints staticfiles_storage.url(NAME) for each NAME, one per line, from the manifest in DIR.
"""

import argparse
import json
import sys

import django
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage


class JSModuleManifestStorage(ManifestStaticFilesStorage):
    support_js_module_import_aggregation = True


def configure(static_root, static_url, roots, js_modules, whitenoise=False):
    dirs = []
    for root in roots:
        prefix, sep, path = root.partition("=")
        dirs.append((prefix, path) if sep and "/" not in prefix else root)
    backend = (
        "__main__.JSModuleManifestStorage"
        if js_modules
        else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    )
    if whitenoise:
        backend = "whitenoise.storage.CompressedManifestStaticFilesStorage"
    settings.configure(
        DEBUG=False,
        INSTALLED_APPS=["django.contrib.staticfiles"],
        STATIC_URL=static_url,
        STATIC_ROOT=static_root,
        STATICFILES_DIRS=dirs,
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={"staticfiles": {"BACKEND": backend}},
    )
    django.setup()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["collect", "url"])
    parser.add_argument("--static-root", required=True)
    parser.add_argument("--static-url", default="/static/")
    parser.add_argument("--js-modules", action="store_true")
    parser.add_argument(
        "--whitenoise",
        action="store_true",
        help="use WhiteNoise's CompressedManifestStaticFilesStorage (adds .gz/.br variants)",
    )
    parser.add_argument("items", nargs="*")
    args = parser.parse_intermixed_args()
    if args.command == "collect":
        configure(args.static_root, args.static_url, args.items, args.js_modules, args.whitenoise)
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        print(json.dumps({"django": django.get_version()}))
    else:
        configure(args.static_root, args.static_url, [], False)
        from django.contrib.staticfiles.storage import staticfiles_storage

        for name in args.items:
            print(staticfiles_storage.url(name))


if __name__ == "__main__":
    sys.exit(main())
