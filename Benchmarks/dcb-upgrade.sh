#!/usr/bin/env bash
# dcb where the library has it, shown on a machine whose libbrotli lacks it (Debian 12: 1.0.9):
# builds libbrotli 1.1.0 and its CLI from PyPI's Brotli 1.1.0 sdist (Benchmarks/brotli-1.1-prefix.sh),
# builds collectstatic against it (PKG_CONFIG_PATH, own scratch path), runs the upgrade benchmark
# (Benchmarks/dcz-upgrade.sh: wagtail 7.3.4 -> 7.4.4 unless told otherwise) with that binary, then
# decodes every dcb delta of the upgraded STATIC_ROOT with the 1.1.0 `brotli` CLI (`-d -D previous`)
# and compares it with the new file byte for byte. Not CI (it downloads and builds a library).
# Usage: Benchmarks/dcb-upgrade.sh [PACKAGE OLD NEW]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${BROTLI_PREFIX:-/tmp/collectstatic-brotli-1.1}
Benchmarks/brotli-1.1-prefix.sh "$prefix" >/dev/null
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig LD_LIBRARY_PATH=$prefix/lib
swift build -c release --product collectstatic --scratch-path .build-brotli-1.1 >/dev/null
bin=$PWD/.build-brotli-1.1/release/collectstatic
"$bin" --version
"$bin" --version | grep -q '^brotli 1\.1\.0 (shared dictionaries: dcb deltas)$' \
    || { echo "collectstatic was not built against libbrotli 1.1.0" >&2; exit 1; }
work=${WORK:-$(mktemp -d)}
WORK=$work COLLECTSTATIC_BIN=$bin Benchmarks/dcz-upgrade.sh "$@"
python3 - "$work/with" "$prefix/bin/brotli" <<'PY'
import hashlib, json, os, subprocess, sys, tempfile
root, brotli = sys.argv[1:3]
m = json.load(open(os.path.join(root, "staticfiles.json")))
files = m["files"]
by_digest = {}
def digest_of(name):
    with open(os.path.join(root, name), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()
for name in files:
    by_digest.setdefault(digest_of(name), name)
checked = 0
with tempfile.TemporaryDirectory() as tmp:
    for name, entry in sorted(files.items()):
        for dictionary, record in sorted(entry.get("dcb", {}).items()):
            path = os.path.join(root, f"{name}.{dictionary[:16]}.dcb")
            body = open(path, "rb").read()
            assert len(body) == record["size"] and hashlib.sha256(body).hexdigest() == record["sha256"], path
            assert body[:4] == b"\xff\x44\x43\x42", f"{path}: magic {body[:4].hex()}"
            assert body[4:36].hex() == dictionary, f"{path}: header names {body[4:36].hex()}"
            stream = os.path.join(tmp, "stream.br"); out = os.path.join(tmp, "out")
            open(stream, "wb").write(body[36:])
            subprocess.run([brotli, "-d", "-f", "-D", os.path.join(root, by_digest[dictionary]), "-o", out, stream],
                           check=True)
            assert open(out, "rb").read() == open(os.path.join(root, name), "rb").read(), f"{path}: decodes wrong"
            # Without the dictionary the stream does not decode to the file.
            plain = subprocess.run([brotli, "-d", "-c", stream], capture_output=True)
            assert plain.returncode != 0 or plain.stdout != open(os.path.join(root, name), "rb").read(), path
            checked += 1
print(f"dcb deltas decoded by `{brotli} -d -D <previous version>` to exactly the new file: {checked}")
assert checked > 0, "no dcb delta to check"
PY
