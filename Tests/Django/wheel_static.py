"""Downloads one wheel from PyPI (pip download, cached under /tmp) and extracts one folder of it.

Usage:
  python wheel_static.py REQUIREMENT FOLDER_IN_WHEEL DEST
      e.g. sphinx-rtd-theme==3.1.0 sphinx_rtd_theme/static /tmp/x
Prints the path of the extracted folder. Nothing third-party is ever written into the repository.
"""

import os
import subprocess
import sys
import zipfile


def main(requirement, folder, dest):
    cache = "/tmp/collectstatic-wheels"
    os.makedirs(cache, exist_ok=True)
    name = requirement.split("==")[0].replace("-", "_").lower()
    version = requirement.split("==")[1] if "==" in requirement else ""
    wheels = [w for w in os.listdir(cache) if w.lower().startswith(f"{name}-{version}") and w.endswith(".whl")]
    if not wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--only-binary", ":all:", "-d", cache, requirement],
            check=True,
        )
        wheels = [w for w in os.listdir(cache) if w.lower().startswith(f"{name}-{version}") and w.endswith(".whl")]
    prefix = folder.rstrip("/") + "/"
    with zipfile.ZipFile(os.path.join(cache, sorted(wheels)[-1])) as wheel:
        members = [m for m in wheel.namelist() if m.startswith(prefix) and not m.endswith("/")]
        if not members:
            sys.exit(f"{folder} not found in {wheels[-1]}")
        for member in members:
            wheel.extract(member, dest)
    print(os.path.join(dest, folder))


if __name__ == "__main__":
    main(*sys.argv[1:4])
