#!/usr/bin/env bash
# Does streaming cost codec time? Compresses the corpus's largest CSS/JS file at quality 11 (window 22,
# TEXT mode) three times through BrotliEncoderCompress (one shot, from memory) and through
# BrotliEncoderCompressStream fed in 256 KiB pieces with the size hint (what collectstatic does from a
# file), and prints the thread CPU time of each and the compressed sizes (they are the same bytes).
# Needs gcc and libbrotli-dev. Usage: Benchmarks/brotli-streaming.sh [CORPUS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-/tmp/collectstatic-corpus}
Benchmarks/make-corpus.sh "$corpus" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/stream.c" <<'C'
#include <brotli/encode.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    FILE *file = fopen(argv[1], "rb");
    if (!file) return 1;
    fseek(file, 0, SEEK_END);
    size_t size = ftell(file);
    fseek(file, 0, SEEK_SET);
    unsigned char *input = malloc(size);
    if (fread(input, 1, size, file) != size) return 1;
    fclose(file);
    size_t capacity = BrotliEncoderMaxCompressedSize(size);
    unsigned char *output = malloc(capacity);
    const size_t piece = 256 * 1024;
    for (int round = 0; round < 3; round++) {
        double start = cpu();
        size_t oneShotSize = capacity;
        if (!BrotliEncoderCompress(11, 22, BROTLI_MODE_TEXT, size, input, &oneShotSize, output)) return 1;
        double middle = cpu();
        BrotliEncoderState *state = BrotliEncoderCreateInstance(0, 0, 0);
        BrotliEncoderSetParameter(state, BROTLI_PARAM_QUALITY, 11);
        BrotliEncoderSetParameter(state, BROTLI_PARAM_LGWIN, 22);
        BrotliEncoderSetParameter(state, BROTLI_PARAM_MODE, BROTLI_MODE_TEXT);
        BrotliEncoderSetParameter(state, BROTLI_PARAM_SIZE_HINT, (uint32_t)size);
        size_t streamedSize = 0;
        unsigned char buffer[65536];
        for (size_t offset = 0;; offset += piece) {
            int last = offset + piece >= size;
            size_t availableIn = last ? size - offset : piece;
            const uint8_t *nextIn = input + offset;
            for (;;) {
                size_t availableOut = sizeof buffer;
                uint8_t *nextOut = buffer;
                if (!BrotliEncoderCompressStream(state, last ? BROTLI_OPERATION_FINISH : BROTLI_OPERATION_PROCESS,
                        &availableIn, &nextIn, &availableOut, &nextOut, 0)) return 1;
                streamedSize += sizeof buffer - availableOut;
                if (last ? BrotliEncoderIsFinished(state) : availableIn == 0 && !BrotliEncoderHasMoreOutput(state))
                    break;
            }
            if (last) break;
        }
        BrotliEncoderDestroyInstance(state);
        double end = cpu();
        printf("one shot %.3f s (%zu bytes), streamed %.3f s (%zu bytes)\n", middle - start, oneShotSize,
            end - middle, streamedSize);
    }
    return 0;
}
C
gcc -O2 -o "$work/stream" "$work/stream.c" -lbrotlienc
largest=$(find "$corpus/wheels" -type f \( -name '*.js' -o -name '*.css' \) -printf '%s %p\n' | sort -rn | sed -n 1p)
echo "file: ${largest#* } (${largest%% *} bytes)"
"$work/stream" "${largest#* }"
