import CZstd
import StaticAssets

/// Zstandard (RFC 8878) via libzstd, as the `zstd` content coding (RFC 9659).
///
/// In one shot, `ZSTD_compress2` into a buffer preallocated to `ZSTD_compressBound`; from a file,
/// `ZSTD_compressStream2` in pieces with the size pledged. RFC 9659 lets a
/// decoder refuse windows over 8 MiB (Chromium does), so the window is capped at 2^23 whatever the
/// level: levels 20-22 would otherwise ask for up to 2^27. A file of 8 MiB or less gets a window
/// that covers it whole, so the cap only matters for bigger files.
///
/// The frame records the content size and no checksum (what `zstd -19 --no-check` writes).
package struct ZstdCompressor: Compressor {
    /// 1 (fastest) through 22 (best). 19 is the best level without an oversized window.
    package let level: Int

    package static let levelRange: ClosedRange<Int> = 1...Int(ZSTD_maxCLevel())
    /// RFC 9659: the window a `zstd` content-coding decoder must support, 8 MiB.
    package static let maximumWindowLog = 23

    package var encoding: ContentEncoding { .zstd }

    package init(level: Int = 19) {
        self.level = level
    }

    package func compress(_ input: [UInt8], kind: ContentKind = .generic) throws(CompressionError) -> [UInt8] {
        try FileCompression.oneShot(input, encoding: .zstd) { feed, output in
            try stream(size: input.count, feed: feed, into: output)
        }
    }

    /// Compresses `input` into one zstd frame with the given window log (0: the level's default); when `prefix` is given it is
    /// referenced as a raw-content dictionary (`ZSTD_CCtx_refPrefix`), so the frame decodes only
    /// with the same bytes as dictionary (`zstd -d -D prefix`). No dictionary ID is written.
    static func compress(_ input: [UInt8], level: Int, windowLog: Int, prefix: [UInt8]?) throws(CompressionError)
        -> [UInt8]
    {
        guard let context = ZSTD_createCCtx() else {
            throw .initializationFailed(.zstd, code: nil, detail: "ZSTD_createCCtx failed (out of memory?)")
        }
        defer { ZSTD_freeCCtx(context) }
        // Against a prefix (a previous version of the same file) most of the input is long matches:
        // long-distance matching finds them first, which keeps the optimal parser from crawling
        // through them (what `zstd --patch-from` does too).
        for (parameter, value) in [
            (ZSTD_c_compressionLevel, level), (ZSTD_c_windowLog, windowLog), (ZSTD_c_checksumFlag, 0),
            (ZSTD_c_contentSizeFlag, 1), (ZSTD_c_enableLongDistanceMatching, prefix == nil ? 0 : 1),
        ] {
            let status = ZSTD_CCtx_setParameter(context, parameter, Int32(value))
            if ZSTD_isError(status) != 0 {
                throw .initializationFailed(.zstd, code: nil, detail: Self.errorName(status))
            }
        }
        let capacity = ZSTD_compressBound(input.count)
        guard capacity > 0, ZSTD_isError(capacity) == 0 else { throw .inputTooLarge(.zstd, size: input.count) }
        var status = 0
        var output = input.withUnsafeBufferPointer { inBuffer in
            [UInt8](unsafeUninitializedCapacity: capacity) { outBuffer, initializedCount in
                if let prefix {
                    // The prefix is referenced, not copied: it must stay alive until compress2 returns.
                    status = prefix.withUnsafeBufferPointer { dictionary in
                        let referenced = ZSTD_CCtx_refPrefix(context, dictionary.baseAddress, dictionary.count)
                        guard ZSTD_isError(referenced) == 0 else { return referenced }
                        return ZSTD_compress2(
                            context, outBuffer.baseAddress, outBuffer.count, inBuffer.baseAddress, inBuffer.count)
                    }
                } else {
                    status = ZSTD_compress2(
                        context, outBuffer.baseAddress, outBuffer.count, inBuffer.baseAddress, inBuffer.count)
                }
                initializedCount = ZSTD_isError(status) == 0 ? status : 0
            }
        }
        guard ZSTD_isError(status) == 0 else {
            throw .compressionFailed(.zstd, code: nil, detail: Self.errorName(status))
        }
        Self.releaseSlack(&output)
        return output
    }

    /// Streams the file through `ZSTD_compressStream2` with the one-shot call's parameters and the
    /// file's size pledged (`ZSTD_CCtx_setPledgedSrcSize`), so the frame records the content size
    /// and a small file gets the same small window as in one shot.
    package func compress(
        file path: String, size: Int, kind: ContentKind = .generic,
        into output: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try stream(size: size, feed: { consume in try FileCompression.read(path, size: size, consume) }, into: output)
    }

    /// The stream of `size` bytes that `feed` hands over in pieces, through the codec into `output`.
    /// Levels up to 19 never ask for a window over 2^23 (and shrink it to fit a small file); 0 keeps
    /// the level's own choice.
    private func stream(
        size: Int, feed: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void,
        into output: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard Self.levelRange.contains(level) else {
            throw CompressionError.invalidParameter(.zstd, name: "level", value: level, allowed: Self.levelRange)
        }
        guard let context = ZSTD_createCCtx() else {
            throw CompressionError.initializationFailed(
                .zstd, code: nil, detail: "ZSTD_createCCtx failed (out of memory?)")
        }
        defer { ZSTD_freeCCtx(context) }
        for (parameter, value) in [
            (ZSTD_c_compressionLevel, level), (ZSTD_c_windowLog, level >= 20 ? Self.maximumWindowLog : 0),
            (ZSTD_c_checksumFlag, 0), (ZSTD_c_contentSizeFlag, 1), (ZSTD_c_enableLongDistanceMatching, 0),
        ] {
            let status = ZSTD_CCtx_setParameter(context, parameter, Int32(value))
            if ZSTD_isError(status) != 0 {
                throw CompressionError.initializationFailed(.zstd, code: nil, detail: Self.errorName(status))
            }
        }
        let pledged = ZSTD_CCtx_setPledgedSrcSize(context, UInt64(size))
        if ZSTD_isError(pledged) != 0 {
            throw CompressionError.initializationFailed(.zstd, code: nil, detail: Self.errorName(pledged))
        }
        // The output goes into the pieces `feed` hands over: a closure that closures capture.
        try withoutActuallyEscaping(output) { output in
            try FileCompression.withOutputBuffer(size: size) { buffer in
                try feed { piece in
                    try Self.encode(context, piece, directive: ZSTD_e_continue, buffer: buffer, output: output)
                }
                try Self.encode(
                    context, UnsafeRawBufferPointer(start: nil, count: 0), directive: ZSTD_e_end, buffer: buffer,
                    output: output)
            }
        }
    }

    /// Feeds `input` to the context with `directive`, handing the output to `output` a buffer at a
    /// time, until the input is taken (with `ZSTD_e_end`: until the frame is complete).
    private static func encode(
        _ context: OpaquePointer, _ input: UnsafeRawBufferPointer, directive: ZSTD_EndDirective,
        buffer: UnsafeMutableRawBufferPointer, output: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while true {
            var outBuffer = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
            let remaining = ZSTD_compressStream2(context, &outBuffer, &inBuffer, directive)
            if ZSTD_isError(remaining) != 0 {
                throw CompressionError.compressionFailed(.zstd, code: nil, detail: errorName(remaining))
            }
            if outBuffer.pos > 0 { try output(UnsafeRawBufferPointer(rebasing: buffer[..<outBuffer.pos])) }
            let finished = directive == ZSTD_e_end ? remaining == 0 : inBuffer.pos == inBuffer.size
            if finished { return }
        }
    }

    private static func errorName(_ status: Int) -> String { String(cString: ZSTD_getErrorName(status)) }

    /// The linked libzstd version, e.g. "1.5.4".
    package static var libraryVersion: String { String(cString: ZSTD_versionString()) }
}
