import NIOCore
import StaticAssets

/// A file read returned fewer bytes than the response's fields announced.
package struct ShortRead: Error, CustomStringConvertible {
    package let path: String
    package var description: String { "\(path) is shorter than when it was opened" }
}

/// One chunk of a file body, read into the buffer that is written to the socket (both adapters).
///
/// Vapor's `Response.Body` and Hummingbird's `ResponseBodyWriter` carry `ByteBuffer`s, so this is how
/// both adapters send file bodies, except Hummingbird's on a plain connection whose channel has a
/// `StaticAssetsFileRegionHandler` (file regions: `sendfile`).
package enum FileChunk {
    static let allocator = ByteBufferAllocator()

    /// `count` bytes from `offset` of the open file, read with `pread` straight into a new buffer.
    package static func read(_ file: OpenFile, offset: Int, count: Int) throws -> ByteBuffer {
        var buffer = allocator.buffer(capacity: count)
        let got = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { pointer in
            file.read(offset: offset, into: UnsafeMutableRawBufferPointer(rebasing: pointer.prefix(count))) ?? 0
        }
        guard got == count else { throw ShortRead(path: file.file.path) }
        return buffer
    }
}
