import CZlib
import StaticAssets

/// gzip (RFC 1952) via zlib, byte-identical to what WhiteNoise writes.
///
/// WhiteNoise compresses with `gzip.GzipFile(filename="", mode="wb", fileobj=..., compresslevel=9,
/// mtime=0)`. Python writes a 10-byte header itself (magic 1f 8b, method 8, no flags, mtime 0,
/// XFL 2 for level 9 / 4 for level 1 / 0 otherwise, OS 255), then a raw deflate stream from
/// `zlib.compressobj(level, DEFLATED, -15, 8, Z_DEFAULT_STRATEGY)`, then CRC-32 and ISIZE
/// (little-endian). This does exactly the same: the header and trailer are written here and the
/// body is a raw deflate stream (window bits -15, memLevel 8). With the same zlib this gives the
/// same bytes as Python (deflate's output does not depend on how the input is split into calls).
///
/// One path: the input is fed in pieces with `Z_NO_FLUSH` and the output handed on in pieces, from
/// a file or (the one-shot call, a thin wrapper) from memory.
package struct GzipCompressor: Compressor {
    /// zlib compression level, 0 (stored) through 9 (best). WhiteNoise uses 9.
    package let level: Int

    /// The levels zlib accepts.
    package static let levelRange: ClosedRange<Int> = 0...9

    /// Where a streamed compression's deflate state is allocated, kept from one file to the next
    /// (nil: the process's allocator).
    let memory: CodecMemory?

    package var encoding: ContentEncoding { .gzip }

    package init(level: Int = 9) {
        self.init(level: level, memory: nil)
    }

    init(level: Int, memory: CodecMemory?) {
        self.level = level
        self.memory = memory
    }

    /// The fixed 10-byte header Python's `GzipFile` writes for `filename=""`, `mtime=0`.
    static func header(level: Int) -> [UInt8] {
        // XFL as CPython's gzip module sets it: 2 for the best level, 4 for the fastest.
        let xfl: UInt8 =
            switch level {
            case 9: 2
            case 1: 4
            default: 0
            }
        return [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, xfl, 0xFF]
    }

    /// The linked zlib version, e.g. "1.2.13".
    package static var libraryVersion: String { String(cString: zlibVersion()) }

    static let headerSize = 10
    static let trailerSize = 8

    package func compress(_ input: [UInt8], kind: ContentKind = .generic) throws(CompressionError)
        -> [UInt8]
    {
        try FileCompression.oneShot(input, encoding: .gzip) { feed, output in
            try stream(size: input.count, kind: kind, feed: feed, into: output)
        }
    }

    /// Streams the file through deflate: WhiteNoise's header (mtime 0), a raw deflate stream and
    /// the CRC-32/size trailer. The one-shot `compress(_:kind:)` is a wrapper over the same stream.
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
        guard Self.levelRange.contains(level) else {
            throw CompressionError.invalidParameter(.gzip, name: "level", value: level, allowed: Self.levelRange)
        }
        var stream = z_stream()
        if let memory {
            stream.zalloc = CodecMemory.zlibAllocate
            stream.zfree = CodecMemory.zlibRelease
            stream.opaque = memory.opaque
        }
        let initStatus = deflateInit2_(
            &stream, Int32(level), Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            throw CompressionError.initializationFailed(
                .gzip, code: initStatus, detail: Self.zlibMessage(initStatus, stream))
        }
        defer { withExtendedLifetime(memory) { _ = deflateEnd(&stream) } }
        try Self.header(level: level).withUnsafeBytes { try output($0) }
        var crc: uLong = 0
        var total = 0
        // The output goes into the pieces `feed` hands over: a closure that closures capture.
        try withoutActuallyEscaping(output) { output in
            try FileCompression.withOutputBuffer(size: size) { buffer in
                try feed { piece in
                    crc = crc32_z(crc, piece.baseAddress?.assumingMemoryBound(to: UInt8.self), piece.count)
                    total += piece.count
                    try Self.deflateStep(&stream, piece, flush: Z_NO_FLUSH, buffer: buffer, output: output)
                }
                try Self.deflateStep(
                    &stream, UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH, buffer: buffer,
                    output: output)
            }
        }
        var trailer: [UInt8] = []
        for value in [UInt32(truncatingIfNeeded: crc), UInt32(truncatingIfNeeded: total)] {
            for shift in stride(from: 0, to: 32, by: 8) {
                trailer.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
            }
        }
        try trailer.withUnsafeBytes { try output($0) }
    }

    /// Feeds `input` (at most 4 GiB) to `stream` with `flush`, handing each full or final output
    /// buffer to `output`; with `Z_FINISH`, until the stream ends.
    private static func deflateStep(
        _ stream: inout z_stream, _ input: UnsafeRawBufferPointer, flush: Int32,
        buffer: UnsafeMutableRawBufferPointer, output: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = uInt(input.count)
        while true {
            stream.next_out = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
            stream.avail_out = uInt(buffer.count)
            let status = deflate(&stream, flush)
            let produced = buffer.count - Int(stream.avail_out)
            if produced > 0 { try output(UnsafeRawBufferPointer(rebasing: buffer[..<produced])) }
            switch status {
            case Z_STREAM_END:
                return
            case Z_OK, Z_BUF_ERROR:
                // Without Z_FINISH, done once the input is taken and the output buffer was not filled.
                if flush != Z_FINISH && stream.avail_in == 0 && stream.avail_out > 0 { return }
                if status == Z_BUF_ERROR && produced == 0 {
                    throw CompressionError.compressionFailed(.gzip, code: status, detail: "no progress possible")
                }
            default:
                throw CompressionError.compressionFailed(.gzip, code: status, detail: zlibMessage(status, stream))
            }
        }
    }

    private static func zlibMessage(_ status: Int32, _ stream: z_stream) -> String {
        if let message = stream.msg { return String(cString: message) }
        switch status {
        case Z_MEM_ERROR: return "out of memory"
        case Z_STREAM_ERROR: return "invalid parameter or stream state"
        case Z_VERSION_ERROR: return "incompatible zlib version"
        case Z_BUF_ERROR: return "no progress possible"
        case Z_DATA_ERROR: return "data error"
        default: return "zlib error"
        }
    }
}

extension Compressor {
    /// Compressed outputs are written into a worst-case-sized buffer (about the input size). When
    /// much of it is unused, move the bytes into an exactly sized array so that callers holding
    /// many variants (caches, dedup tables) do not also hold the slack. The copy is of the
    /// compressed bytes only and costs nothing next to the compression itself.
    static func releaseSlack(_ bytes: inout [UInt8]) {
        guard bytes.capacity - bytes.count >= 4096 else { return }
        bytes = [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
            count = buffer.initialize(fromContentsOf: bytes)
        }
    }
}
