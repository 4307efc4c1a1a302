import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat

/// Where a response body goes when it is not held: hashed (SHA-256) as it arrives and, when a path
/// is given, written to that file. One request writes to it at a time (the attempts of one
/// `S3Client.send` follow each other); a retry starts it again.
final class BodySink: @unchecked Sendable {
    private let path: String?
    private var handle: FileHandle?
    private var hash = SHA256()

    init(file path: String?) { self.path = path }

    /// Drops what an earlier attempt wrote.
    func restart() throws {
        hash = SHA256()
        guard let path else { return }
        try? handle?.close()
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let opened = FileHandle(forWritingAtPath: path)
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        handle = opened
    }

    func write(_ chunk: ByteBuffer) throws {
        chunk.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
        if let handle { try handle.write(contentsOf: chunk.readableBytesView) }
    }

    func sha256Hex() -> String { SigV4Signer.hex(hash.finalize()) }

    func close() {
        try? handle?.close()
        handle = nil
    }
}

/// An object's bytes in a temporary file (`S3Client.download`).
struct DownloadedObject: Sendable, Equatable {
    let path: String
    /// SHA-256 (hex) of the bytes.
    let sha256: String

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
