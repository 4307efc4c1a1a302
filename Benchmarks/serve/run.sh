#!/usr/bin/env bash
# Serving benchmark (not a test). From a release build of Benchmarks/serve, in one run, each server on
# its own loopback port (127.0.0.1 only) and each driven by wrk in turn:
#   - a small hashed CSS file's precompressed .br (`Accept-Encoding: br`) from
#       StaticAssetsMiddleware with its defaults (small hashed files answered from memory),
#       StaticAssetsMiddleware with `memory: .disabled` (every body from disk: the middleware before),
#       Hummingbird answering the same bytes from memory (the framework's ceiling),
#       nginx with `brotli_static` on the same STATIC_ROOT (1 process),
#     and the identity file from Hummingbird's FileMiddleware (it has no precompressed variants);
#   - a 5 MB hashed file (streamed from disk: over the 64 KB memory limit) from both middleware
#     settings, from the middleware's body path before (chunks read into arrays, then copied) and from
#     nginx;
#   - the 5 MB file from StaticAssetsMiddleware in a server with StaticAssetsFileRegionHandler (file
#     regions: sendfile) against the same middleware without it, and against nginx;
#   - Vapor 4: the small .br from StaticAssetsVapor's middleware against Vapor answering the same bytes
#     from memory (a middleware in the same place: the framework's ceiling) and against the identity
#     file from Vapor's FileMiddleware; the 5 MB file from our middleware and from FileMiddleware.
# The machine is shared, so the servers are measured in ROUNDS rounds (default 3), one after the other
# within a round; ratios use each server's median requests/s.
# Prints requests/s, bytes per request (headers + body, as wrk counts them), and the ratios.
#
#   Benchmarks/serve/run.sh                      # from the package root
#   DURATION=10s CONNECTIONS=64 THREADS=2 Benchmarks/serve/run.sh
#   PACKAGE_DIR=/path/to/package Benchmarks/serve/run.sh
#   SCRATCH_PATH=.build-release Benchmarks/serve/run.sh   # another build folder (default: .build)
#   CASES="big_regions big_ours big_nginx" Benchmarks/serve/run.sh   # only these cases (keys of `run` below)
#   VAPOR_CHUNKS="262144 1048576" Benchmarks/serve/run.sh  # also Vapor's 5 MB with these chunk lengths
set -euo pipefail
# The benchmark targets are in the package only when asked for (Package.swift).
export COLLECTSTATIC_BENCHMARKS=1

here=$(cd "$(dirname "$0")" && pwd)
package=${PACKAGE_DIR:-$(cd "$here/../.." && pwd)}
duration=${DURATION:-5s}
connections=${CONNECTIONS:-32}
threads=${THREADS:-2}
rounds=${ROUNDS:-3}
cases=${CASES:-}
vapor_chunks=${VAPOR_CHUNKS:-}
scratch=${SCRATCH_PATH:-$package/.build}
brotli_module=${BROTLI_MODULE:-/usr/lib/nginx/modules/ngx_http_brotli_static_module.so}

for tool in wrk curl brotli gzip md5sum sha256sum openssl nginx; do
    command -v "$tool" >/dev/null || {
        echo "run.sh: '$tool' is needed (apt-get install wrk curl brotli gzip openssl nginx libnginx-mod-http-brotli-static)" >&2
        exit 1
    }
done
[ -f "$brotli_module" ] || { echo "run.sh: $brotli_module missing (apt-get install libnginx-mod-http-brotli-static)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/serve-bench.XXXXXX")
server_pid=
nginx_pid=
cleanup() {
    for pid in "$server_pid" "$nginx_pid"; do
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$work"
}
trap cleanup EXIT

echo "== building StaticAssetsServeBenchmark (release) in $package"
swift build -c release --package-path "$package" --scratch-path "$scratch" --product StaticAssetsServeBenchmark 2>&1 | tail -n 2
binary="$(swift build -c release --package-path "$package" --scratch-path "$scratch" --show-bin-path)/StaticAssetsServeBenchmark"

# A STATIC_ROOT as collectstatic writes it: original, hashed copy, .br/.gz of both with their sizes and
# SHA-256 in the manifest, SRI of every file; and a 5 MB hashed file without variants.
root="$work/static"
mkdir -p "$root/css" "$root/media"
for i in $(seq 1 40); do
    printf '.card-%d { display: flex; padding: %dpx; color: #333; border: 1px solid #ddd; }\n' "$i" "$i"
done > "$root/css/app.css"
hash=$(md5sum "$root/css/app.css" | cut -c1-12)
hashed="css/app.$hash.css"
cp "$root/css/app.css" "$root/$hashed"
openssl rand -out "$root/media/video.mp4" $((5 * 1024 * 1024))
big_hash=$(md5sum "$root/media/video.mp4" | cut -c1-12)
big="media/video.$big_hash.mp4"
cp "$root/media/video.mp4" "$root/$big"
sri() { echo "sha384-$(openssl dgst -sha384 -binary "$1" | base64 -w0)"; }
variant() { echo "{\"size\": $(stat -c %s "$1"), \"sha256\": \"$(sha256sum "$1" | cut -c1-64)\"}"; }
entries=""
for name in css/app.css "$hashed"; do
    brotli -q 11 -k -f "$root/$name"
    gzip -9 -n -k -f "$root/$name"
    entries="$entries${entries:+, }\"$name\": {\"size\": $(stat -c %s "$root/$name"), \"integrity\": \"$(sri "$root/$name")\", \"encodings\": {\"br\": $(variant "$root/$name.br"), \"gzip\": $(variant "$root/$name.gz")}}"
done
for name in media/video.mp4 "$big"; do
    entries="$entries, \"$name\": {\"size\": $(stat -c %s "$root/$name"), \"integrity\": \"$(sri "$root/$name")\"}"
done
printf '{"paths": {"css/app.css": "%s", "media/video.mp4": "%s"}, "version": "1.1", "hash": "%s", "files": {%s}}\n' \
    "$hashed" "$big" "$hash" "$entries" > "$root/staticfiles.json"

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
port_disk=$((port_ours + 1))
port_file=$((port_ours + 2))
port_ceiling=$((port_ours + 3))
port_nginx=$((port_ours + 4))
port_vapor=$((port_ours + 5))
port_vapor_file=$((port_ours + 6))
port_vapor_ceiling=$((port_ours + 7))
port_copying=$((port_ours + 8))
port_regions=$((port_ours + 9))
vapor_chunk_ports=""
next_port=$((port_ours + 10))
for size in $vapor_chunks; do
    vapor_chunk_ports="$vapor_chunk_ports${vapor_chunk_ports:+,}$next_port=$size"
    next_port=$((next_port + 1))
done
"$binary" --root "$root" --ours "$port_ours" --ours-disk "$port_disk" --file-middleware "$port_file" \
    --ceiling "$port_ceiling" --ceiling-body "$root/$hashed.br" --ceiling-type "text/css; charset=utf-8" \
    --ceiling-encoding br --vapor "$port_vapor" --vapor-file "$port_vapor_file" \
    --vapor-ceiling "$port_vapor_ceiling" --ours-copying "$port_copying" --ours-regions "$port_regions" \
    ${vapor_chunk_ports:+--vapor-chunks "$vapor_chunk_ports"} > "$work/server.log" 2>&1 &
server_pid=$!

mkdir -p "$work/nginx/tmp"
cat > "$work/nginx/nginx.conf" <<NGINX
load_module $brotli_module;
daemon off;
master_process off;
worker_processes 1;
error_log $work/nginx/error.log warn;
pid $work/nginx/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path $work/nginx/tmp/body;
    proxy_temp_path $work/nginx/tmp/proxy;
    fastcgi_temp_path $work/nginx/tmp/fastcgi;
    uwsgi_temp_path $work/nginx/tmp/uwsgi;
    scgi_temp_path $work/nginx/tmp/scgi;
    server {
        listen 127.0.0.1:$port_nginx;
        location /static/ {
            root $work;
            gzip_static on;
            brotli_static on;
            gzip_vary on;
            # The same fields as ours (Access-Control-Allow-Origin is on by default).
            add_header Access-Control-Allow-Origin "*";
            location ~ "\\.[0-9a-f]{12}(\\.[^/.]+)?\$" {
                add_header Cache-Control "public, max-age=31536000, immutable";
                add_header Access-Control-Allow-Origin "*";
            }
        }
    }
}
NGINX
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!

for port in "$port_ours" "$port_disk" "$port_file" "$port_ceiling" "$port_nginx" "$port_vapor" "$port_vapor_file" \
    "$port_vapor_ceiling" "$port_copying" "$port_regions"; do
    for _ in $(seq 1 100); do
        curl -s -m 2 -o /dev/null "http://127.0.0.1:$port/static/$hashed" && break
        sleep 0.1
    done
done

url() { echo "http://127.0.0.1:$1/static/$2"; }
echo "== files: $hashed ($(stat -c %s "$root/$hashed") bytes, .br $(stat -c %s "$root/$hashed.br") bytes); $big ($(stat -c %s "$root/$big") bytes)"
echo "== one request each (status, encoding, bytes on the wire incl. headers; the .br bodies must be identical):"
for entry in "ours:$port_ours" "ours-disk:$port_disk" "ceiling:$port_ceiling" "nginx:$port_nginx" \
    "vapor:$port_vapor" "vapor-ceiling:$port_vapor_ceiling"; do
    curl -s -o "$work/body.${entry%%:*}" -H 'Accept-Encoding: br' \
        -w "   ${entry%%:*}: %{http_code} %header{content-encoding} %{size_download}+%{size_header} bytes\n" \
        "$(url "${entry##*:}" "$hashed")"
    cmp -s "$work/body.${entry%%:*}" "$root/$hashed.br" || { echo "run.sh: ${entry%%:*} sent other bytes" >&2; exit 1; }
done
curl -s -o /dev/null -w "   FileMiddleware: %{http_code} identity %{size_download}+%{size_header} bytes\n" "$(url "$port_file" "$hashed")"
curl -s -o /dev/null -w "   Vapor FileMiddleware: %{http_code} identity %{size_download}+%{size_header} bytes\n" \
    "$(url "$port_vapor_file" "$hashed")"
for entry in "ours:$port_ours" "vapor:$port_vapor" "vapor-file:$port_vapor_file" "nginx:$port_nginx" \
    "copying:$port_copying" "regions:$port_regions"; do
    curl -s -o "$work/big.${entry%%:*}" "$(url "${entry##*:}" "$big")"
    cmp -s "$work/big.${entry%%:*}" "$root/$big" || { echo "run.sh: ${entry%%:*} sent other bytes for $big" >&2; exit 1; }
done

declare -A rps
run() {
    local key=$1 label=$2; shift 2
    if [ -n "$cases" ] && ! [[ " $cases " == *" $key "* ]]; then return; fi
    wrk -t"$threads" -c"$connections" -d1s "$@" > /dev/null   # warm-up
    local line
    line=$(wrk -t"$threads" -c"$connections" -d"$duration" -s "$work/report.lua" "$@" | grep '^RESULT')
    printf '%-58s %s\n' "$label" "${line#RESULT }"
    rps[$key]="${rps[$key]:-} $(echo "$line" | sed -E 's/.* rps=([0-9]+).*/\1/')"
}
median() { echo "${rps[$1]:-}" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$(median "$1")" -v b="$(median "$2")" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
echo "== wrk -t$threads -c$connections -d$duration, $rounds rounds (loopback, $(nproc) cores shared by the servers and wrk; load average $(cut -d' ' -f1-3 /proc/loadavg))"
for round in $(seq 1 "$rounds"); do
echo "-- round $round"
run ours "StaticAssetsMiddleware (memory), .br" -H 'Accept-Encoding: br' "$(url "$port_ours" "$hashed")"
run disk "StaticAssetsMiddleware (memory: .disabled), .br" -H 'Accept-Encoding: br' "$(url "$port_disk" "$hashed")"
run ceiling "Hummingbird, the same bytes from memory (ceiling)" -H 'Accept-Encoding: br' "$(url "$port_ceiling" "$hashed")"
run nginx "nginx brotli_static, .br" -H 'Accept-Encoding: br' "$(url "$port_nginx" "$hashed")"
run file "FileMiddleware, identity" "$(url "$port_file" "$hashed")"
run big_ours "5 MB: StaticAssetsMiddleware (memory)" "$(url "$port_ours" "$big")"
run big_disk "5 MB: StaticAssetsMiddleware (memory: .disabled)" "$(url "$port_disk" "$big")"
run big_nginx "5 MB: nginx" "$(url "$port_nginx" "$big")"
run big_copying "5 MB: StaticAssetsMiddleware reading into arrays (before)" "$(url "$port_copying" "$big")"
run big_regions "5 MB: StaticAssetsMiddleware + StaticAssetsFileRegionHandler" "$(url "$port_regions" "$big")"
run vapor "Vapor: StaticAssetsMiddleware (memory), .br" -H 'Accept-Encoding: br' "$(url "$port_vapor" "$hashed")"
run vapor_ceiling "Vapor: the same bytes from memory (ceiling)" -H 'Accept-Encoding: br' "$(url "$port_vapor_ceiling" "$hashed")"
run vapor_file "Vapor: FileMiddleware, identity" "$(url "$port_vapor_file" "$hashed")"
run big_vapor "5 MB: Vapor StaticAssetsMiddleware" "$(url "$port_vapor" "$big")"
run big_vapor_file "5 MB: Vapor FileMiddleware" "$(url "$port_vapor_file" "$big")"
for entry in ${vapor_chunk_ports//,/ }; do
    run "big_vapor_${entry#*=}" "5 MB: Vapor StaticAssetsMiddleware, chunkLength ${entry#*=}" "$(url "${entry%%=*}" "$big")"
done
done
echo "== medians (requests/s): ours $(median ours), before $(median disk), ceiling $(median ceiling), nginx $(median nginx), FileMiddleware $(median file); 5 MB: ours $(median big_ours), before $(median big_disk), nginx $(median big_nginx)"
echo "== ratios"
echo "small .br: ours / ceiling = $(ratio ours ceiling) (goal >= 0.80); ours / before = $(ratio ours disk); ours / nginx = $(ratio ours nginx)"
echo "5 MB: ours / memory: .disabled = $(ratio big_ours big_disk) (goal >= 1.00 within noise); ours / nginx = $(ratio big_ours big_nginx) (goal >= 0.90)"
echo "5 MB: ours / reading into arrays (before) = $(ratio big_ours big_copying); before / nginx = $(ratio big_copying big_nginx) (median $(median big_copying))"
echo "5 MB with StaticAssetsFileRegionHandler (sendfile): median $(median big_regions); / nginx = $(ratio big_regions big_nginx) (goal >= 0.90); / without the handler = $(ratio big_regions big_ours)"
echo "== Vapor medians (requests/s): ours $(median vapor), ceiling $(median vapor_ceiling), FileMiddleware $(median vapor_file); 5 MB: ours $(median big_vapor), FileMiddleware $(median big_vapor_file)"
echo "Vapor small .br: ours / ceiling = $(ratio vapor vapor_ceiling) (goal >= 0.80); ours / FileMiddleware = $(ratio vapor vapor_file) (goal > 1)"
echo "Vapor 5 MB: ours / FileMiddleware = $(ratio big_vapor big_vapor_file) (goal >= 1.00 within noise); ours / nginx = $(ratio big_vapor big_nginx) (goal >= 0.90)"
for entry in ${vapor_chunk_ports//,/ }; do
    echo "Vapor 5 MB, chunkLength ${entry#*=}: median $(median "big_vapor_${entry#*=}"); / FileMiddleware = $(ratio "big_vapor_${entry#*=}" big_vapor_file); / nginx = $(ratio "big_vapor_${entry#*=}" big_nginx)"
done
