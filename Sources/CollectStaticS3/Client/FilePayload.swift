import Crypto
import Foundation
import NIOCore

/// A request body sent from a file: its size and digests (read once, in chunks), and its bytes
/// read again in chunks for each attempt (`FileChunks`), so a large body is never held whole.
struct FilePayload: Sendable {
    let path: String
    let size: Int
    let sha256Hex: String
    let md5: Insecure.MD5Digest

    var md5Base64: String { Data(md5).base64EncodedString() }
    /// The MD5 as S3 writes it in the ETag of a single-part upload: `"<hex>"`.
    var etag: String { "\"" + SigV4Signer.hex(md5) + "\"" }

    static let chunkSize = 1 << 20

    /// Reads the file once for its size and digests; `sha256Hex`, when known, is not computed again.
    init(path: String, sha256Hex known: String? = nil) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var sha256 = SHA256()
        var md5 = Insecure.MD5()
        var size = 0
        while let chunk = try handle.read(upToCount: Self.chunkSize), !chunk.isEmpty {
            if known == nil { sha256.update(data: chunk) }
            md5.update(data: chunk)
            size += chunk.count
        }
        self.path = path
        self.size = size
        self.sha256Hex = known ?? SigV4Signer.hex(sha256.finalize())
        self.md5 = md5.finalize()
    }
}

/// The bytes of a file as `ByteBuffer`s of up to 1 MB, read as the request body is sent.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String

    struct AsyncIterator: AsyncIteratorProtocol {
        var handle: FileHandle?
        let path: String
        var done = false

        mutating func next() async throws -> ByteBuffer? {
            if done { return nil }
            if handle == nil {
                guard let opened = FileHandle(forReadingAtPath: path) else {
                    throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
                }
                handle = opened
            }
            guard let handle, let chunk = try handle.read(upToCount: FilePayload.chunkSize), !chunk.isEmpty else {
                try? handle?.close()
                handle = nil
                done = true
                return nil
            }
            return ByteBuffer(bytes: chunk)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: nil, path: path) }
}
