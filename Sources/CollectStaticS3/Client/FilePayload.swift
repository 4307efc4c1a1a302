import Crypto
import Foundation
import NIOCore

/// A request body sent from a file: its size and digests (read once, in chunks), and its bytes
/// read again in chunks for each attempt (`FileChunks`), so a large body is never held whole.
struct FilePayload: Sendable {
    let path: String
    let size: Int
    let sha256Hex: String
    let md5Base64: String

    static let chunkSize = 1 << 20

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var sha256 = SHA256()
        var md5 = Insecure.MD5()
        var size = 0
        while let chunk = try handle.read(upToCount: Self.chunkSize), !chunk.isEmpty {
            sha256.update(data: chunk)
            md5.update(data: chunk)
            size += chunk.count
        }
        self.path = path
        self.size = size
        self.sha256Hex = SigV4Signer.hex(sha256.finalize())
        self.md5Base64 = Data(md5.finalize()).base64EncodedString()
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
