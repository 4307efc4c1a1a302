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
    func plan(_ assets: [FingerprintedAsset], current: PublishedState, warnings: inout [String])
        throws(CollectStaticError) -> ReleasePlan
    {
        // An array and a set of names rather than a dictionary of files: the plan is the one thing
        // a run holds for every file of the tree, so it is kept small.
        var files: [ReleasePlan.File] = []
        files.reserveCapacity(assets.count * 2)
        var names: Set<String> = []
        names.reserveCapacity(assets.count * 2)
        var paths: [String: String] = [:]
        for asset in assets {
            paths[asset.asset.logicalPath] = asset.hashedName
            let hashed = ReleasePlan.File(
                name: asset.hashedName, size: asset.hashedSize,
                integrity: asset.digest.integrity, content: .asset(asset, hashedCopy: true), role: .hashed)
            let original = ReleasePlan.File(
                name: asset.asset.logicalPath, size: asset.asset.size, integrity: asset.sourceDigest.integrity,
                content: link ? .symlink(target: asset.asset.filePath) : .asset(asset, hashedCopy: false),
                role: .original)
            if names.insert(hashed.name).inserted { files.append(hashed) }
            if names.insert(original.name).inserted { files.append(original) }
        }

        // The release: the same hashed names as the current one keep its generation.
        let old = current.manifest
        let stamp = GenerationClock.timestamp(now)
        var generation = Generation(
            id: GenerationClock.newID(now, tag: djangoManifestHash(paths)), created: stamp, paths: paths)
        var candidates: [Generation] = []
        if let old {
            let oldGeneration =
                old.generation
                ?? Generation(id: "untracked-" + old.hash, created: stamp, paths: old.paths)
            if oldGeneration.paths == paths && !current.fromCache {
                generation = oldGeneration
                candidates = old.previousGenerations
            } else if !old.paths.isEmpty {
                var retired = oldGeneration
                retired.retired = stamp
                candidates = [retired] + old.previousGenerations.filter { $0.id != oldGeneration.id }
            } else {
                candidates = old.previousGenerations
            }
        }
        let previous = retention.kept(candidates, now: now)

        // Hashed files of the kept releases, from the published tree or the cache folder.
        for kept in previous {
            for name in Set(kept.paths.values).sorted(by: utf8Less) where !names.contains(name) {
                guard let entry = old?.files[name] else { continue }
                let source: String
                if !current.fromCache, FileSystem.status(current.root + "/" + name)?.isRegularFile == true {
                    source = current.root + "/" + name
                } else if let blob = cache?.blob(entry.integrity), FileSystem.exists(blob) {
                    source = blob
                } else {
                    warnings.append("release \(kept.id): \(name) is gone; pages of that release will miss it")
                    continue
                }
                names.insert(name)
                files.append(
                    ReleasePlan.File(
                        name: name, size: entry.size, integrity: entry.integrity,
                        content: .file(path: source, integrity: entry.integrity), role: .kept))
            }
        }

        // What else the published tree holds: carried over unless collectstatic wrote it (or --clear).
        var managed: Set<String> = [manifestName]
        for (name, entry) in old?.files ?? [:] {
            managed.insert(name)
            managed.formUnion(entry.companionNames(of: name))
        }
        let (carried, removed) = try rest(of: current, besides: names, managed: managed)
        files.sort { utf8Less($0.name, $1.name) }
        return ReleasePlan(
            files: files, carried: carried, removed: removed, paths: paths, generation: generation,
            previous: previous, current: current)
    }

    /// `--no-post-process`: the originals only; everything else in STATIC_ROOT is carried over
    /// (with `--clear`, removed), except stale variants of the files this run writes.
    func planOriginals(_ assets: [SourceAsset], current: PublishedState) throws(CollectStaticError) -> ReleasePlan {
        var files: [ReleasePlan.File] = []
        var names: Set<String> = []
        for asset in assets where names.insert(asset.logicalPath).inserted {
            files.append(
                ReleasePlan.File(
                    name: asset.logicalPath, size: asset.size, integrity: "",
                    content: link ? .symlink(target: asset.filePath) : .source(asset), role: .original))
        }
        let (carried, removed) = try rest(of: current, besides: names, managed: [])
        let generation = current.manifest?.generation ?? Generation(id: "", created: "", paths: [:])
        files.sort { utf8Less($0.name, $1.name) }
        return ReleasePlan(
            files: files, carried: carried, removed: removed,
            paths: current.manifest?.paths ?? [:], generation: generation,
            previous: current.manifest?.previousGenerations ?? [], current: current)
    }

    /// What else the published tree holds besides `files` (and the manifest): carried over as it is,
    /// or removed when collectstatic wrote it (`managed`), with `--clear`, for an old temporary file,
    /// or where a folder the new files need must go. Variants of the new files go with their file.
    private func rest(of current: PublishedState, besides files: Set<String>, managed: Set<String>)
        throws(CollectStaticError) -> (carried: [String], removed: [String])
    {
        var carried: [String] = []
        var removed: [String] = []
        let existing =
            current.fromCache ? [] : try FileSystem.listFiles(current.root, skipping: [WorkFolder.inPlaceFolderName])
        let folders = Self.folders(of: files)
        for name in existing.sorted(by: utf8Less) where !files.contains(name) && name != manifestName {
            if let base = Self.variantBase(of: name), files.contains(base) { continue }  // replaced with the file
            if Self.isTemporary(name) || clear || managed.contains(name) || folders.contains(name) {
                removed.append(name)
            } else {
                carried.append(name)
            }
        }
        return (carried, removed)
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
            old.generation?.id == generation.id, old.previousGenerations.map(\.id) == previous.map(\.id),
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
