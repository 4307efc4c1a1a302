import Foundation
import Glibc

/// The few POSIX file operations the pipeline needs, with errors that name the path.
enum FileSystem {
    struct Status: Sendable {
        var isDirectory: Bool
        var isRegularFile: Bool
        var isSymlink: Bool
        var size: Int
        var device: UInt64
        var inode: UInt64
    }

    static var lastError: String { String(cString: strerror(errno)) }

    /// `stat` (following links); nil if the path does not exist.
    static func status(_ path: String, followLinks: Bool = true) -> Status? {
        var info = stat()
        let result = followLinks ? stat(path, &info) : lstat(path, &info)
        guard result == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        return Status(
            isDirectory: type == S_IFDIR, isRegularFile: type == S_IFREG, isSymlink: type == S_IFLNK,
            size: Int(info.st_size), device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Entries of a directory, excluding `.` and `..`, in no particular order.
    static func listDirectory(_ path: String) throws(CollectStaticError) -> [String] {
        guard let dir = opendir(path) else {
            throw .source(path: path, reason: "cannot list directory: \(lastError)")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = entryName(entry)
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The name of a `readdir` entry, read in place. A `dirent` is only as long as its name: copying
    /// `d_name` as the 256-byte field it is declared as reads past the record, into an unmapped page when
    /// the record ends a page (a SIGSEGV seen about one re-run in ten on a 50,000-file tree).
    static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
        let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
        return String(cString: UnsafeRawPointer(entry).advanced(by: offset).assumingMemoryBound(to: CChar.self))
    }

    static func readFile(_ path: String) throws(CollectStaticError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .source(path: path, reason: "cannot open file: \(lastError)") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .source(path: path, reason: "cannot stat file: \(lastError)") }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: max(4096, bytes.count))) }
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .source(path: path, reason: "cannot read file: \(lastError)")
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeSubrange(filled...)
        return bytes
    }

    /// Writes `bytes` to `path` atomically: a temporary file in the same directory renamed over the
    /// final name, so a reader sees the old content or the new, never a part. Creates parent folders.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(CollectStaticError) {
        try makeDirectories((path as NSString).deletingLastPathComponent)
        let temporary = temporaryName(for: path)
        try write(bytes, creating: temporary, flags: O_EXCL, reportedAs: path)
        try rename(temporary, to: path)
    }

    /// Writes `bytes` to a new file at `path` (in a private staging tree, where nobody reads a partial
    /// file; a killed run's staging tree is removed whole by the next run).
    static func writeNew(_ bytes: [UInt8], to path: String) throws(CollectStaticError) {
        try write(bytes, creating: path, flags: O_TRUNC, reportedAs: path)
    }

    /// Creates `file` with `bytes`; on any failure the file is removed and the error names `path`.
    private static func write(_ bytes: [UInt8], creating file: String, flags: Int32, reportedAs path: String)
        throws(CollectStaticError)
    {
        let fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0o644)
        guard fd >= 0 else { throw .output(path: path, reason: lastError) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                let reason = lastError
                close(fd)
                unlink(file)
                throw .output(path: path, reason: reason)
            }
            written += count
        }
        if close(fd) != 0 {
            let reason = lastError
            unlink(file)
            throw .output(path: path, reason: reason)
        }
    }

    /// The target of the symlink at `path`.
    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Every file (and symlink) below `root`, as `/`-separated relative names; folders named in
    /// `skipping` at the top level are not entered.
    static func listFiles(_ root: String, skipping: Set<String> = []) throws(CollectStaticError) -> [String] {
        var result: [String] = []
        try forEachFile(root, skipping: skipping) { result.append($0) }
        return result
    }

    /// Calls `body` with the path (relative to `root`) of every file and symlink below `root`, as
    /// `listFiles` lists them, without holding the list.
    static func forEachFile(
        _ root: String, skipping: Set<String> = [], _ body: (String) throws(CollectStaticError) -> Void
    ) throws(CollectStaticError) {
        func walk(_ relative: String) throws(CollectStaticError) {
            let folder = relative.isEmpty ? root : root + "/" + relative
            for name in try listDirectory(folder) {
                if relative.isEmpty && skipping.contains(name) { continue }
                let child = relative.isEmpty ? name : relative + "/" + name
                guard let status = status(root + "/" + child, followLinks: false) else { continue }
                if status.isDirectory { try walk(child) } else { try body(child) }
            }
        }
        guard status(root)?.isDirectory == true else { return }
        try walk("")
    }

    /// Creates a symbolic link at `path` pointing at `target`, atomically replacing what was there.
    static func symlinkAtomically(_ target: String, at path: String) throws(CollectStaticError) {
        try makeDirectories((path as NSString).deletingLastPathComponent)
        let temporary = temporaryName(for: path)
        guard symlink(target, temporary) == 0 else { throw .output(path: path, reason: lastError) }
        try rename(temporary, to: path)
    }

    private static func rename(_ from: String, to path: String) throws(CollectStaticError) {
        if Glibc.rename(from, path) != 0 {
            let reason = lastError
            unlink(from)
            throw .output(path: path, reason: reason)
        }
    }

    /// Makes `path` a hard link to `existing` (same file system); false when linking is impossible
    /// there (another file system, no hard links), so the caller copies instead.
    static func hardLink(_ existing: String, at path: String) throws(CollectStaticError) -> Bool {
        if link(existing, path) == 0 { return true }
        let code = errno
        if code == EXDEV || code == EPERM || code == EMLINK || code == ENOTSUP { return false }
        throw .output(path: path, reason: "cannot link \(existing): \(lastError)")
    }

    /// Deletes a folder and everything below it, without following symlinks out of it.
    static func removeTree(_ path: String) throws(CollectStaticError) {
        guard let status = status(path, followLinks: false) else { return }
        if status.isDirectory {
            for name in try listDirectory(path) { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 || errno == ENOENT else {
                throw .output(path: path, reason: "cannot delete: \(lastError)")
            }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else {
                throw .output(path: path, reason: "cannot delete: \(lastError)")
            }
        }
    }

    /// Moves `from` to `to` (same file system), replacing `to` atomically.
    static func move(_ from: String, to path: String) throws(CollectStaticError) {
        guard Glibc.rename(from, path) == 0 else { throw .output(path: path, reason: lastError) }
    }

    /// Temporary names start with `.` so a reader of STATIC_ROOT (and our own finder) skips them.
    static func temporaryName(for path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        let random = UInt64.random(in: 0...UInt64.max)
        return directory + "/.\(base.prefix(64)).\(String(random, radix: 36)).tmp"
    }

    static func makeDirectories(_ path: String) throws(CollectStaticError) {
        if let status = status(path) {
            if status.isDirectory { return }
            throw .output(path: path, reason: "exists and is not a directory")
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .output(path: path, reason: "cannot create directory: \((error as NSError).localizedDescription)")
        }
    }

    /// Canonical absolute path of `path`, resolving symlinks of the part that exists.
    static func canonical(_ path: String) -> String {
        var existing = path
        var rest: [String] = []
        while !existing.isEmpty, existing != "/", !exists(existing) {
            rest.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        var resolved = existing
        if let real = realpath(existing, nil) {
            resolved = String(cString: real)
            free(real)
        }
        return ([resolved] + rest).reduce("") { $0.isEmpty ? $1 : ($0 as NSString).appendingPathComponent($1) }
    }

    /// `path` made absolute against `base` and normalised (`.`/`..` removed), without resolving links.
    static func absolute(_ path: String, relativeTo base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// True if `path` is `ancestor` or lies below it (both canonical).
    static func isInside(_ path: String, _ ancestor: String) -> Bool {
        path == ancestor || ancestor == "/" || path.hasPrefix(ancestor + "/")
    }
}
