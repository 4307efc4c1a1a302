import CBrotliDictionary
import Crypto
import StaticAssets

/// A `dcb` response body (RFC 9842, Compression Dictionary Transport): the new version of a file
/// compressed with brotli against a previous version the browser already holds, used as a raw
/// prefix dictionary (RFC 9841 §9.2). The body is a 36-byte header, `FF 44 43 42` followed by the
/// dictionary's SHA-256, then one brotli stream.
///
/// Needs libbrotli ≥ 1.1.0 (`BrotliEncoderPrepareDictionary`), which the `CBrotliDictionary` target
/// detects when it is compiled (`__has_include(<brotli/shared_dictionary.h>)`): built against an older
/// library (Debian 12 and Ubuntu 22.04 ship 1.0.9) `isAvailable` is false and no `dcb` is made.
///
/// RFC 9842 caps a `dcb` window at 16 MB: the stream uses the brotli window of the `.br` variants
/// (`COLLECTSTATIC_BROTLI_WINDOW`, at most 24 bits, i.e. 16 MiB − 16). Brotli addresses the dictionary
/// with distances past the window, so a dictionary need not fit in it; it must stay under what
/// those distances reach (about 48 MiB with a 24-bit window), else no delta is made.
package enum BrotliDictionaryDelta {
    /// The 4 bytes every `dcb` body starts with.
    package static let magic: [UInt8] = [0xFF, 0x44, 0x43, 0x42]
    /// Magic (4) + SHA-256 of the dictionary (32).
    package static let headerSize = DeltaCoding.dcb.headerSize

    /// The highest brotli quality a `dcb` delta is made with (the `.br` quality when lower). Against a
    /// previous version quality 11 buys little for its time: on the wagtail 7.3.4 → 7.4.4 upgrade
    /// (`Benchmarks/dcb-upgrade.sh`, 36 changed files) the deltas are 51,463 bytes at 11 and 53,237 at
    /// 10, for 1.69 s and 0.52 s of CPU (zstd's `dcz` at level 19: 0.73 s).
    package static let maximumQuality = 10

    /// Whether the linked libbrotli can compress with a shared dictionary (decided at build time).
    package static var isAvailable: Bool { cs_brotli_has_shared_dictionary() != 0 }

    /// The largest dictionary a stream with a window of `window` bits can reference (0 when
    /// unavailable).
    package static func maximumDictionarySize(window: Int) -> Int {
        Int(cs_brotli_max_dictionary_size(Int32(window)))
    }

    /// The `dcb` body of `file` against `dictionary`, or nil when shared dictionaries are unavailable
    /// or the dictionary is too big to reference.
    package static func encode(
        _ file: [UInt8], dictionary: [UInt8], quality: Int, window: Int, kind: ContentKind
    ) throws(CompressionError) -> [UInt8]? {
        guard isAvailable, !dictionary.isEmpty, dictionary.count <= maximumDictionarySize(window: window) else {
            return nil
        }
        guard BrotliCompressor.qualityRange.contains(quality) else {
            throw .invalidParameter(.brotli, name: "quality", value: quality, allowed: BrotliCompressor.qualityRange)
        }
        guard BrotliCompressor.windowRange.contains(window) else {
            throw .invalidParameter(.brotli, name: "window", value: window, allowed: BrotliCompressor.windowRange)
        }
        // What a brotli stream of the file can take at worst (stored meta-blocks), plus room for a
        // stream that references the dictionary.
        let capacity = file.count + file.count / 8 + 1024
        var size = capacity
        let mode = Int32(bitPattern: BrotliCompressor.mode(for: kind).rawValue)
        let stream = [UInt8](unsafeUninitializedCapacity: capacity) { output, initialized in
            let ok = dictionary.withUnsafeBufferPointer { prefix in
                file.withUnsafeBufferPointer { input in
                    cs_brotli_compress_with_dictionary(
                        prefix.baseAddress, prefix.count, input.baseAddress, input.count, Int32(quality),
                        Int32(window), mode, output.baseAddress, &size)
                }
            }
            initialized = ok != 0 ? size : 0
        }
        guard !stream.isEmpty else {
            throw .compressionFailed(
                .brotli, code: nil,
                detail: "brotli with a \(dictionary.count)-byte dictionary failed on \(file.count) bytes")
        }
        return magic + Array(SHA256.hash(data: dictionary)) + stream
    }

    /// Whether `body` is the `dcb` delta against `dictionary` of exactly `file`: the header names the
    /// dictionary and the stream decodes (libbrotli, with the dictionary as prefix) to `file`. How a
    /// delta from the cache folder is proven before it is reused.
    package static func proves(_ body: [UInt8], file: [UInt8], dictionary: [UInt8]) -> Bool {
        guard isAvailable, body.count > headerSize, Array(body.prefix(magic.count)) == magic,
            Array(body[magic.count..<headerSize]) == Array(SHA256.hash(data: dictionary))
        else { return false }
        let stream = Array(body[headerSize...])
        // One byte more than expected, so that a stream decoding to a longer file is caught.
        var output = [UInt8](repeating: 0, count: file.count + 1)
        var size = output.count
        let ok = dictionary.withUnsafeBufferPointer { prefix in
            stream.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    cs_brotli_decompress_with_dictionary(
                        prefix.baseAddress, prefix.count, input.baseAddress, input.count, out.baseAddress, &size)
                }
            }
        }
        return ok != 0 && size == file.count && output.prefix(file.count).elementsEqual(file)
    }
}
