#if canImport(Glibc)
    import Glibc
#endif

/// A file found in a source root, under the name it is collected as. Its absolute path is not
/// stored: it is the root's folder (one object shared by every file of the root) and the end of the
/// logical path, so a run holds one path per file of the tree, not two.
public struct SourceAsset: Sendable, Equatable {
    /// `prefix/relative/path`, `/`-separated: the name in STATIC_ROOT and in the manifest.
    public var logicalPath: String
    /// Size in bytes when found.
    public var size: Int
    /// The source root's folder, or (`relativeStart` < 0) the file's own path.
    private var folder: SourceFolder
    /// Where the path relative to the root starts in `logicalPath` (UTF-8 offset).
    private var relativeStart: Int32

    /// An asset at `filePath` published as `logicalPath`.
    public init(logicalPath: String, filePath: String, size: Int) {
        self.logicalPath = logicalPath
        self.size = size
        folder = SourceFolder(filePath)
        relativeStart = -1
    }

    /// A file of the root at `folder` whose logical path ends with its path relative to the root,
    /// from UTF-8 offset `relativeStart` on.
    init(logicalPath: String, folder: SourceFolder, relativeStart: Int, size: Int) {
        self.logicalPath = logicalPath
        self.size = size
        self.folder = folder
        self.relativeStart = Int32(relativeStart)
    }

    /// Absolute path of the source file.
    public var filePath: String {
        guard relativeStart >= 0 else { return folder.path }
        let utf8 = logicalPath.utf8
        return folder.path + "/" + String(logicalPath[utf8.index(utf8.startIndex, offsetBy: Int(relativeStart))...])
    }

    /// Same logical path, file and size.
    public static func == (a: SourceAsset, b: SourceAsset) -> Bool {
        sameBytes(a.logicalPath, b.logicalPath) && a.size == b.size && sameBytes(a.filePath, b.filePath)
    }
}

/// A source root's folder: one object that every file found in the root refers to.
final class SourceFolder: Sendable {
    let path: String

    init(_ path: String) { self.path = path }
}

/// What the finder found: the winners in deterministic order, and the files shadowed by an earlier root.
public struct FoundAssets: Sendable {
    /// The assets to collect, one per logical path, sorted by it.
    public var assets: [SourceAsset]
    /// Later duplicates of a logical path (Django: "Found another file with the destination path").
    public var shadowed: [SourceAsset]
}

/// Walks the source roots in order with Django's `FileSystemFinder` semantics: the first root holding
/// a logical path wins; ignore patterns are matched against the basename, then (for files) against
/// the path relative to the root; ignored folders are not entered. Symlinks are followed; a link back
/// to a folder being walked is a symlink loop and an error. Output never depends on listing order.
public struct Finder: Sendable {
    /// The source roots, searched in order.
    public var roots: [SourceRoot]
    package var ignorePatterns: [IgnorePattern]

    /// A finder over `roots` that leaves out what `ignorePatterns` (globs) match.
    public init(roots: [SourceRoot], ignorePatterns: [String]) {
        self.roots = roots
        self.ignorePatterns = ignorePatterns.map(IgnorePattern.init)
    }

    /// Every file of every root; progress (files and bytes found so far) goes to `observer`.
    public func find(observer: any CollectionObserver = SilentObserver()) throws(CollectStaticError) -> FoundAssets {
        // Every root's files in one list, sorted by logical path (then by root order and walk
        // order, so the first root holding a name wins): no index of the tree is built.
        var all: [(asset: SourceAsset, order: Int)] = []
        let progress = ProgressCounter(.finding, observer: observer)
        for root in roots {
            for asset in try files(in: root, progress: progress) { all.append((asset, all.count)) }
        }
        progress.finish()
        // Names are compared as bytes, as Django and the file system do: Swift's `==` would take
        // `café` in NFC and in NFD, two files on disk, for one name.
        all.sort { a, b in
            sameBytes(a.asset.logicalPath, b.asset.logicalPath)
                ? a.order < b.order : utf8Less(a.asset.logicalPath, b.asset.logicalPath)
        }
        var assets: [SourceAsset] = []
        assets.reserveCapacity(all.count)
        var shadowed: [(asset: SourceAsset, order: Int)] = []
        for item in all {
            if let last = assets.last, sameBytes(last.logicalPath, item.asset.logicalPath) {
                shadowed.append(item)
            } else {
                assets.append(item.asset)
            }
        }
        all = []
        return FoundAssets(assets: assets, shadowed: shadowed.sorted { $0.order < $1.order }.map(\.asset))
    }

    /// Finds one logical path, and every root's candidate for it (`findstatic`).
    public func locate(_ logicalPath: String) -> [SourceAsset] {
        var found: [SourceAsset] = []
        for root in roots {
            var relative = Substring(logicalPath)
            if let prefix = root.prefix {
                guard relative.hasPrefix(prefix + "/") else { continue }
                relative = relative.dropFirst(prefix.count + 1)
            }
            let parts = relative.split(separator: "/")
            guard !parts.isEmpty, !parts.contains(".."), !parts.contains(".") else { continue }
            let path = root.path + "/" + parts.joined(separator: "/")
            if let status = FileSystem.status(path), status.isRegularFile {
                found.append(SourceAsset(logicalPath: logicalPath, filePath: path, size: status.size))
            }
        }
        return found
    }

    /// Every file of one root, depth first, sorted by name within each folder.
    func files(in root: SourceRoot, progress: ProgressCounter? = nil) throws(CollectStaticError) -> [SourceAsset] {
        guard let status = FileSystem.status(root.path) else {
            throw .source(path: root.path, reason: "source root does not exist")
        }
        guard status.isDirectory else { throw .source(path: root.path, reason: "source root is not a directory") }
        var result: [SourceAsset] = []
        var stack = [Identity(status)]
        try walk(
            root: root, base: SourceFolder(root.path), relative: "", folder: root.path, stack: &stack, into: &result,
            progress: progress)
        return result
    }

    private struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
        init(_ status: FileSystem.Status) {
            device = status.device
            inode = status.inode
        }
    }

    private func walk(
        root: SourceRoot, base: SourceFolder, relative: String, folder: String, stack: inout [Identity],
        into result: inout [SourceAsset],
        progress: ProgressCounter?
    ) throws(CollectStaticError) {
        let names = try FileSystem.listDirectory(folder).sorted(by: utf8Less)
        var folders: [(name: String, identity: Identity)] = []
        for name in names {
            let path = folder + "/" + name
            // Django matches files and folders against their basename first: an ignored name is
            // never even looked at (an editor's `.#app.css` lock symlink may point nowhere).
            if ignorePatterns.anyMatches(name) { continue }
            guard let status = FileSystem.status(path) else {
                if FileSystem.status(path, followLinks: false)?.isSymlink == true {
                    let reason = errnoIsLoop() ? "symlink loop" : "broken symlink"
                    throw .source(path: path, reason: reason)
                }
                throw .source(path: path, reason: "vanished or cannot be read")
            }
            if status.isDirectory {
                folders.append((name, Identity(status)))
                continue
            }
            // Django: the basename (above), then the path relative to the root.
            let relativePath = relative.isEmpty ? name : relative + "/" + name
            if !relative.isEmpty && ignorePatterns.anyMatches(relativePath) { continue }
            guard status.isRegularFile else {
                throw .source(path: path, reason: "not a regular file")
            }
            let logical = (root.prefix.map { $0 + "/" + relativePath } ?? relativePath).compacted
            result.append(
                SourceAsset(
                    logicalPath: logical, folder: base, relativeStart: root.prefix.map { $0.utf8.count + 1 } ?? 0,
                    size: status.size))
            progress?.advance(bytes: status.size)
        }
        for (name, identity) in folders {
            let path = folder + "/" + name
            if stack.contains(identity) {
                throw .source(path: path, reason: "symlink loop: this folder links back to one that contains it")
            }
            stack.append(identity)
            let relativePath = relative.isEmpty ? name : relative + "/" + name
            try walk(
                root: root, base: base, relative: relativePath, folder: path, stack: &stack, into: &result,
                progress: progress)
            stack.removeLast()
        }
    }

    private func errnoIsLoop() -> Bool {
        #if canImport(Glibc)
            return errno == ELOOP
        #else
            return false
        #endif
    }
}

/// Orders strings by their UTF-8 bytes, which is Python's code-point order.
func utf8Less(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}

/// Whether two names are the same bytes. Swift's `==` compares canonical equivalence, so `café` in
/// NFC and in NFD, two names to the file system, Python and Django, are equal to it.
func sameBytes(_ a: String, _ b: String) -> Bool {
    a.utf8.elementsEqual(b.utf8)
}
