/// The Python program `collectstatic --django` runs with the project's own Python, in the folder
/// that holds `manage.py` (`python -c PROGRAM [SETTINGS_MODULE]`). It asks Django for everything
/// its `collectstatic` would use and prints one JSON object on stdout (the settings' own prints go
/// to stderr). On a problem it prints `{"problem": KIND, "message": ...}` instead, where KIND is
/// `settings`, `django`, `finder` or `storage` (a storage that overrides how Django hashes). Read by
/// ``DjangoProject``.
enum DjangoSettingsProgram {
    static let source = #"""
        import json
        import os
        import re
        import sys
        import tempfile
        import traceback


        def problem(kind, message):
            return {"problem": kind, "message": message}


        def describe(exc):
            """One line: the exception, and where in the project's code it was raised."""
            text = "".join(traceback.format_exception_only(type(exc), exc)).strip().replace("\n", " ")
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/site-packages/" not in f.filename
                      and not f.filename.startswith("<")]
            if frames and not isinstance(exc, SyntaxError):
                text += f" ({frames[-1].filename}:{frames[-1].lineno})"
            return re.sub(r"\s+", " ", text)


        # What a storage can change about the names and bytes collectstatic writes (Django's HashedFilesMixin
        # and ManifestFilesMixin, WhiteNoise's compressed storages). Followed, not listed: manifest_name,
        # support_js_module_import_aggregation; only read when serving: url, stored_name, manifest_strict,
        # load_manifest, read_manifest; max_post_process_passes (we need no passes).
        HASHING_HOOKS = (
            "file_hash", "hashed_name", "url_converter", "post_process", "_post_process", "_url", "_stored_name",
            "clean_name", "hash_key", "get_ignored_blocks", "is_in_ignored_block", "save_manifest", "patterns",
            "_js_module_import_aggregation_patterns", "default_template", "keep_intermediate_files",
            "manifest_version", "post_process_with_compression", "compress_files", "create_compressor",
        )


        def hashing_overrides(cls):
            """The hooks of HASHING_HOOKS that cls takes from a class outside Django and WhiteNoise."""
            found = []
            for name in HASHING_HOOKS:
                owner = next((k for k in cls.__mro__ if name in k.__dict__), None)
                module = getattr(owner, "__module__", None) or ""
                if owner is not None and module.split(".")[0] not in ("django", "whitenoise"):
                    found.append(name)
            return found


        def settings_module_from_manage_py():
            try:
                with open("manage.py", encoding="utf-8") as f:
                    text = f.read()
            except OSError:
                return None
            match = re.search(
                r"""environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""", text)
            return match.group(1) if match else None


        def inspect(settings_module):
            sys.path.insert(0, os.getcwd())
            if settings_module:
                os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
            elif not os.environ.get("DJANGO_SETTINGS_MODULE"):
                found = settings_module_from_manage_py()
                if not found:
                    where = "has no manage.py" if not os.path.exists("manage.py") else \
                        "has a manage.py that sets no DJANGO_SETTINGS_MODULE"
                    return problem("settings", f"{os.getcwd()} {where}; run collectstatic --django in the folder "
                                   "that holds manage.py, or name the settings with --django-settings MODULE")
                os.environ["DJANGO_SETTINGS_MODULE"] = found
            module = os.environ["DJANGO_SETTINGS_MODULE"]
            try:
                import django
            except ImportError as exc:
                return problem("django", f"{sys.executable} cannot import Django ({exc}); run collectstatic with the "
                               "project's virtualenv active, or set COLLECTSTATIC_PYTHON to its python")
            try:
                from django.conf import settings
                django.setup()
            except Exception as exc:
                return problem("settings", f"cannot load the Django settings {module!r}: {describe(exc)}")

            from django.apps import apps
            from django.contrib.staticfiles import finders
            from django.core.files.storage import FileSystemStorage

            if not apps.is_installed("django.contrib.staticfiles"):
                return problem("settings", f"{module}: django.contrib.staticfiles is not in INSTALLED_APPS")
            roots = []
            for path in settings.STATICFILES_FINDERS:
                try:
                    finder = finders.get_finder(path)
                except Exception as exc:
                    return problem("finder", f"STATICFILES_FINDERS: cannot load {path}: {describe(exc)}")
                if isinstance(finder, finders.FileSystemFinder):
                    for prefix, root in finder.locations:
                        roots.append({"prefix": prefix or "", "path": finder.storages[root].location,
                                      "origin": "STATICFILES_DIRS"})
                elif isinstance(finder, finders.AppDirectoriesFinder):
                    for app in finder.apps:
                        roots.append({"prefix": "", "path": finder.storages[app].location, "origin": f"app {app}"})
                else:
                    storages = list(getattr(finder, "storages", {}).values())
                    if not storages and getattr(finder, "storage", None) is not None:
                        storages = [finder.storage]
                    if not storages or not all(isinstance(s, FileSystemStorage) for s in storages):
                        return problem("finder", f"STATICFILES_FINDERS: {path} exposes no file system storage "
                                       "(no .storages or .storage that is a FileSystemStorage), so collectstatic "
                                       "--django cannot list its files; remove it or use manage.py collectstatic")
                    for storage in storages:
                        roots.append({"prefix": getattr(storage, "prefix", None) or "", "path": storage.location,
                                      "origin": f"finder {path}"})

            from django.contrib.staticfiles.storage import HashedFilesMixin, ManifestFilesMixin
            from django.core.files.storage import storages as configured

            static_root = settings.STATIC_ROOT
            if static_root is None:
                # The storage is only asked about, never written to. A manifest storage reads its manifest
                # from STATIC_ROOT when it is made, which fails while STATIC_ROOT is None, though our own
                # STATIC_ROOT may be set (and wins). A folder that does not exist reads as no manifest.
                settings.STATIC_ROOT = os.path.join(tempfile.gettempdir(), f"collectstatic-no-static-root-{os.getpid()}")
            try:
                storage = configured["staticfiles"]
            except Exception as exc:
                return problem("settings", f"STORAGES['staticfiles'] cannot be loaded: {describe(exc)}")
            backend = f"{type(storage).__module__}.{type(storage).__qualname__}"
            overridden = hashing_overrides(type(storage))
            if overridden:
                return problem("storage", f"STORAGES['staticfiles'] is {backend}, which overrides {', '.join(overridden)} "
                               "of Django's hashing, so collectstatic --django would write names and bytes that Django "
                               "does not; remove the overrides or run manage.py collectstatic")
            compressed = False
            try:
                from whitenoise.storage import CompressedManifestStaticFilesStorage, CompressedStaticFilesStorage
                compressed = isinstance(storage, (CompressedManifestStaticFilesStorage, CompressedStaticFilesStorage))
            except ImportError:
                pass
            skip = getattr(settings, "WHITENOISE_SKIP_COMPRESS_EXTENSIONS", None)
            return {
                "django": django.get_version(),
                "python": sys.executable,
                "settingsModule": module,
                "staticRoot": None if static_root is None else os.fspath(static_root),
                "staticURL": settings.STATIC_URL,
                "roots": roots,
                "ignorePatterns": list(apps.get_app_config("staticfiles").ignore_patterns),
                "storage": {
                    "backend": backend,
                    "manifest": isinstance(storage, ManifestFilesMixin),
                    "hashed": isinstance(storage, HashedFilesMixin),
                    "manifestName": getattr(storage, "manifest_name", None),
                    "jsModules": bool(getattr(storage, "support_js_module_import_aggregation", False)),
                    "compressed": compressed,
                    "skipCompressExtensions": None if skip is None else list(skip),
                },
            }


        def main():
            out = sys.stdout
            sys.stdout = sys.stderr  # what the settings print must not get into the JSON
            try:
                result = inspect(sys.argv[1] if len(sys.argv) > 1 else "")
            except Exception as exc:
                result = problem("settings", describe(exc))
            out.write(json.dumps(result))
            out.flush()


        main()
        """#
}
