#!/usr/bin/env bash
# Parallel-build benchmark: corpus of real third-party assets, release build, ratios to the floor.
# Usage: Benchmarks/run.sh [CORPUS_DIR] [ROUNDS]   (default /tmp/collectstatic-corpus, 1 round)
# The runs' STATIC_ROOTs go on a tmpfs by default (BENCH_WORK=/some/disk/folder measures a disk instead):
# the floor is CPU time, and on this machine's disk (ext4 without a journal) creating thousands of files
# costs what the kernel's inode allocator spends skipping inodes deleted in the last minutes, by this
# benchmark or by anything else on the machine (`perf` shows ext4's `recently_deleted`).
set -euo pipefail
# The benchmark targets are in the package only when asked for (Package.swift).
export COLLECTSTATIC_BENCHMARKS=1
cd "$(dirname "$0")/.."
corpus=${1:-/tmp/collectstatic-corpus}
work=${BENCH_WORK:-/dev/shm/collectstatic-benchmark}
[ -n "${BENCH_WORK:-}" ] || [ -d /dev/shm ] || work=/tmp/collectstatic-benchmark
Benchmarks/make-corpus.sh "$corpus"
swift build -c release --product collectstatic
swift build -c release --product CollectStaticBenchmark
.build/release/CollectStaticBenchmark --corpus "$corpus" --collectstatic .build/release/collectstatic \
    --rounds "${2:-1}" --work "$work"
