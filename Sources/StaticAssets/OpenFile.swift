import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which file system object a path named when it was opened: device and inode, plus size and
/// modification time (a file replaced in place by a rename is a new inode; one rewritten in place
/// keeps its inode but changes size or time).
public struct FileIdentity: Sendable, Equatable {
    public let device: UInt64
    public let inode: UInt64
    public let size: Int
    public let modifiedSeconds: Int
    public let modifiedNanoseconds: Int

    init(_ info: stat) {
        #if canImport(Darwin)
            let time = info.st_mtimespec
        #else
            let time = info.st_mtim
        #endif
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int(info.st_size)
        modifiedSeconds = Int(time.tv_sec)
        modifiedNanoseconds = Int(time.tv_nsec)
    }

    /// What `path` names now (symlinks followed), or nil when nothing does.
    public static func of(path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileIdentity(info)
    }
}

/// A regular file held open: its size and time come from `fstat` of the same descriptor its bytes
/// are read from, so they always describe those bytes, whatever happens to the path afterwards.
/// The descriptor is closed when the last reference goes.
public final class OpenFile: Sendable, Equatable {
    /// The metadata (`fstat`) and the path it was opened at (for messages; never opened again).
    public let file: ContainedFile
    /// Device, inode, size and time of the open file.
    public let identity: FileIdentity
    let descriptor: Int32

    /// Takes ownership of `descriptor`; nil (and the descriptor closed) unless it is a regular file.
    init?(descriptor: Int32, path: String) {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
        self.file = ContainedFile(path: path, info)
        self.identity = FileIdentity(info)
    }

    /// Opens the regular file at `path` (symlinks followed); nil when there is none.
    public static func open(path: String) -> OpenFile? {
        let fd = systemOpen(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        return OpenFile(descriptor: fd, path: path)
    }

    deinit { close(descriptor) }

    /// The same file: same path, device, inode, size and time.
    public static func == (lhs: OpenFile, rhs: OpenFile) -> Bool {
        lhs.file == rhs.file && lhs.identity == rhs.identity
    }

    public var size: Int { file.size }

    /// `count` bytes from `offset`, read from this descriptor (never from the path). Fewer only at
    /// the end of the file; nil on a read error.
    public func read(offset: Int, count: Int) -> [UInt8]? {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        let ok = bytes.withUnsafeMutableBytes { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            while done < count {
                let got = pread(descriptor, base + done, count - done, off_t(offset + done))
                if got < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                if got == 0 { break }
                done += got
            }
            return true
        }
        guard ok else { return nil }
        if done < count { bytes.removeLast(count - done) }
        return bytes
    }
}

/// `open(2)`, under a name `OpenFile.open(path:)` does not shadow.
func systemOpen(_ path: String, _ flags: Int32) -> Int32 {
    open(path, flags)
}

/// `close(2)`, for types with a `close()` of their own.
func systemClose(_ fd: Int32) {
    _ = close(fd)
}
