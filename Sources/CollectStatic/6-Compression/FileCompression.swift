import Crypto
import Glibc
import StaticAssets

/// A compressed variant written to a file: where it is, its size and its SHA-256 (lowercase hex),
/// taken while it was written or proven by hashing it in pieces.
struct CompressedFile: Sendable, Hashable {
    var path: String
    var size: Int
    var sha256: String

    var manifestVariant: ManifestVariant { ManifestVariant(size: size, sha256: sha256) }
}

/// Compression from a file to a file in pieces: what a compression job holds in memory is the
/// codec's state and two buffers of at most `FileStream.chunkSize`, whatever the size of the file.
enum FileCompression {
    /// Calls `body` with each piece of the file at `path` in order (the buffer is valid during the
    /// call only). Throws `CollectStaticError.source` when the file cannot be read or does not hold
    /// `size` bytes (it changed since it was placed); errors of `body` go through as they are.
    static func read(
        _ path: String, size: Int, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var failure: (any Error)?
        var seen = 0
        let total = try FileStream.read(path, chunkSize: bufferSize(for: size)) { chunk throws(CollectStaticError) in
            seen += chunk.count
            guard failure == nil, seen <= size else { return }
            do { try body(chunk) } catch { failure = error }
        }
        if let failure { throw failure }
        guard total == size else {
            throw CollectStaticError.source(
                path: path, reason: "changed while collectstatic was running (\(size) bytes expected); run it again")
        }
    }

    /// Feeds a codec's stream with `input`, in the pieces a file of its size is read in, and
    /// gathers what it writes: the one-shot calls are this wrapper over the streaming ones, so both
    /// give the same bytes.
    static func oneShot(
        _ input: [UInt8], encoding: ContentEncoding,
        _ stream: (
            _ feed: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void,
            _ output: (UnsafeRawBufferPointer) throws -> Void
        ) throws -> Void
    ) throws(CompressionError) -> [UInt8] {
        var result: [UInt8] = []
        let pieceSize = bufferSize(for: input.count)
        do {
            try stream(
                { consume in
                    try input.withUnsafeBytes { all in
                        var start = 0
                        while start < all.count {
                            let end = min(start + pieceSize, all.count)
                            try consume(UnsafeRawBufferPointer(rebasing: all[start..<end]))
                            start = end
                        }
                    }
                },
                { piece in result.append(contentsOf: piece) })
        } catch let error as CompressionError {
            throw error
        } catch {
            throw .compressionFailed(encoding, code: nil, detail: "\(error)")
        }
        return result
    }

    /// The size of the pieces a file of `size` bytes is read in, and of the buffer the codec's
    /// output goes through: `FileStream.chunkSize`, or less for a small file (the many small files
    /// of a tree then cost no large allocations).
    static func bufferSize(for size: Int) -> Int { min(FileStream.chunkSize, max(size, 1 << 14)) }

    /// A buffer for a codec's output while compressing a file of `size` bytes, deallocated after
    /// `body`.
    static func withOutputBuffer<T>(size: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> T) rethrows -> T {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize(for: size), alignment: 16)
        defer { buffer.deallocate() }
        return try body(buffer)
    }

    /// Compresses the file at `path` (`size` bytes) with `compressor` into a new file at `output`,
    /// hashing the output as it is written. Returns the variant written, or nil, with no file left,
    /// as soon as the output grows past `limit` bytes (the rest would be work for nothing).
    /// On any error the output file is removed.
    static func compress(
        file path: String, size: Int, kind: ContentKind, with compressor: any Compressor, to output: String,
        limit: Int = .max
    ) throws -> CompressedFile? {
        let file = try OutputFile(output)
        var hasher = SHA256()
        do {
            try compressor.compress(file: path, size: size, kind: kind) { piece in
                guard file.size + piece.count <= limit else { throw OverLimit() }
                hasher.update(bufferPointer: piece)
                try file.write(piece)
            }
            try file.close()
        } catch is OverLimit {
            file.discard()
            return nil
        } catch {
            file.discard()
            throw error
        }
        return CompressedFile(path: output, size: file.size, sha256: hasher.finalize().hexString)
    }

    /// Thrown by the output of a compression that is already too big to keep, to stop it.
    private struct OverLimit: Error {}

    /// Whether the file at `path` holds exactly the recorded variant: same size, and its bytes,
    /// hashed in pieces, have the recorded SHA-256.
    static func proves(_ path: String, _ expected: ManifestVariant) -> CompressedFile? {
        guard let digest = expected.sha256, let status = FileSystem.status(path), status.isRegularFile,
            status.size == expected.size
        else { return nil }
        var hasher = SHA256()
        guard
            (try? FileStream.read(path) { (piece: UnsafeRawBufferPointer) in hasher.update(bufferPointer: piece) })
                == expected.size,
            hasher.finalize().hexString == digest
        else { return nil }
        return CompressedFile(path: path, size: expected.size, sha256: digest)
    }
}

extension Compressor {
    /// Streams the file at `path` through this codec into `output` (see `compress(file:size:kind:into:)`).
    func compress(file path: String, size: Int, kind: ContentKind, to output: OutputFile) throws {
        try compress(file: path, size: size, kind: kind) { piece in try output.write(piece) }
    }

    /// The fallback for a codec without a streaming API (a test's stand-in): the file is read whole
    /// and compressed in one shot. The codecs of the pipeline all stream.
    package func compress(
        file path: String, size: Int, kind: ContentKind, into output: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        try FileCompression.read(path, size: size) { piece in bytes.append(contentsOf: piece) }
        let compressed = try compress(bytes, kind: kind)
        try compressed.withUnsafeBytes { try output($0) }
    }
}
