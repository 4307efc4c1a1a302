#!/usr/bin/env bash
# A real upgrade, as a returning visitor sees it: the static files of two releases of a PyPI wheel
# (default wagtail 7.3.4 → 7.4.4) collected one after the other into one STATIC_ROOT. Reports, for the
# CSS/JS/JSON/SVG files whose content changed, the bytes a browser holding the old release downloads
# with brotli (our .br, else the file) versus with the dcz delta, total and per file; and what the
# deltas cost: extra collect time of the upgrade run (same run with --dictionary-releases 0 as the
# peer) and disk. Release build; run from anywhere.
# Usage: Benchmarks/dcz-upgrade.sh [PACKAGE OLD NEW]   (COLLECT_FLAGS: more collectstatic flags, e.g.
# --missing=warn for a package whose ES modules import extensionless names)
set -euo pipefail
package=${1:-wagtail}; old=${2:-7.3.4}; new=${3:-7.4.4}
cd "$(dirname "$0")/.."
bin=${COLLECTSTATIC_BIN:-.build/release/collectstatic}
[ -n "${COLLECTSTATIC_BIN:-}" ] || swift build -c release --product collectstatic >/dev/null
work=${WORK:-$(mktemp -d)}
mkdir -p "$work/download"
for version in "$old" "$new"; do
    if [ ! -d "$work/$version" ]; then
        python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$work/download" "$package==$version"
        wheel=$(ls "$work"/download/*-"$version"-*.whl | head -1)
        mkdir -p "$work/$version"; python3 -m zipfile -e "$wheel" "$work/$version"
    fi
done
dirs() {  # every top-level static folder of an app, as Django's AppDirectoriesFinder sees them
    (cd "$work/$1" && find . -type d -name static -not -path '*/static/*' | grep -v -E 'test|project_template' | sort \
        | sed "s|^\.|--dir $work/$1|")
}
collect() {  # collect VERSION ROOT [flags...] → prints wall seconds; the run's --json report in $work/last.json
    local version=$1 root=$2; shift 2
    local start=$(date +%s.%N)
    # shellcheck disable=SC2046
    "$bin" --noinput -v 0 --json $(dirs "$version") --static-root "$root" ${COLLECT_FLAGS:-} "$@" > "$work/last.json"
    echo "$(date +%s.%N) - $start" | bc
}
stage() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["seconds"].get(sys.argv[2], 0))' "$work/last.json" "$1"; }
# The machine is shared: every time is the fastest of $rounds runs, alternating with and without deltas.
rounds=${ROUNDS:-3}
min() { printf '%s\n' "$@" | sort -g | head -1; }
rm -rf "$work/base" "$work/base0"
collect "$old" "$work/base" >/dev/null
collect "$old" "$work/base0" --dictionary-releases 0 >/dev/null
colds=(); withs=(); withouts=(); stages=()
for _ in $(seq "$rounds"); do
    rm -rf "$work/cold" "$work/with" "$work/without"
    colds+=("$(collect "$new" "$work/cold")")
    cp -a "$work/base" "$work/with"; cp -a "$work/base0" "$work/without"
    withs+=("$(collect "$new" "$work/with")")
    stages+=("$(stage deltas)")
    withouts+=("$(collect "$new" "$work/without" --dictionary-releases 0)")
done
cold=$(min "${colds[@]}"); with=$(min "${withs[@]}"); without=$(min "${withouts[@]}"); deltas=$(min "${stages[@]}")
echo "$package $old -> $new ($bin), fastest of $rounds"
echo "cold collect of $new: ${cold}s; upgrade run with deltas ${with}s, without ${without}s; its deltas stage ${deltas}s"
python3 - "$work/with/staticfiles.json" "$with" "$without" "$cold" "$deltas" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
with_s, without_s, cold_s, stage_s = map(float, sys.argv[2:6])
files, previous = m["files"], m.get("previous", [])
old_paths = previous[0]["paths"] if previous else {}
rows = []
for logical, hashed in sorted(m["paths"].items()):
    if not logical.endswith((".css", ".js", ".mjs", ".json", ".svg", ".wasm")):
        continue
    was = old_paths.get(logical)
    if was is None or was == hashed:
        continue  # new file, or unchanged
    entry = files[hashed]
    plain = min([entry["size"]] + [v["size"] for v in entry.get("encodings", {}).values()])
    br = entry.get("encodings", {}).get("br", {}).get("size", entry["size"])
    dcz = min([d["size"] for d in entry.get("dcz", {}).values()], default=None)
    dcb = min([d["size"] for d in entry.get("dcb", {}).values()], default=None)
    rows.append((logical, entry["size"], br, dcz if dcz is not None else plain, dcz is not None,
                 dcb if dcb is not None else plain, dcb is not None))
total_br = sum(r[2] for r in rows); total_dcz = sum(r[3] for r in rows)
deltas = sum(1 for r in rows if r[4])
disk = sum(d["size"] for e in files.values() for d in e.get("dcz", {}).values())
print(f"changed CSS/JS/JSON/SVG files: {len(rows)} ({deltas} with a delta); identity {sum(r[1] for r in rows):,} B")
print(f"returning visitor downloads: brotli {total_br:,} B, with dcz {total_dcz:,} B "
      f"({total_br / max(total_dcz, 1):.1f}x fewer)")
if any(r[6] for r in rows):  # a libbrotli with shared dictionaries (Benchmarks/dcb-upgrade.sh)
    total_dcb = sum(r[5] for r in rows); best = sum(min(r[3], r[5]) for r in rows)
    disk_dcb = sum(d["size"] for e in files.values() for d in e.get("dcb", {}).values())
    print(f"  with dcb {total_dcb:,} B ({total_br / max(total_dcb, 1):.1f}x fewer; {sum(1 for r in rows if r[6])} dcb);"
          f" the smaller of dcz/dcb per file {best:,} B ({total_br / max(best, 1):.1f}x fewer)")
    disk += disk_dcb
print(f"extra collect time for deltas: {with_s - without_s:+.2f}s = {(with_s - without_s) / cold_s * 100:+.1f}% of a cold run"
      f" (the deltas stage alone: {stage_s:.2f}s = {stage_s / cold_s * 100:.1f}%); disk for deltas {disk:,} B")
print("largest changed files (brotli bytes → dcz bytes" + (", dcb bytes" if any(r[6] for r in rows) else "") + "):")
for logical, size, br, dcz, has, dcb, has_dcb in sorted(rows, key=lambda r: -r[2])[:15]:
    print(f"  {logical}: {size:,} B, br {br:,}, dcz {dcz:,}" + ("" if has else " (no delta: plain)")
          + (f", dcb {dcb:,}" if has_dcb else ""))
PY
