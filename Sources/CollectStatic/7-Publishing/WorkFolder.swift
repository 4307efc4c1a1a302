import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where a run prepares the next tree, and how it will publish it.
///
/// - **Atomic switch** (the normal case): the work folder is `<parent>/.<name>.collectstatic/`, a
///   sibling of STATIC_ROOT on the same file system. It holds the lock file, the tree being built
///   (`new-<id>/`) and the trees of earlier releases kept for `rollback` (`old-<id>/`).
/// - **In place** (STATIC_ROOT is a mount point, e.g. a Docker volume, or its parent folder is not
///   writable): the work folder is `<STATIC_ROOT>/.collectstatic/` and only the files that change are
///   prepared there, then moved into place in an order that keeps the published manifest true.
///
/// A STATIC_ROOT that is a symlink (`static -> releases/42`, a Capistrano or Kubernetes layout)
/// stays one: the folder it points to is what is published (switched whole beside it, or written in
/// place), as Django writes through the link.
struct WorkFolder: Sendable {
    enum Mode: Sendable, Equatable {
        case atomicSwitch
        case inPlace(reason: String)
    }

    /// The folder published: STATIC_ROOT, or the folder it points to when it is a symlink.
    let staticRoot: String
    let path: String
    let mode: Mode

    /// The work folder's name inside STATIC_ROOT in in-place mode.
    static let inPlaceFolderName = ".collectstatic"

    var lockFile: String { path + "/lock" }
    func stagingTree(_ id: String) -> String { path + "/new-" + id }
    /// Where a run writes its rewritten files as they become final (removed with the run, or as a
    /// leftover by the next one).
    func spool(_ id: String) -> String { path + "/new-" + id + ".rewritten" }
    func retiredTree(_ releaseID: String) -> String { path + "/old-" + releaseID }
    /// A run's own cache folder when none is set (removed with the run, or as a leftover).
    var temporaryCache: String { path + "/new-cache" }

    /// Finds (and, unless `create` is false, creates) the work folder for `staticRoot`.
    static func locate(staticRoot configured: String, create: Bool = true, forceInPlace: Bool = false)
        throws(CollectStaticError) -> WorkFolder
    {
        let staticRoot = publishedFolder(configured)
        let parent = (staticRoot as NSString).deletingLastPathComponent
        let name = (staticRoot as NSString).lastPathComponent
        let sibling = parent + "/." + name + ".collectstatic"
        if create { try FileSystem.makeDirectories(parent) }
        if let reason = forceInPlace
            ? "asked to" : inPlaceReason(staticRoot: staticRoot, parent: parent, sibling: sibling, create: create)
        {
            if create { try FileSystem.makeDirectories(staticRoot) }
            return WorkFolder(
                staticRoot: staticRoot, path: staticRoot + "/" + inPlaceFolderName, mode: .inPlace(reason: reason))
        }
        return WorkFolder(staticRoot: staticRoot, path: sibling, mode: .atomicSwitch)
    }

    /// The folder a STATIC_ROOT path publishes to: the path itself, or where the symlink at it
    /// points (followed link by link, each relative to its own folder; the last one may not exist
    /// yet). Symlinks among the folders above are left to the kernel.
    static func publishedFolder(_ staticRoot: String) -> String {
        var path = staticRoot
        for _ in 0..<40 {
            guard FileSystem.status(path, followLinks: false)?.isSymlink == true,
                let target = FileSystem.readLink(path), !target.isEmpty
            else { return path }
            let folder = (path as NSString).deletingLastPathComponent
            path = target.hasPrefix("/") || folder.isEmpty ? target : folder + "/" + target
            while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        }
        return path
    }

    private static func inPlaceReason(staticRoot: String, parent: String, sibling: String, create: Bool) -> String? {
        if FileSystem.status(staticRoot)?.isDirectory == true, isMountPoint(staticRoot, parent: parent) {
            return "STATIC_ROOT \(staticRoot) is a mount point"
        }
        // The switch renames in the parent folder: a writable work folder beside STATIC_ROOT is not
        // enough.
        guard access(parent, W_OK) == 0 else { return "its parent folder \(parent) is not writable" }
        if FileSystem.status(sibling)?.isDirectory == true {
            return access(sibling, W_OK) == 0 ? nil : "\(sibling) is not writable"
        }
        if create, mkdir(sibling, 0o755) != 0, errno != EEXIST {
            return "cannot create \(sibling): \(FileSystem.lastError)"
        }
        return nil
    }

    /// A mount point is on another device than its parent, or listed in /proc/self/mountinfo (a bind
    /// mount of the same device).
    static func isMountPoint(_ path: String, parent: String) -> Bool {
        if let own = FileSystem.status(path), let above = FileSystem.status(parent), own.device != above.device {
            return true
        }
        guard let table = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return false }
        let canonical = FileSystem.canonical(path)
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { continue }
            if unescapeMountPath(fields[4]) == canonical { return true }
        }
        return false
    }

    /// mountinfo writes space, tab, newline and backslash as octal escapes (`\040`).
    private static func unescapeMountPath(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(field.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "\\"), iterator.count >= 3,
                let value = UInt8(String(decoding: iterator.prefix(3), as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Removes what killed or failed runs left: trees being built, and kept trees of releases that
    /// are no longer kept. Call with the lock held.
    func removeLeftovers(keepingTreesOf kept: Set<String>) throws(CollectStaticError) {
        guard FileSystem.status(path)?.isDirectory == true else { return }
        for name in try FileSystem.listDirectory(path) {
            if name.hasPrefix("new-") || (name.hasPrefix("old-") && !kept.contains(String(name.dropFirst(4)))) {
                try FileSystem.removeTree(path + "/" + name)
            }
        }
    }

    /// The ids of releases whose whole tree is kept (for `rollback`).
    func retiredTrees() -> Set<String> {
        let names = (try? FileSystem.listDirectory(path)) ?? []
        return Set(names.filter { $0.hasPrefix("old-") }.map { String($0.dropFirst(4)) })
    }
}
