import CZstd
import Crypto
import StaticAssets

/// A `dcz` response body (RFC 9842, Compression Dictionary Transport): the new version of a file
/// compressed with zstd against a previous version the browser already holds, used as a raw prefix
/// dictionary (`ZSTD_CCtx_refPrefix`). The body is a 40-byte header, `5E 2A 4D 18 20 00 00 00` (a
/// zstd skippable frame of 32 bytes) followed by the dictionary's SHA-256, then one zstd frame.
///
/// RFC 9842 lets a client refuse a window over max(8 MiB, 1.25 × dictionary size), 128 MiB at most.
/// The frame's window is the smallest power of two that covers dictionary + file (so every byte of
/// the dictionary can be referenced), and a delta is made only when that window is allowed.
package enum DictionaryDelta {
    /// The 8 bytes every `dcz` body starts with.
    package static let magic: [UInt8] = [0x5E, 0x2A, 0x4D, 0x18, 0x20, 0x00, 0x00, 0x00]
    /// Magic (8) + SHA-256 of the dictionary (32).
    package static let headerSize = 40

    /// The largest window (bytes) a client must accept for a dictionary of `dictionarySize` bytes.
    package static func windowLimit(dictionarySize: Int) -> Int {
        min(128 << 20, max(8 << 20, dictionarySize + dictionarySize / 4))
    }

    /// The window log for a delta of `size` bytes against `dictionarySize` bytes, or nil when the
    /// window that covers both exceeds RFC 9842's limit (no delta is made then).
    package static func windowLog(size: Int, dictionarySize: Int) -> Int? {
        var log = 10
        while (1 << log) < size + dictionarySize { log += 1 }
        return (1 << log) <= windowLimit(dictionarySize: dictionarySize) ? log : nil
    }

    /// Whether `body` is the `dcz` delta against `dictionary` of exactly `file`: the header names the
    /// dictionary and the frame decodes (libzstd, with the dictionary as prefix) to `file`. How a delta
    /// from the cache folder is proven before it is reused.
    package static func proves(_ body: [UInt8], file: [UInt8], dictionary: [UInt8]) -> Bool {
        guard body.count > headerSize, Array(body.prefix(8)) == magic,
            Array(body[8..<headerSize]) == Array(SHA256.hash(data: dictionary)),
            let context = ZSTD_createDCtx()
        else { return false }
        defer { ZSTD_freeDCtx(context) }
        _ = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, 27)
        let frame = Array(body[headerSize...])
        // One byte more than expected, so that a frame decoding to a longer file is caught.
        var output = [UInt8](repeating: 0, count: file.count + 1)
        let status = dictionary.withUnsafeBufferPointer { prefix in
            frame.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    let referenced = ZSTD_DCtx_refPrefix(context, prefix.baseAddress, prefix.count)
                    guard ZSTD_isError(referenced) == 0 else { return referenced }
                    return ZSTD_decompressDCtx(context, out.baseAddress, out.count, input.baseAddress, input.count)
                }
            }
        }
        return ZSTD_isError(status) == 0 && status == file.count && output.prefix(file.count).elementsEqual(file)
    }

    /// The `dcz` body of `file` against `dictionary`, or nil when the window would be too big.
    package static func encode(_ file: [UInt8], dictionary: [UInt8], level: Int) throws(CompressionError) -> [UInt8]? {
        guard let windowLog = windowLog(size: file.count, dictionarySize: dictionary.count) else { return nil }
        guard ZstdCompressor.levelRange.contains(level) else {
            throw .invalidParameter(.zstd, name: "level", value: level, allowed: ZstdCompressor.levelRange)
        }
        let frame = try ZstdCompressor.compress(file, level: level, windowLog: windowLog, prefix: dictionary)
        return magic + Array(SHA256.hash(data: dictionary)) + frame
    }
}
