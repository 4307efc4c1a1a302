import StaticAssets

#if canImport(Glibc)
    import Glibc
#endif

/// Publishes a staged set of changed files into STATIC_ROOT itself, for when the tree cannot be
/// switched whole (STATIC_ROOT is a mount point, or its parent is not writable). The order keeps
/// the manifest in force true at every instant, so a kill at any point leaves every name it lists
/// with the bytes it vouches for:
///
/// 1. names that do not exist yet (this release's new hashed files, with their variants first);
/// 2. an intermediate manifest: the one in force, no longer listing the files about to change;
/// 3. the changed files, each after its variants (stale variants deleted first);
/// 4. the new manifest;
/// 5. deletion of what the new tree no longer has.
struct InPlacePublishing: ReleasePublishing {
    let root: String
    let manifestName: String
    var willPublish: @Sendable (String) throws(CollectStaticError) -> Void = { _ in }

    var stagesWholeTree: Bool { false }

    func publish(_ release: StagedRelease) throws(CollectStaticError) {
        let current = release.plan.current
        try publish(
            release.manifest?.materialized(), from: release.tree.root,
            replacing: current.fromCache ? nil : current.manifest, removing: release.plan.removed)
    }

    /// `old` is the manifest in force, whose vouching the intermediate manifest narrows.
    private func publish(
        _ manifest: Manifest?, from staging: String, replacing old: Manifest?, removing removed: [String]
    )
        throws(CollectStaticError)
    {
        let staged = try FileSystem.listFiles(staging)
        var touched: Set<String> = []
        for name in staged where FileSystem.status(root + "/" + name, followLinks: false) != nil {
            touched.insert(ReleasePlanner.variantBase(of: name) ?? name)
        }
        var stale: [String] = []
        for (name, entry) in manifest?.files ?? [:] {
            for encoding in ContentEncoding.variants where entry.variant(encoding) == nil {
                if FileSystem.status(root + "/" + name + encoding.fileSuffix, followLinks: false) != nil {
                    stale.append(name + encoding.fileSuffix)
                    touched.insert(name)
                }
            }
            // Deltas of the old release that this one no longer lists (they go with their release).
            let kept = Set(entry.deltaFiles(of: name).map(\.name))
            for delta in old?.files[name]?.deltaFiles(of: name).map(\.name) ?? [] where !kept.contains(delta) {
                if FileSystem.status(root + "/" + delta, followLinks: false) != nil {
                    stale.append(delta)
                    touched.insert(name)
                }
            }
        }
        let base = { (name: String) in ReleasePlanner.variantBase(of: name) ?? name }
        // Variants before their file: sort by file, then variants first.
        let ordered = staged.sorted {
            base($0) != base($1) ? utf8Less(base($0), base($1)) : ($0 != base($0) && $1 == base($1))
        }
        for name in ordered where !touched.contains(base(name)) { try move(name, from: staging) }
        if var intermediate = old, !touched.isEmpty {
            for name in touched { intermediate.files[name] = nil }
            try willPublish(manifestName)
            try ManifestWriter.write(intermediate, to: root + "/" + manifestName)
        }
        for name in stale { try remove(name) }
        for name in ordered where touched.contains(base(name)) { try move(name, from: staging) }
        if let manifest {
            try willPublish(manifestName)
            try ManifestWriter.write(manifest, to: root + "/" + manifestName)
        }
        for name in removed { try remove(name) }
        try FileSystem.removeTree(staging)
    }

    private func move(_ name: String, from staging: String) throws(CollectStaticError) {
        try willPublish(name)
        let target = root + "/" + name
        var folder = ""
        for part in name.split(separator: "/").dropLast() {
            folder += (folder.isEmpty ? "" : "/") + part
            if let status = FileSystem.status(root + "/" + folder, followLinks: false) {
                if status.isSymlink {
                    throw .output(path: root + "/" + folder, reason: "is a symlink; refusing to write through it")
                }
                if !status.isDirectory {
                    throw .output(path: root + "/" + folder, reason: "exists and is not a directory")
                }
            } else {
                try FileSystem.makeDirectories(root + "/" + folder)
            }
        }
        try FileSystem.move(staging + "/" + name, to: target)
    }

    private func remove(_ name: String) throws(CollectStaticError) {
        try willPublish(name)
        let path = root + "/" + name
        guard unlink(path) == 0 || errno == ENOENT else {
            throw .output(path: path, reason: "cannot delete: \(FileSystem.lastError)")
        }
    }
}
