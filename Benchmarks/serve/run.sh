#!/usr/bin/env bash
# Serving benchmark (not a test): one small hashed CSS file served by
#   - StaticAssetsMiddleware, requested with `Accept-Encoding: br` (gets the precompressed .br), and
#   - Hummingbird's FileMiddleware, uncompressed (it has no precompressed variants),
# from a release build of Benchmarks/serve, each driven by wrk on the loopback interface.
# Prints requests/s and bytes transferred per request (headers + body, as wrk counts them).
#
#   Benchmarks/serve/run.sh                      # from the package root
#   DURATION=10s CONNECTIONS=64 THREADS=2 Benchmarks/serve/run.sh
#   PACKAGE_DIR=/path/to/package Benchmarks/serve/run.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
package=${PACKAGE_DIR:-$(cd "$here/../.." && pwd)}
duration=${DURATION:-5s}
connections=${CONNECTIONS:-32}
threads=${THREADS:-2}

for tool in wrk curl brotli gzip md5sum openssl; do
    command -v "$tool" >/dev/null || { echo "run.sh: '$tool' is needed (apt-get install wrk curl brotli gzip openssl)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/serve-bench.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "== building StaticAssetsServeBenchmark (release) in $package"
swift build -c release --package-path "$package" --product StaticAssetsServeBenchmark 2>&1 | tail -n 2
binary="$(swift build -c release --package-path "$package" --show-bin-path)/StaticAssetsServeBenchmark"

# A small STATIC_ROOT as collectstatic writes it: original, hashed copy, .br/.gz of both, manifest.
root="$work/static"
mkdir -p "$root/css"
for i in $(seq 1 40); do
    printf '.card-%d { display: flex; padding: %dpx; color: #333; border: 1px solid #ddd; }\n' "$i" "$i"
done > "$root/css/app.css"
hash=$(md5sum "$root/css/app.css" | cut -c1-12)
hashed="css/app.$hash.css"
cp "$root/css/app.css" "$root/$hashed"
entries=""
for name in css/app.css "$hashed"; do
    brotli -q 11 -k -f "$root/$name"
    gzip -9 -n -k -f "$root/$name"
    size=$(stat -c %s "$root/$name")
    br=$(stat -c %s "$root/$name.br")
    gz=$(stat -c %s "$root/$name.gz")
    sri="sha384-$(openssl dgst -sha384 -binary "$root/$name" | base64 -w0)"
    entries="$entries${entries:+, }\"$name\": {\"size\": $size, \"integrity\": \"$sri\", \"encodings\": {\"br\": $br, \"gzip\": $gz}}"
done
printf '{"paths": {"css/app.css": "%s"}, "version": "1.1", "hash": "%s", "files": {%s}}\n' \
    "$hashed" "$hash" "$entries" > "$root/staticfiles.json"

cat > "$work/report.lua" <<'LUA'
done = function(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write
        + summary.errors.status + summary.errors.timeout
    io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.0f bytes=%d bytes_per_request=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
        summary.requests, seconds, summary.requests / seconds, summary.bytes,
        summary.bytes / summary.requests, latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
LUA

port_ours=$((20000 + RANDOM % 20000))
port_theirs=$((port_ours + 1))
"$binary" --root "$root" --ours "$port_ours" --file-middleware "$port_theirs" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port_theirs/static/$hashed" && curl -s -o /dev/null "http://127.0.0.1:$port_ours/static/$hashed" && break
    sleep 0.1
done

url_ours="http://127.0.0.1:$port_ours/static/$hashed"
url_theirs="http://127.0.0.1:$port_theirs/static/$hashed"
echo "== file: $hashed ($(stat -c %s "$root/$hashed") bytes, .br $(stat -c %s "$root/$hashed.br") bytes)"
echo "== one request each (status, encoding, bytes on the wire incl. headers):"
curl -s -o /dev/null -H 'Accept-Encoding: br' -w "   StaticAssetsMiddleware: %{http_code} %header{content-encoding} %{size_download}+%{size_header} bytes\n" "$url_ours"
curl -s -o /dev/null -w "   FileMiddleware:         %{http_code} identity %{size_download}+%{size_header} bytes\n" "$url_theirs"

run() {
    local label=$1; shift
    wrk -t"$threads" -c"$connections" -d1s "$@" > /dev/null   # warm-up
    local line
    line=$(wrk -t"$threads" -c"$connections" -d"$duration" -s "$work/report.lua" "$@" | grep '^RESULT')
    printf '%-42s %s\n' "$label" "${line#RESULT }"
}
echo "== wrk -t$threads -c$connections -d$duration (loopback, $(nproc) cores shared by server and wrk)"
run "StaticAssetsMiddleware, Accept-Encoding: br" -H 'Accept-Encoding: br' "$url_ours"
run "FileMiddleware, identity" "$url_theirs"
