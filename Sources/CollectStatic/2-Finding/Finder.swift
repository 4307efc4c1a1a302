#if canImport(Glibc)
    import Glibc
#endif

/// A file found in a source root, under the name it is collected as.
public struct SourceAsset: Sendable, Equatable {
    /// `prefix/relative/path`, `/`-separated: the name in STATIC_ROOT and in the manifest.
    public var logicalPath: String
    /// Absolute path of the source file.
    public var filePath: String
    public var size: Int
}

/// What the finder found: the winners in deterministic order, and the files shadowed by an earlier root.
public struct FoundAssets: Sendable {
    public var assets: [SourceAsset]
    /// Later duplicates of a logical path (Django: "Found another file with the destination path").
    public var shadowed: [SourceAsset]
}

/// Walks the source roots in order with Django's `FileSystemFinder` semantics: the first root holding
/// a logical path wins; ignore patterns are matched against the basename, then (for files) against
/// the path relative to the root; ignored folders are not entered. Symlinks are followed; a link back
/// to a folder being walked is a symlink loop and an error. Output never depends on listing order.
public struct Finder: Sendable {
    public var roots: [SourceRoot]
    public var ignorePatterns: [IgnorePattern]

    public init(roots: [SourceRoot], ignorePatterns: [String]) {
        self.roots = roots
        self.ignorePatterns = ignorePatterns.map(IgnorePattern.init)
    }

    /// Every file of every root; progress (files and bytes found so far) goes to `observer`.
    public func find(observer: any CollectionObserver = SilentObserver()) throws(CollectStaticError) -> FoundAssets {
        var winners: [String: SourceAsset] = [:]
        var order: [String] = []
        var shadowed: [SourceAsset] = []
        let progress = ProgressCounter(.finding, observer: observer)
        for root in roots {
            for asset in try files(in: root, progress: progress) {
                if winners[asset.logicalPath] == nil {
                    winners[asset.logicalPath] = asset
                    order.append(asset.logicalPath)
                } else {
                    shadowed.append(asset)
                }
            }
        }
        progress.finish()
        return FoundAssets(assets: order.sorted(by: utf8Less).map { winners[$0]! }, shadowed: shadowed)
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
        try walk(root: root, relative: "", folder: root.path, stack: &stack, into: &result, progress: progress)
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
        root: SourceRoot, relative: String, folder: String, stack: inout [Identity], into result: inout [SourceAsset],
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
            let logical = root.prefix.map { $0 + "/" + relativePath } ?? relativePath
            result.append(SourceAsset(logicalPath: logical, filePath: path, size: status.size))
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
                root: root, relative: relativePath, folder: path, stack: &stack, into: &result, progress: progress)
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
