import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A regular file found below a root folder without leaving it: symlinks are resolved and the real
/// path must still lie inside the root (or inside one of the extra trusted folders).
public struct ContainedFile: Sendable, Equatable {
    /// The real path (symlinks resolved) to open.
    public let path: String
    public let size: Int
    /// Modification time, whole seconds since 1970 and the nanoseconds past them.
    public let modifiedSeconds: Int
    public let modifiedNanoseconds: Int

    public var modificationDate: Date {
        Date(timeIntervalSince1970: Double(modifiedSeconds) + Double(modifiedNanoseconds) / 1e9)
    }

    /// Looks `name` up below `root`. Nil unless `name` is a safe relative name, the file exists, is a
    /// regular file and its real path stays inside `root` (or one of `trusted`).
    ///
    /// Fast path: the components of `name` are checked with `lstat` below the root's real path (one
    /// call each, the last one giving size and time). Only when one of them is a symlink is the whole
    /// path resolved with `realpath` and checked for containment.
    public static func find(_ name: String, in root: RootFolder, trusted: [RootFolder] = []) -> ContainedFile? {
        guard SafeName.isSafe(name), let rootPath = root.realPath else { return nil }
        var path = rootPath == "/" ? "" : rootPath
        var info = stat()
        for component in name.utf8.split(separator: UInt8(ascii: "/")) {
            path += "/" + String(Substring(component))
            guard lstat(path, &info) == 0 else { return nil }
            if info.st_mode & S_IFMT == S_IFLNK { return findThroughSymlink(name, in: root, trusted: trusted) }
        }
        return regularFile(at: path, info)
    }

    private static func findThroughSymlink(_ name: String, in root: RootFolder, trusted: [RootFolder]) -> ContainedFile?
    {
        guard let real = realPath(root.path + "/" + name) else { return nil }
        guard root.contains(real) || trusted.contains(where: { $0.contains(real) }) else { return nil }
        var info = stat()
        guard stat(real, &info) == 0 else { return nil }
        return regularFile(at: real, info)
    }

    private static func regularFile(at path: String, _ info: stat) -> ContainedFile? {
        guard info.st_mode & S_IFMT == S_IFREG else { return nil }
        return ContainedFile(path: path, info)
    }

    /// The metadata `info` gives (from `stat` or `fstat`) of the file at `path`.
    init(path: String, _ info: stat) {
        #if canImport(Darwin)
            let time = info.st_mtimespec
        #else
            let time = info.st_mtim
        #endif
        self.path = path
        size = Int(info.st_size)
        modifiedSeconds = Int(time.tv_sec)
        modifiedNanoseconds = Int(time.tv_nsec)
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// A folder files are served from, with its real path worked out once.
public struct RootFolder: Sendable, Equatable {
    /// Absolute path as given (made absolute against the working directory).
    public let path: String
    /// The folder's real path, or nil while it does not exist (then it is resolved on every lookup).
    private let resolved: String?

    public init(_ path: String) {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var trimmed = Substring(absolute)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        self.path = String(trimmed)
        self.resolved = ContainedFile.realPath(self.path)
    }

    /// The folder's real path (worked out again while the folder does not exist).
    public var realPath: String? { resolved ?? ContainedFile.realPath(path) }

    /// Whether the real path `real` lies strictly inside this folder.
    public func contains(_ real: String) -> Bool {
        guard let root = realPath else { return false }
        return real.hasPrefix(root == "/" ? "/" : root + "/") && real.count > root.count
    }
}

/// The names a server may join to a root folder: relative, `/`-separated, no empty, `.`, `..` or
/// dot-prefixed segment (dotfiles and dot-folders are never served), no backslash, no NUL.
public enum SafeName {
    public static func isSafe(_ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        var segmentStart = true
        for byte in name.utf8 {
            switch byte {
            case 0, UInt8(ascii: "\\"):
                return false
            case UInt8(ascii: "/"):
                if segmentStart { return false }  // leading slash or empty segment
                segmentStart = true
            case UInt8(ascii: "."):
                if segmentStart { return false }  // `.`, `..`, `.env`, `.git/…`
                segmentStart = false
            default:
                segmentStart = false
            }
        }
        return !segmentStart  // no trailing slash
    }
}
