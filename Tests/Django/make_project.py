"""Creates the Django project the `collectstatic --django` tests run against.

Usage:
  python make_project.py DIR

`django-admin startproject mysite DIR` (Django's own template: django.contrib.admin installed,
manage.py setting DJANGO_SETTINGS_MODULE), then:
  - an app of ours, `shop`, whose static files reference each other (url(), @import, a font with
    `?#iefix`, a JS source map) and a template using `{% static %}` served at `/`;
  - STATICFILES_DIRS = [BASE_DIR / "static", ("vendor", BASE_DIR / "vendor")]; `static/` shadows one
    of the app's files (the first finder wins), `vendor/` references the app's image;
  - WhiteNoise's middleware and CompressedManifestStaticFilesStorage; DEBUG off unless DJANGO_DEBUG=1;
  - extra settings modules for the other tests: `mysite.settings_cdn` (another STATIC_URL),
    `mysite.settings_broken` (cannot be imported), `mysite.settings_finder` (a custom finder
    without a storage), `mysite.settings_plain` (Django's ManifestStaticFilesStorage, no WhiteNoise),
    `mysite.settings_copy` (StaticFilesStorage: no manifest storage, Django only copies),
    `mysite.settings_hooks` (a storage overriding `file_hash` and `patterns`: Django would write other
    names), `mysite.settings_lenient` (STATIC_ROOT = None, a storage changing only what serving reads,
    `manifest_strict`), `mysite.settings_noisy` (settings that print and warn while loading),
    `mysite.settings_missing_dir`
    (a STATICFILES_DIRS folder that does not exist).
"""

import os
import subprocess
import sys


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main(directory):
    os.makedirs(directory, exist_ok=True)
    subprocess.run([sys.executable, "-m", "django", "startproject", "mysite", directory], check=True)
    j = lambda *parts: os.path.join(directory, *parts)  # noqa: E731

    with open(j("mysite", "settings.py"), "a", encoding="utf-8") as f:
        f.write(
            """
# --- added by Tests/Django/make_project.py ---
import os

DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS += ["shop"]
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor", BASE_DIR / "vendor")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
"""
        )
    write(j("mysite", "settings_cdn.py"), 'from .settings import *  # noqa\n\nSTATIC_URL = "https://cdn.example.com/static/"\n')
    write(j("mysite", "settings_broken.py"), "from .settings import *  # noqa\nimport does_not_exist_module  # noqa\n")
    write(
        j("mysite", "settings_finder.py"),
        "from .settings import *  # noqa\n\nSTATICFILES_FINDERS = [\n"
        '    "django.contrib.staticfiles.finders.FileSystemFinder",\n'
        '    "django.contrib.staticfiles.finders.AppDirectoriesFinder",\n'
        '    "shop.finders.NoStorageFinder",\n]\n',
    )
    write(
        j("mysite", "settings_plain.py"),
        "from .settings import *  # noqa\n\n"
        'MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise")]\n'
        'STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}\n',
    )
    write(
        j("mysite", "settings_copy.py"),
        "from .settings import *  # noqa\n\n"
        'STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}\n',
    )
    write(
        j("mysite", "settings_hooks.py"),
        "from .settings import *  # noqa\n\n"
        'STORAGES["staticfiles"] = {"BACKEND": "shop.storage.ShortHashStorage"}\n',
    )
    write(
        j("mysite", "settings_lenient.py"),
        "from .settings import *  # noqa\n\n"
        "STATIC_ROOT = None\n"
        'STORAGES["staticfiles"] = {"BACKEND": "shop.storage.LenientStorage"}\n',
    )
    write(
        j("mysite", "settings_noisy.py"),
        "import warnings\n\nfrom .settings import *  # noqa\n\n"
        'print("hello from mysite.settings_noisy")\n'
        'warnings.warn("a warning from mysite.settings_noisy")\n',
    )
    write(
        j("mysite", "settings_missing_dir.py"),
        "from .settings import *  # noqa\n\n"
        'STATICFILES_DIRS = [*STATICFILES_DIRS, BASE_DIR / "no-such-folder"]\n'
        'STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}\n',
    )
    write(
        j("shop", "storage.py"),
        "from django.contrib.staticfiles.storage import ManifestStaticFilesStorage\n\n\n"
        "class ShortHashStorage(ManifestStaticFilesStorage):\n"
        "    patterns = ()\n\n"
        "    def file_hash(self, name, content=None):\n"
        "        return super().file_hash(name, content)[:8]\n\n\n"
        "class LenientStorage(ManifestStaticFilesStorage):\n"
        "    manifest_strict = False\n"
        "    max_post_process_passes = 10\n",
    )
    with open(j("mysite", "urls.py"), "a", encoding="utf-8") as f:
        f.write("\nfrom shop.views import index  # noqa: E402\n\nurlpatterns += [path('', index)]\n")

    write(j("shop", "__init__.py"), "")
    write(
        j("shop", "views.py"),
        "from django.shortcuts import render\n\n\ndef index(request):\n    return render(request, 'shop/index.html')\n",
    )
    write(
        j("shop", "finders.py"),
        "from django.contrib.staticfiles.finders import BaseFinder\n\n\n"
        "class NoStorageFinder(BaseFinder):\n"
        "    def check(self, **kwargs):\n        return []\n\n"
        "    def find(self, path, find_all=False, **kwargs):\n        return []\n\n"
        "    def list(self, ignore_patterns):\n        return []\n",
    )
    write(
        j("shop", "templates", "shop", "index.html"),
        """{% load static %}<!doctype html>
<html><head>
<link rel="stylesheet" href="{% static 'shop/css/app.css' %}">
<link rel="stylesheet" href="{% static 'vendor/lib.css' %}">
<script src="{% static 'shop/js/app.js' %}"></script>
</head><body><img src="{% static 'shop/img/logo.svg' %}" alt="logo"></body></html>
""",
    )
    static = j("shop", "static", "shop")
    write(
        os.path.join(static, "css", "app.css"),
        """@import "base.css";
@font-face {
  font-family: "Shop";
  src: url("../fonts/shop.eot?v=1");
  src: url("../fonts/shop.eot?v=1?#iefix") format("embedded-opentype"), url(../fonts/shop.woff) format("woff");
}
.logo { background: url('../img/logo.svg') no-repeat; }
""",
    )
    write(os.path.join(static, "css", "base.css"), "/* the app's copy, shadowed by static/shop/css/base.css */\n")
    write(os.path.join(static, "img", "logo.svg"), '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n')
    write(os.path.join(static, "fonts", "shop.eot"), "not really a font\n")
    write(os.path.join(static, "fonts", "shop.woff"), "not really a font either\n")
    write(os.path.join(static, "js", "app.js"), "console.log('shop');\n//# sourceMappingURL=app.js.map\n")
    write(os.path.join(static, "js", "app.js.map"), '{"version":3,"sources":["app.ts"],"mappings":""}\n')
    write(
        j("static", "shop", "css", "base.css"),
        "/* the project's copy wins (FileSystemFinder first) */\nbody { background: url(../img/logo.svg); }\n",
    )
    write(j("vendor", "lib.css"), ".lib { background: url(../shop/img/logo.svg); }\n" * 3)
    print(directory)


if __name__ == "__main__":
    main(sys.argv[1])
