#!/usr/bin/env bash
# Parallel-build benchmark: corpus of real third-party assets, release build, ratios to the floor.
# Usage: Benchmarks/run.sh [CORPUS_DIR] [ROUNDS]   (default /tmp/collectstatic-corpus, 1 round)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-/tmp/collectstatic-corpus}
Benchmarks/make-corpus.sh "$corpus"
swift build -c release --product collectstatic
swift build -c release --product collectstatic-benchmark
.build/release/collectstatic-benchmark --corpus "$corpus" --collectstatic .build/release/collectstatic \
    --rounds "${2:-1}"
