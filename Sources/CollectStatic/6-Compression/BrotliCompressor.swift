import CBrotli
import StaticAssets

/// brotli (RFC 7932) via libbrotlienc.
///
/// WhiteNoise calls `brotli.compress(data)`: quality 11, window 22, GENERIC mode. This uses the same
/// quality and window by default and picks the encoder mode from the file's `ContentKind` (TEXT for
/// CSS/JS/SVG/..., FONT for fonts), which helps a little on text and never changes what a decoder
/// accepts.
///
/// One path: `BrotliEncoderCompressStream` in pieces, from a file or (the one-shot call, a thin
/// wrapper) from memory, so both give the same bytes.
package struct BrotliCompressor: Compressor {
    /// 0 (fastest) through 11 (best, the default; WhiteNoise's setting).
    package let quality: Int
    /// log2 of the sliding window size, 10 through 24. 22 (4 MiB) is brotli's and WhiteNoise's default.
    package let window: Int

    package static let qualityRange: ClosedRange<Int> =
        Int(BROTLI_MIN_QUALITY)...Int(BROTLI_MAX_QUALITY)
    package static let windowRange: ClosedRange<Int> =
        Int(BROTLI_MIN_WINDOW_BITS)...Int(BROTLI_MAX_WINDOW_BITS)

    /// Where a streamed compression's encoder state is allocated, kept from one file to the next
    /// (nil: the process's allocator).
    let memory: CodecMemory?

    package var encoding: ContentEncoding { .brotli }

    package init(quality: Int = 11, window: Int = 22) {
        self.init(quality: quality, window: window, memory: nil)
    }

    init(quality: Int, window: Int, memory: CodecMemory?) {
        self.quality = quality
        self.window = window
        self.memory = memory
    }

    /// The encoder mode for a kind of content.
    static func mode(for kind: ContentKind) -> BrotliEncoderMode {
        switch kind {
        case .text: BROTLI_MODE_TEXT
        case .font: BROTLI_MODE_FONT
        case .generic: BROTLI_MODE_GENERIC
        }
    }

    package func compress(_ input: [UInt8], kind: ContentKind = .generic) throws(CompressionError)
        -> [UInt8]
    {
        try FileCompression.oneShot(input, encoding: .brotli) { feed, output in
            try stream(size: input.count, kind: kind, feed: feed, into: output)
        }
    }

    /// Streams the file through `BrotliEncoderCompressStream` with quality, window, mode, and the
    /// file's size as `BROTLI_PARAM_SIZE_HINT`.
    package func compress(
        file path: String, size: Int, kind: ContentKind = .generic,
        into output: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try stream(
            size: size, kind: kind, feed: { consume in try FileCompression.read(path, size: size, consume) },
            into: output)
    }

    /// The stream of `size` bytes that `feed` hands over in pieces, through the codec into `output`.
    private func stream(
        size: Int, kind: ContentKind, feed: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void,
        into output: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard Self.qualityRange.contains(quality) else {
            throw CompressionError.invalidParameter(
                .brotli, name: "quality", value: quality, allowed: Self.qualityRange)
        }
        guard Self.windowRange.contains(window) else {
            throw CompressionError.invalidParameter(.brotli, name: "window", value: window, allowed: Self.windowRange)
        }
        let created =
            if let memory {
                BrotliEncoderCreateInstance(CodecMemory.brotliAllocate, CodecMemory.brotliRelease, memory.opaque)
            } else {
                BrotliEncoderCreateInstance(nil, nil, nil)
            }
        guard let state = created else {
            throw CompressionError.initializationFailed(
                .brotli, code: nil, detail: "BrotliEncoderCreateInstance failed (out of memory?)")
        }
        defer { withExtendedLifetime(memory) { BrotliEncoderDestroyInstance(state) } }
        for (parameter, value) in [
            (BROTLI_PARAM_QUALITY, UInt32(quality)), (BROTLI_PARAM_LGWIN, UInt32(window)),
            (BROTLI_PARAM_MODE, Self.mode(for: kind).rawValue),
            (BROTLI_PARAM_SIZE_HINT, UInt32(clamping: size)),
        ] {
            guard BrotliEncoderSetParameter(state, parameter, value) != 0 else {
                throw CompressionError.initializationFailed(
                    .brotli, code: nil, detail: "BrotliEncoderSetParameter(\(parameter.rawValue), \(value)) failed")
            }
        }
        // The output goes into the pieces `feed` hands over: a closure that closures capture.
        try withoutActuallyEscaping(output) { output in
            try FileCompression.withOutputBuffer(size: size) { buffer in
                try feed { piece in
                    try Self.encode(state, piece, operation: BROTLI_OPERATION_PROCESS, buffer: buffer, output: output)
                }
                try Self.encode(
                    state, UnsafeRawBufferPointer(start: nil, count: 0), operation: BROTLI_OPERATION_FINISH,
                    buffer: buffer, output: output)
            }
        }
    }

    /// Feeds `input` to the encoder with `operation`, handing the output to `output` a buffer at a
    /// time, until the input is taken and no output is pending (with FINISH: the stream is done).
    private static func encode(
        _ state: OpaquePointer, _ input: UnsafeRawBufferPointer, operation: BrotliEncoderOperation,
        buffer: UnsafeMutableRawBufferPointer, output: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var availableIn = input.count
        var nextIn = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        while true {
            var availableOut = buffer.count
            var nextOut = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
            guard
                BrotliEncoderCompressStream(state, operation, &availableIn, &nextIn, &availableOut, &nextOut, nil) != 0
            else {
                throw CompressionError.compressionFailed(
                    .brotli, code: nil, detail: "BrotliEncoderCompressStream failed (out of memory?)")
            }
            let produced = buffer.count - availableOut
            if produced > 0 { try output(UnsafeRawBufferPointer(rebasing: buffer[..<produced])) }
            let finished =
                operation == BROTLI_OPERATION_FINISH
                ? BrotliEncoderIsFinished(state) != 0
                : availableIn == 0 && BrotliEncoderHasMoreOutput(state) == 0
            if finished { return }
        }
    }

    /// The linked libbrotli version as "major.minor.patch".
    package static var libraryVersion: String {
        let version = BrotliEncoderVersion()
        return "\(version >> 24).\((version >> 12) & 0xFFF).\(version & 0xFFF)"
    }
}
