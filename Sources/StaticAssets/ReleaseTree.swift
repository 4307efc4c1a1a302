import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// STATIC_ROOT held open: the directory a path named when it was opened, with files opened
/// relative to it (`openat`). After a publish switches the path to another tree (an exchange, or a
/// re-pointed symlink) this handle still reaches the tree it was opened on, until it is released;
/// the descriptor is closed when the last reference goes.
public final class ReleaseTree: Sendable {
    /// The path the tree was opened at (absolute, as given: symlinks not resolved).
    public let path: String
    /// The directory opened (device and inode of what `path` resolved to then).
    public let identity: FileIdentity
    let descriptor: Int32

    /// Opens the directory `path` names now (following symlinks); nil when it is not a directory.
    public init?(path: String) {
        let folder = RootFolder(path)
        let fd = systemOpen(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            close(fd)
            return nil
        }
        self.path = folder.path
        self.identity = FileIdentity(info)
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// Opens the regular file `name` inside this tree. Nil unless `name` is a safe relative name
    /// (``SafeName``), it exists in this tree and is a regular file. Each folder on the way is opened
    /// without following symlinks; when one of them (or the file) is a symlink, the name is resolved
    /// and its real path must lie inside this tree or one of `trusted` (as ``ContainedFile/find``).
    public func open(_ name: String, trusted: [RootFolder] = []) -> OpenFile? {
        guard SafeName.isSafe(name) else { return nil }
        let components = name.utf8.split(separator: UInt8(ascii: "/")).map { String(Substring($0)) }
        var folder = descriptor
        defer { if folder != descriptor { close(folder) } }
        for (index, component) in components.enumerated() {
            let isLast = index == components.count - 1
            let flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (isLast ? O_NONBLOCK : O_DIRECTORY)
            let fd = openat(folder, component, flags)
            guard fd >= 0 else {
                let failure = errno
                guard failure == ELOOP || failure == ENOTDIR, isSymlink(component, in: folder) else { return nil }
                return openThroughSymlink(name, trusted: trusted)
            }
            if isLast { return OpenFile(descriptor: fd, path: path + "/" + name) }
            if folder != descriptor { close(folder) }
            folder = fd
        }
        return nil
    }

    private func isSymlink(_ component: String, in folder: Int32) -> Bool {
        var info = stat()
        return fstatat(folder, component, &info, AT_SYMLINK_NOFOLLOW) == 0 && info.st_mode & S_IFMT == S_IFLNK
    }

    /// The real path of `name` in this tree (reached through the open descriptor, so in the tree this
    /// handle holds even after the path was switched), opened if it stays inside the tree or `trusted`.
    private func openThroughSymlink(_ name: String, trusted: [RootFolder]) -> OpenFile? {
        #if os(Linux)
            let base = "/proc/self/fd/\(descriptor)"
        #else
            let base = path
        #endif
        guard let rootReal = ContainedFile.realPath(base), let real = ContainedFile.realPath(base + "/" + name)
        else { return nil }
        let inside = real.hasPrefix(rootReal == "/" ? "/" : rootReal + "/") && real.count > rootReal.count
        guard inside || trusted.contains(where: { $0.contains(real) }) else { return nil }
        return OpenFile.open(path: real)
    }

    /// The whole content of the file `name` directly in this tree (the manifest), read from one open
    /// descriptor, with that file's identity.
    func read(_ name: String) -> Result<(Data, FileIdentity), ReadFailure> {
        let fd = openat(descriptor, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return .failure(ReadFailure(code: errno)) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            close(fd)
            return .failure(ReadFailure(code: EISDIR))
        }
        guard let file = OpenFile(descriptor: fd, path: path + "/" + name) else {
            return .failure(ReadFailure(code: EINVAL))
        }
        guard let bytes = file.read(offset: 0, count: file.size) else { return .failure(ReadFailure(code: errno)) }
        return .success((Data(bytes), file.identity))
    }

    struct ReadFailure: Error {
        let code: Int32
    }
}
