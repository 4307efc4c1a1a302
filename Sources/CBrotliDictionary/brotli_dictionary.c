#include "CBrotliDictionary.h"

#if __has_include(<brotli/shared_dictionary.h>)
#include <brotli/decode.h>
#include <brotli/encode.h>
#include <brotli/shared_dictionary.h>

/* Compiled against 1.1.0 or later; the library loaded at run time must be too (an older libbrotli
   on the library path lacks the functions below). Versions are (major << 24) | (minor << 12) | patch. */
int cs_brotli_has_shared_dictionary(void) {
    return BrotliEncoderVersion() >= 0x1001000 && BrotliDecoderVersion() >= 0x1001000;
}

size_t cs_brotli_max_dictionary_size(int lgwin) {
    /* As brotli's own CLI (tools/brotli.c): the largest distance the format encodes
       (BROTLI_MAX_DISTANCE, 0x3FFFFFC) less the largest backward distance of the window (2^lgwin - 16);
       neither constant is in the public headers. */
    return (size_t)0x3FFFFFC - (((size_t)1 << lgwin) - 16);
}

int cs_brotli_compress_with_dictionary(
    const uint8_t *dictionary, size_t dictionary_size, const uint8_t *input, size_t input_size, int quality,
    int lgwin, int mode, uint8_t *output, size_t *output_size) {
    int ok = 0;
    BrotliEncoderPreparedDictionary *prepared =
        BrotliEncoderPrepareDictionary(BROTLI_SHARED_DICTIONARY_RAW, dictionary_size, dictionary, quality, 0, 0, 0);
    BrotliEncoderState *state = BrotliEncoderCreateInstance(0, 0, 0);
    if (prepared && state && BrotliEncoderSetParameter(state, BROTLI_PARAM_QUALITY, (uint32_t)quality) &&
        BrotliEncoderSetParameter(state, BROTLI_PARAM_LGWIN, (uint32_t)lgwin) &&
        BrotliEncoderSetParameter(state, BROTLI_PARAM_MODE, (uint32_t)mode) &&
        BrotliEncoderSetParameter(state, BROTLI_PARAM_SIZE_HINT, (uint32_t)(input_size < 0x40000000 ? input_size : 0x40000000)) &&
        BrotliEncoderAttachPreparedDictionary(state, prepared)) {
        size_t available_in = input_size, available_out = *output_size;
        const uint8_t *next_in = input;
        uint8_t *next_out = output;
        while (BrotliEncoderCompressStream(
            state, BROTLI_OPERATION_FINISH, &available_in, &next_in, &available_out, &next_out, 0)) {
            if (BrotliEncoderIsFinished(state)) {
                *output_size = (size_t)(next_out - output);
                ok = 1;
                break;
            }
            if (available_out == 0) break; /* does not fit */
        }
    }
    if (state) BrotliEncoderDestroyInstance(state);
    if (prepared) BrotliEncoderDestroyPreparedDictionary(prepared);
    return ok;
}

int cs_brotli_decompress_with_dictionary(
    const uint8_t *dictionary, size_t dictionary_size, const uint8_t *input, size_t input_size, uint8_t *output,
    size_t *output_size) {
    int ok = 0;
    BrotliDecoderState *state = BrotliDecoderCreateInstance(0, 0, 0);
    if (state && BrotliDecoderAttachDictionary(state, BROTLI_SHARED_DICTIONARY_RAW, dictionary_size, dictionary)) {
        size_t available_in = input_size, available_out = *output_size;
        const uint8_t *next_in = input;
        uint8_t *next_out = output;
        BrotliDecoderResult result =
            BrotliDecoderDecompressStream(state, &available_in, &next_in, &available_out, &next_out, 0);
        if (result == BROTLI_DECODER_RESULT_SUCCESS && available_in == 0) {
            *output_size = (size_t)(next_out - output);
            ok = 1;
        }
    }
    if (state) BrotliDecoderDestroyInstance(state);
    return ok;
}

#else

int cs_brotli_has_shared_dictionary(void) { return 0; }

size_t cs_brotli_max_dictionary_size(int lgwin) {
    (void)lgwin;
    return 0;
}

int cs_brotli_compress_with_dictionary(
    const uint8_t *dictionary, size_t dictionary_size, const uint8_t *input, size_t input_size, int quality,
    int lgwin, int mode, uint8_t *output, size_t *output_size) {
    (void)dictionary, (void)dictionary_size, (void)input, (void)input_size, (void)quality, (void)lgwin, (void)mode,
        (void)output, (void)output_size;
    return 0;
}

int cs_brotli_decompress_with_dictionary(
    const uint8_t *dictionary, size_t dictionary_size, const uint8_t *input, size_t input_size, uint8_t *output,
    size_t *output_size) {
    (void)dictionary, (void)dictionary_size, (void)input, (void)input_size, (void)output, (void)output_size;
    return 0;
}

#endif
