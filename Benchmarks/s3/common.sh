# Sourced by the S3 benchmarks (run.sh, warm-cache.sh, memory.sh); not run on its own.
# Run from the package's root (the scripts `cd` there first).
#
#   s3_bench_binary               the release binary: $BINARY, or built now (BINARY=path skips the build)
#   s3_bench_roots CORPUS         `dirs` = one `--dir ROOT` per line of CORPUS/roots.txt, `roots` = the roots
#   s3_bench_moto WORK            starts moto's server (Tests/S3/moto_server.py, with a log of every request,
#                                 signature checking off: moto 5.2.1 refuses keys with `@`, which the corpus
#                                 has in cms/img/loader@2x.gif, as it refuses `+`, `(` and non-ASCII) on
#                                 loopback; exports the AWS variables and `endpoint`; stops it on exit
#   s3_bench_requests             how many requests the server has received
#   s3_bench_since N              requests since log position N, as "N (GET a, PUT b, ...)"
#   s3_bench_bucket NAME          creates a bucket
#   s3_bench_machine              one line: cores, CPU model, load average

# The benchmark targets are in the package only when asked for (Package.swift).
export COLLECTSTATIC_BENCHMARKS=1

s3_bench_binary() {
    if [ -z "${BINARY:-}" ]; then swift build -c release --product collectstatic >&2; fi
    binary=${BINARY:-$PWD/.build/release/collectstatic}
}

s3_bench_roots() {
    mapfile -t roots < <(sed "s|^|$1/|" "$1/roots.txt")
    dirs=()
    for root in "${roots[@]}"; do dirs+=(--dir "$root"); done
}

s3_bench_moto() {
    local work=$1 started
    # The server prints one JSON line with its port and key, then serves until its stdin closes.
    coproc MOTO { exec python3 -c '
import sys; sys.path.insert(0, "Tests/S3")
import moto_server
from moto import settings
settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
moto_server.main()' 2>"$work/moto.log"; }
    read -r started <&"${MOTO[0]}"
    local port
    port=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["port"])' "$started")
    AWS_ACCESS_KEY_ID=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["access_key"])' "$started")
    AWS_SECRET_ACCESS_KEY=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["secret_key"])' "$started")
    endpoint=http://127.0.0.1:$port
    export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
    export AWS_ENDPOINT_URL_S3=$endpoint
    trap 'exec {MOTO[1]}>&-; wait' EXIT
}

s3_bench_requests() {
    curl -sSf "$endpoint/__requests" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}

s3_bench_since() {
    curl -sSf "$endpoint/__requests" | python3 -c '
import collections, json, sys
log = json.load(sys.stdin)[int(sys.argv[1]):]
counts = collections.Counter(entry["method"] for entry in log)
print(f"{len(log)} (" + ", ".join(f"{m} {n}" for m, n in sorted(counts.items())) + ")")' "$1"
}

s3_bench_bucket() { aws --endpoint-url "$endpoint" s3api create-bucket --bucket "$1" >/dev/null; }

s3_bench_machine() {
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
}
