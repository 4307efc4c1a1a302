#!/usr/bin/env bash
# A fresh machine with a warm bucket cache (COLLECTSTATIC_CACHE=s3://…), release build, one run:
#   1. machine A collects the real-wheel corpus cold with the bucket cache (it compresses everything and
#      sends the entries);
#   2. machine B (fresh STATIC_ROOT, fresh cache folder) collects the same corpus with the same settings:
#      it fetches the entries and compresses nothing;
#   3. the floor: a fresh --no-compress collect of the same corpus.
# Goal (issue 21): 2 within 10% of 3 plus the downloads. moto's server (Tests/S3/moto_server.py, signature
# checking off: moto 5.2.1 refuses keys with `@`, which the corpus has) on loopback.
# Usage: Benchmarks/s3/warm-cache.sh [CORPUS_DIR]   (BINARY=path skips the build)
set -euo pipefail
export COLLECTSTATIC_BENCHMARKS=1
cd "$(dirname "$0")/../.."
corpus=${1:-/tmp/collectstatic-corpus}
work=${BENCH_WORK:-/dev/shm/collectstatic-warm-cache}
Benchmarks/make-corpus.sh "$corpus" >/dev/null
if [ -z "${BINARY:-}" ]; then swift build -c release --product collectstatic; fi
binary=${BINARY:-$PWD/.build/release/collectstatic}
rm -rf "$work" && mkdir -p "$work"
mapfile -t roots < <(sed "s|^|$corpus/|" "$corpus/roots.txt")
dirs=(); for root in "${roots[@]}"; do dirs+=(--dir "$root"); done
coproc MOTO { exec python3 -c '
import sys; sys.path.insert(0, "Tests/S3")
import moto_server
from moto import settings
settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
moto_server.main()' 2>"$work/moto.log"; }
read -r started <&"${MOTO[0]}"
port=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["port"])' "$started")
export AWS_ACCESS_KEY_ID=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["access_key"])' "$started")
export AWS_SECRET_ACCESS_KEY=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["secret_key"])' "$started")
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_ENDPOINT_URL_S3=http://127.0.0.1:$port
trap 'exec {MOTO[1]}>&-; wait' EXIT
aws --endpoint-url "$AWS_ENDPOINT_URL_S3" s3api create-bucket --bucket cache >/dev/null
run() {  # label out flags...
    local label=$1 out=$2; shift 2
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$binary" --noinput --missing warn --json \
        --static-root "$out" "$@" "${dirs[@]}" > "$work/report.json" 2> "$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
    read -r wall user sys rss < "$work/time"
    python3 - "$label" "$wall" "$user" "$sys" "$rss" "$work/report.json" <<'PY'
import json, sys
label, wall, user, sys_, rss, path = sys.argv[1:]
report = json.loads([l for l in open(path) if l.startswith("{")][-1])
print(f"| {label} | {float(wall):.2f} | {float(user) + float(sys_):.2f} | {int(rss) // 1024} | "
      f"{report['variantsWritten']} | {report['variantsReused']} | {report.get('sharedCacheFetched', 0)} | {report.get('sharedCacheStored', 0)} |")
PY
}
printf '| run | wall (s) | CPU (s) | peak RSS (MB) | variants written | reused | entries fetched | files sent |\n|---|---|---|---|---|---|---|---|\n'
COLLECTSTATIC_CACHE=s3://cache/ci run "machine A: cold, bucket cache empty" "$work/a"
COLLECTSTATIC_CACHE=s3://cache/ci run "machine B: fresh, bucket cache warm" "$work/b"
run "floor: fresh, --no-compress" "$work/c" --no-compress
