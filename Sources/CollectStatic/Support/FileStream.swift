import CLinux
import Glibc

/// Files read and written in pieces, so that the memory a file costs is one chunk whatever its size.
enum FileStream {
    /// The size of the pieces files are read in.
    static let chunkSize = 1 << 18

    /// Calls `body` with each piece of the file at `path`, in order (the buffer is valid during the
    /// call only). Returns the number of bytes read.
    @discardableResult
    static func read(
        _ path: String, chunkSize: Int = chunkSize,
        _ body: (UnsafeRawBufferPointer) throws(CollectStaticError) -> Void
    ) throws(CollectStaticError) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .source(path: path, reason: "cannot open file: \(FileSystem.lastError)") }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var total = 0
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw .source(path: path, reason: "cannot read file: \(FileSystem.lastError)")
            }
            if count == 0 { return total }
            total += count
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Whether the files at `a` and `b` hold the same bytes (false if either cannot be read).
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        guard let first = FileSystem.status(a), let second = FileSystem.status(b), first.size == second.size else {
            return false
        }
        if first.device == second.device && first.inode == second.inode { return true }
        let fdA = open(a, O_RDONLY | O_CLOEXEC)
        guard fdA >= 0 else { return false }
        defer { close(fdA) }
        let fdB = open(b, O_RDONLY | O_CLOEXEC)
        guard fdB >= 0 else { return false }
        defer { close(fdB) }
        let bufferA = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { bufferA.deallocate() }
        let bufferB = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { bufferB.deallocate() }
        while true {
            guard let countA = readFully(fdA, bufferA), let countB = readFully(fdB, bufferB), countA == countB else {
                return false
            }
            if countA == 0 { return true }
            guard memcmp(bufferA.baseAddress!, bufferB.baseAddress!, countA) == 0 else { return false }
        }
    }

    /// Fills `buffer` unless the file ends first; the count read, or nil on an error.
    private static func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int? {
        var filled = 0
        while filled < buffer.count {
            let count = Glibc.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            filled += count
        }
        return filled
    }

    /// Copies the file at `source` to a new file at `path` without bringing its bytes into memory
    /// (`copy_file_range`, which shares blocks on file systems that can; chunks otherwise).
    static func copy(_ source: String, to path: String) throws(CollectStaticError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .source(path: source, reason: "cannot open file: \(FileSystem.lastError)") }
        defer { close(input) }
        let output = try OutputFile(path)
        var info = stat()
        var remaining = fstat(input, &info) == 0 ? Int(info.st_size) : 0
        while remaining > 0 {
            let count = collectstatic_copy_file_range(input, nil, output.descriptor, nil, remaining, 0)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }  // not supported here (or the file shrank): finish in chunks
            remaining -= count
        }
        do throws(CollectStaticError) {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let count = Glibc.read(input, buffer.baseAddress, buffer.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw .source(path: source, reason: "cannot read file: \(FileSystem.lastError)")
                }
                if count == 0 { break }
                try output.write(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            }
            try output.close()
        } catch {
            output.discard()
            throw error
        }
    }
}

/// A new file written in pieces. It is created (replacing nothing: in a private staging tree, or
/// under a temporary name that the caller renames) on `init`; `close` finishes it, `discard`
/// removes it after a failure.
final class OutputFile {
    let path: String
    private(set) var descriptor: Int32
    private(set) var size = 0

    init(_ path: String) throws(CollectStaticError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .output(path: path, reason: FileSystem.lastError) }
    }

    deinit { if descriptor >= 0 { Glibc.close(descriptor) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws(CollectStaticError) {
        var written = 0
        while written < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if count < 0 {
                if errno == EINTR { continue }
                let reason = FileSystem.lastError
                discard()
                throw .output(path: path, reason: reason)
            }
            written += count
        }
        size += bytes.count
    }

    func write(_ bytes: [UInt8]) throws(CollectStaticError) {
        var failure: CollectStaticError?
        bytes.withUnsafeBytes { buffer in
            do throws(CollectStaticError) { try write(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    func close() throws(CollectStaticError) {
        guard descriptor >= 0 else { return }
        let result = Glibc.close(descriptor)
        descriptor = -1
        if result != 0 {
            let reason = FileSystem.lastError
            unlink(path)
            throw .output(path: path, reason: reason)
        }
    }

    /// Closes and removes the file.
    func discard() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
        unlink(path)
    }
}
