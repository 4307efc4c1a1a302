#ifndef CBROTLI_DICTIONARY_H
#define CBROTLI_DICTIONARY_H

#include <stddef.h>
#include <stdint.h>

/// Brotli with a raw prefix dictionary (RFC 9841 §9.2, the body of RFC 9842's `dcb`), when the
/// libbrotli this was compiled against has shared dictionaries (1.1.0 and later:
/// `brotli/shared_dictionary.h`, `BrotliEncoderPrepareDictionary`). Decided at build time: against an
/// older library every function below reports failure and nothing references the newer symbols.

/// 1 when built against a libbrotli with shared dictionaries and the one loaded has them too, else 0.
int cs_brotli_has_shared_dictionary(void);

/// The largest raw dictionary the encoder can reference with a window of `lgwin` bits (0 when
/// shared dictionaries are unavailable): distances into the dictionary start past the window.
size_t cs_brotli_max_dictionary_size(int lgwin);

/// Compresses `input` with `dictionary` as a raw prefix dictionary into `output` (capacity
/// `*output_size`; on success `*output_size` is the stream's size). `mode` is a `BrotliEncoderMode`.
/// Returns 1 on success, 0 when unavailable, out of memory, or the output did not fit.
int cs_brotli_compress_with_dictionary(
    const uint8_t *dictionary, size_t dictionary_size, const uint8_t *input, size_t input_size, int quality,
    int lgwin, int mode, uint8_t *output, size_t *output_size);

/// Decompresses `input` with `dictionary` as a raw prefix dictionary into `output` (capacity
/// `*output_size`; on success `*output_size` is the decoded size). Returns 1 when the stream is
/// complete, valid and fits, else 0.
int cs_brotli_decompress_with_dictionary(
    const uint8_t *dictionary, size_t dictionary_size, const uint8_t *input, size_t input_size, uint8_t *output,
    size_t *output_size);

#endif
