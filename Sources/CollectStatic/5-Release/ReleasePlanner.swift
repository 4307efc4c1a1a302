import Foundation
import StaticAssets

/// Decides the next tree from this run's fingerprinted assets and the published state.
struct ReleasePlanner: Sendable {
    var manifestName: String
    var retention: Retention
    var clear: Bool
    var link: Bool
    var cache: CacheFolder?
    var now: Date

    /// `warnings` receives files of kept releases that can no longer be found.
    func plan(_ assets: FingerprintedAssets, current: PublishedState, warnings: inout [String])
        throws(CollectStaticError) -> ReleasePlan
    {
        // An array sorted by name rather than a dictionary or set of files: the plan is the one
        // thing a run holds for every file of the tree, so it is kept small.
        var files: [ReleasePlan.File] = []
        files.reserveCapacity(assets.count * 2)
        for asset in assets {
            files.append(ReleasePlan.File(content: .asset(asset, hashedCopy: true), role: .hashed))
            files.append(
                ReleasePlan.File(
                    content: link
                        ? .symlink(asset.asset, integrity: asset.sourceDigest.sha384)
                        : .asset(asset, hashedCopy: false),
                    role: .original))
        }
        // A name given twice (a logical path that looks hashed, `a.0123456789ab.css`, next to
        // `a.css`) is placed once: the first in the order above.
        Self.sortUnique(&files)

        // The release: the same hashed names as the current one keep its release.
        let old = current.manifest
        let stamp = ReleaseClock.timestamp(now)
        let paths = ReleasePaths(assets)
        var release = ReleaseRecord(id: ReleaseClock.newID(now, tag: paths.djangoHash), created: stamp, paths: [:])
        var candidates: [ReleaseRecord] = []
        if let old {
            let oldRelease =
                old.release
                ?? ReleaseRecord(id: "untracked-" + old.hash, created: stamp, paths: old.paths)
            // The same release (also when a fresh STATIC_ROOT gets it from the cache folder: a CI
            // retry, a second image from one commit) keeps its id and its kept releases; a copy of
            // it among them would push out a release the keep rule keeps.
            if paths.isEqual(to: oldRelease.paths) {
                release = oldRelease
                candidates = old.previousReleases
            } else if !old.paths.isEmpty {
                var retired = oldRelease
                retired.retired = stamp
                candidates = [retired] + old.previousReleases.filter { $0.id != oldRelease.id }
            } else {
                candidates = old.previousReleases
            }
        }
        let previous = retention.kept(candidates, now: now)
        var keptFiles: [ReleasePlan.File] = []

        // Hashed files of the kept releases, from the published tree or the cache folder.
        for kept in previous {
            for name in Set(kept.paths.values).sorted(by: utf8Less)
            where ReleasePlan.position(of: name, in: files) == nil {
                guard let entry = old?.files[name], let integrity = Integrity(entry.integrity) else { continue }
                let source: String
                if !current.fromCache, FileSystem.status(current.root + "/" + name)?.isRegularFile == true {
                    source = current.root + "/" + name
                } else if let blob = cache?.blob(entry.integrity), FileSystem.exists(blob) {
                    source = blob
                } else {
                    warnings.append("release \(kept.id): \(name) is gone; pages of that release will miss it")
                    continue
                }
                keptFiles.append(
                    ReleasePlan.File(
                        content: .file(name: name, path: source, size: entry.size, integrity: integrity), role: .kept))
            }
        }
        if !keptFiles.isEmpty {
            files += keptFiles
            Self.sortUnique(&files)
        }

        // What else the published tree holds: carried over unless collectstatic wrote it (or --clear).
        let (carried, removed) = try rest(of: current, besides: files, managedBy: old)
        return ReleasePlan(
            files: files, carried: carried, removed: removed, paths: paths, release: release,
            previous: previous, current: current)
    }

    /// `--no-post-process`: the originals only; everything else in STATIC_ROOT is carried over
    /// (with `--clear`, removed), except stale variants of the files this run writes.
    func planOriginals(_ assets: [SourceAsset], current: PublishedState) throws(CollectStaticError) -> ReleasePlan {
        var files = assets.map { asset in
            ReleasePlan.File(content: link ? .symlink(asset, integrity: nil) : .source(asset), role: .original)
        }
        Self.sortUnique(&files)
        let (carried, removed) = try rest(of: current, besides: files, managedBy: nil)
        let release = current.manifest?.release ?? ReleaseRecord(id: "", created: "", paths: [:])
        return ReleasePlan(
            files: files, carried: carried, removed: removed,
            paths: .dictionary(current.manifest?.paths ?? [:]), release: release,
            previous: current.manifest?.previousReleases ?? [], current: current)
    }

    /// What else the published tree holds besides `files` (and the manifest): carried over as it is,
    /// or removed when collectstatic wrote it (a file `old` lists, or one of its variants or deltas),
    /// with `--clear`, for an old temporary file, or where a folder the new files need must go.
    /// Variants of the new files go with their file. The tree is walked, not listed: only what is
    /// carried or removed is kept.
    private func rest(of current: PublishedState, besides files: [ReleasePlan.File], managedBy old: Manifest?)
        throws(CollectStaticError) -> (carried: [String], removed: [String])
    {
        var carried: [String] = []
        var removed: [String] = []
        guard !current.fromCache else { return ([], []) }
        let isPlanned = { (name: String) in ReleasePlan.position(of: name, in: files) != nil }
        let isManaged = { (name: String) -> Bool in
            guard let old else { return false }
            if old.files[name] != nil { return true }
            guard let base = Self.variantBase(of: name), let entry = old.files[base] else { return false }
            return entry.companionNames(of: base).contains(name)
        }
        var folders: Set<String>?
        try FileSystem.forEachFile(current.root, skipping: [WorkFolder.inPlaceFolderName]) { name in
            guard !isPlanned(name), name != manifestName else { return }
            if let base = Self.variantBase(of: name), isPlanned(base) { return }  // replaced with the file
            if folders == nil { folders = Self.folders(of: files.lazy.map(\.name)) }
            if Self.isTemporary(name) || clear || isManaged(name) || folders?.contains(name) == true {
                removed.append(name)
            } else {
                carried.append(name)
            }
        }
        return (carried.sorted(by: utf8Less), removed.sorted(by: utf8Less))
    }

    /// Sorts `files` by name in place and keeps each name once. A name given twice (a logical path
    /// that looks hashed, `a.0123456789ab.css`, next to `a.css` whose hashed copy has that name) goes
    /// to the file of the asset first in logical-path order; kept files yield to this release's.
    static func sortUnique(_ files: inout [ReleasePlan.File]) {
        files.sort { a, b in
            let order = FileName.order(a.fileName, b.fileName)
            guard order == 0 else { return order < 0 }
            switch (assetPath(a), assetPath(b)) {
            case (let x?, let y?): return utf8Less(x, y)
            case (.some, nil): return true
            default: return false
            }
        }
        var count = 0
        for index in files.indices
        where count == 0 || FileName.order(files[count - 1].fileName, files[index].fileName) != 0 {
            files.swapAt(count, index)
            count += 1
        }
        files.removeLast(files.count - count)
    }

    /// The logical path of the asset a file of this release comes from (nil for a kept file).
    private static func assetPath(_ file: ReleasePlan.File) -> String? {
        switch file.role {
        case .original: return file.name
        case .hashed:
            if case .asset(let asset, _) = file.content { return asset.asset.logicalPath }
            return file.name
        case .kept: return nil
        }
    }

    /// Every folder the names need (`a/b/c.css` → `a`, `a/b`): a file or symlink of the old tree
    /// in their place cannot be carried over.
    static func folders(of names: some Sequence<String>) -> Set<String> {
        var folders: Set<String> = []
        for name in names {
            var folder = ""
            for part in name.split(separator: "/").dropLast() {
                folder += (folder.isEmpty ? "" : "/") + part
                folders.insert(folder)
            }
        }
        return folders
    }

    /// `app.css.br` → `app.css`; `app.3f2a.js.<dictionary>.dcz` (or `.dcb`) → `app.3f2a.js`.
    static func variantBase(of name: String) -> String? {
        if let base = ManifestEntry.deltaBase(of: name) { return base }
        for encoding in ContentEncoding.variants where name.hasSuffix(encoding.fileSuffix) {
            return String(name.dropLast(encoding.fileSuffix.count))
        }
        return nil
    }

    /// Temporary files of an older collectstatic's in-place writes (`.name.<random>.tmp`).
    static func isTemporary(_ name: String) -> Bool {
        let base = name.split(separator: "/").last ?? ""
        return base.hasPrefix(".") && base.hasSuffix(".tmp")
    }
}

extension ReleasePlan {
    /// True when publishing this plan would change nothing: same files with the same bytes (as the
    /// manifest in force records them, and present on disk with those sizes), same release, same
    /// kept releases, same compression settings, nothing to remove.
    func isUnchanged(compression: String?) -> Bool {
        guard let old = current.manifest, !current.fromCache, removed.isEmpty, old.compression == compression,
            old.release?.id == release.id, old.previousReleases.map(\.id) == previous.map(\.id),
            old.files.count == files.count
        else { return false }
        for file in files {
            guard let entry = old.files[file.name], entry.integrity == file.integrity, entry.size == file.size,
                let status = FileSystem.status(current.root + "/" + file.name, followLinks: false),
                status.isSymlink || status.size == file.size
            else { return false }
            for (encoding, variant) in entry.encodings {
                guard variant.sha256 != nil,
                    FileSystem.status(current.root + "/" + file.name + encoding.fileSuffix)?.size == variant.size
                else { return false }
            }
            for (name, _, delta) in entry.deltaFiles(of: file.name) {
                guard FileSystem.status(current.root + "/" + name)?.size == delta.size else { return false }
            }
        }
        return true
    }
}
