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
/// In one shot, the whole output is preallocated from `deflateBound` and deflated in a single
/// `deflate(Z_FINISH)` call straight from the input buffer; from a file, the input is fed in pieces
/// with `Z_NO_FLUSH` and the output written in pieces.
public struct GzipCompressor: Compressor {
    /// zlib compression level, 0 (stored) through 9 (best). WhiteNoise uses 9.
    public let level: Int

    /// The levels zlib accepts.
    public static let levelRange: ClosedRange<Int> = 0...9

    /// Where a streamed compression's deflate state is allocated, kept from one file to the next
    /// (nil: the process's allocator).
    let memory: CodecMemory?

    public var encoding: ContentEncoding { .gzip }

    public init(level: Int = 9) {
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
    public static var libraryVersion: String { String(cString: zlibVersion()) }

    static let headerSize = 10
    static let trailerSize = 8

    public func compress(_ input: [UInt8], kind: ContentKind = .generic) throws(CompressionError)
        -> [UInt8]
    {
        guard Self.levelRange.contains(level) else {
            throw .invalidParameter(.gzip, name: "level", value: level, allowed: Self.levelRange)
        }

        var stream = z_stream()
        let initStatus = deflateInit2_(
            &stream, Int32(level), Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            throw .initializationFailed(
                .gzip, code: initStatus, detail: Self.zlibMessage(initStatus, stream))
        }
        defer { deflateEnd(&stream) }

        let bound = Int(deflateBound(&stream, uLong(input.count)))
        let (capacity, overflow) = bound.addingReportingOverflow(Self.headerSize + Self.trailerSize)
        guard !overflow, bound >= input.count else { throw .inputTooLarge(.gzip, size: input.count) }

        var failure: CompressionError?
        var output = input.withUnsafeBufferPointer { inBuffer in
            [UInt8](unsafeUninitializedCapacity: capacity) { outBuffer, initializedCount in
                let out = outBuffer.baseAddress!
                for (offset, byte) in Self.header(level: level).enumerated() {
                    out[offset] = byte
                }
                switch Self.deflateAll(
                    &stream, input: inBuffer,
                    output: UnsafeMutableBufferPointer(
                        start: out + Self.headerSize, count: capacity - Self.headerSize - Self.trailerSize))
                {
                case .failure(let error):
                    failure = error
                    initializedCount = 0
                case .success(let deflatedCount):
                    let crc = UInt32(truncatingIfNeeded: crc32_z(0, inBuffer.baseAddress, inBuffer.count))
                    let size = UInt32(truncatingIfNeeded: inBuffer.count)
                    var position = Self.headerSize + deflatedCount
                    for value in [crc, size] {
                        for shift in stride(from: 0, to: 32, by: 8) {
                            out[position] = UInt8(truncatingIfNeeded: value >> UInt32(shift))
                            position += 1
                        }
                    }
                    initializedCount = position
                }
            }
        }
        if let failure { throw failure }
        Self.releaseSlack(&output)
        return output
    }

    /// Streams the file through deflate: the same header, raw deflate stream and trailer as the
    /// one-shot `compress(_:kind:)`, and the same bytes (deflate's output does not depend on how the
    /// input is split into `Z_NO_FLUSH` calls).
    public func compress(
        file path: String, size: Int, kind: ContentKind = .generic,
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
        try FileCompression.withOutputBuffer(size: size) { buffer in
            try FileCompression.read(path, size: size) { piece in
                crc = crc32_z(crc, piece.baseAddress?.assumingMemoryBound(to: UInt8.self), piece.count)
                total += piece.count
                try Self.deflateStep(&stream, piece, flush: Z_NO_FLUSH, buffer: buffer, output: output)
            }
            try Self.deflateStep(
                &stream, UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH, buffer: buffer,
                output: output)
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

    /// Feeds all of `input` to `stream` and finishes it, writing into `output`. Returns the number
    /// of bytes written. zlib counts in 32-bit `uInt`, so buffers over 4 GiB go in slices; anything
    /// smaller is a single `deflate(Z_FINISH)` call.
    private static func deflateAll(
        _ stream: inout z_stream, input: UnsafeBufferPointer<UInt8>,
        output: UnsafeMutableBufferPointer<UInt8>
    ) -> Result<Int, CompressionError> {
        let sliceLimit = Int(UInt32.max)
        var remainingIn = input.count
        var remainingOut = output.count
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.next_out = output.baseAddress
        while true {
            let inSlice = min(remainingIn, sliceLimit)
            let outSlice = min(remainingOut, sliceLimit)
            stream.avail_in = uInt(inSlice)
            stream.avail_out = uInt(outSlice)
            remainingIn -= inSlice
            remainingOut -= outSlice
            let status = deflate(&stream, remainingIn == 0 ? Z_FINISH : Z_NO_FLUSH)
            let consumed = inSlice - Int(stream.avail_in)
            let produced = outSlice - Int(stream.avail_out)
            remainingIn += Int(stream.avail_in)
            remainingOut += Int(stream.avail_out)
            switch status {
            case Z_STREAM_END:
                return .success(output.count - remainingOut)
            case Z_OK, Z_BUF_ERROR:
                if consumed == 0 && produced == 0 && (remainingOut == 0 || status == Z_BUF_ERROR) {
                    return .failure(
                        .compressionFailed(
                            .gzip, code: status, detail: "output exceeded the size given by deflateBound"))
                }
            default:
                return .failure(
                    .compressionFailed(.gzip, code: status, detail: zlibMessage(status, stream)))
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
