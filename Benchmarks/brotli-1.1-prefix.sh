#!/usr/bin/env bash
# Builds libbrotli 1.1.0 (the first release with shared dictionaries) and its `brotli` CLI into a
# prefix, from the C sources in PyPI's Brotli 1.1.0 sdist (Debian 12 ships 1.0.9), with pkg-config
# files, so that `PKG_CONFIG_PATH=PREFIX/lib/pkgconfig swift build` links collectstatic against it.
# Not CI: Benchmarks/dcb-upgrade.sh uses it.
# Usage: Benchmarks/brotli-1.1-prefix.sh PREFIX
set -euo pipefail
prefix=${1:?usage: $0 PREFIX}
mkdir -p "$prefix"; prefix=$(cd "$prefix" && pwd)
[ -x "$prefix/bin/brotli" ] && [ -f "$prefix/lib/pkgconfig/libbrotlienc.pc" ] && exit 0
src=$prefix/src
mkdir -p "$src" "$prefix/lib/pkgconfig" "$prefix/include" "$prefix/bin"
python3 -m pip download --quiet --no-deps --no-binary :all: --disable-pip-version-check -d "$src" brotli==1.1.0
tar xzf "$src"/[Bb]rotli-1.1.0.tar.gz -C "$src"
c=$src/Brotli-1.1.0/c
grep -q 'BROTLI_VERSION_MINOR 1$' "$c/common/version.h" || { echo "not brotli 1.1: $c/common/version.h" >&2; exit 1; }
cp -r "$c/include/brotli" "$prefix/include/"
cflags=(-O2 -fPIC -I"$c/include")
lib() {  # lib NAME SOURCES... [-- LIBS...]
    local name=$1; shift
    cc "${cflags[@]}" -shared -Wl,-soname,lib$name.so.1 -Wl,-rpath,"$prefix/lib" -o "$prefix/lib/lib$name.so.1" "$@"
    ln -sf "lib$name.so.1" "$prefix/lib/lib$name.so"
}
lib brotlicommon "$c"/common/*.c
lib brotlidec "$c"/dec/*.c -L"$prefix/lib" -lbrotlicommon
lib brotlienc "$c"/enc/*.c -L"$prefix/lib" -lbrotlicommon -lm
cc "${cflags[@]}" -o "$prefix/bin/brotli" "$c/tools/brotli.c" -L"$prefix/lib" -Wl,-rpath,"$prefix/lib" \
    -lbrotlienc -lbrotlidec -lbrotlicommon -lm
for name in common dec enc; do
    requires=""; [ $name = common ] || requires="Requires.private: libbrotlicommon >= 1.1.0"
    cat > "$prefix/lib/pkgconfig/libbrotli$name.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: libbrotli$name
Description: Brotli $name library (1.1.0, from PyPI's sdist)
Version: 1.1.0
Libs: -L\${libdir} -lbrotli$name
$requires
Cflags: -I\${includedir}
PC
done
"$prefix/bin/brotli" --version
