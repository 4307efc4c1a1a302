import Foundation
import StaticAssets

/// What can still be known of STATIC_ROOT's releases when its manifest cannot be read (truncated,
/// garbled, unreadable): never nothing in silence. Rebuilt from what is still there, each piece
/// proven:
///
/// - the kept trees in the work folder (`old-<id>/`, whole earlier releases with their own
///   manifests): those releases and the ones they kept, with their `paths`;
/// - the hashed files in STATIC_ROOT itself (names Django's rule makes, `root.<12 hex>.ext`; where
///   a name could be read two ways, the one whose hash is the MD5 of the bytes wins, though
///   stylesheets of a cycle, hashed as one unit, match neither): the release the lost manifest
///   described (for each logical name, its newest hashed file no kept release claims, or, when the
///   original is still there, the kept releases' one) and, when several unclaimed hashed files share
///   a logical name, further recovered releases holding the older ones.
///
/// Every file the recovered manifest lists is hashed from disk (size and SHA-384), so it vouches only
/// for bytes that are there; variants are not listed (they are made again or found in the cache).
struct ManifestRecovery {
    let root: String
    let manifestName: String
    let work: WorkFolder
    let now: Date

    struct Outcome {
        var manifest: Manifest?
        /// One line: what was recovered, and what was lost.
        var summary: String
    }

    func recover() -> Outcome {
        let stamp = ReleaseClock.timestamp(now)
        // Releases whose whole tree the work folder keeps, newest first.
        let trees = work.retiredTrees().sorted(by: >).compactMap { id -> Manifest? in
            let manifest = try? Manifest(contentsOf: URL(fileURLWithPath: work.retiredTree(id) + "/" + manifestName))
            return manifest?.release?.id == id ? manifest : nil
        }
        var known: [ReleaseRecord] = []
        for tree in trees {
            guard var release = tree.release else { continue }
            release.paths = tree.paths
            // When it was replaced is not known: counted from now, so the age rule keeps it.
            if release.retired == nil { release.retired = stamp }
            for candidate in [release] + tree.previousReleases
            where !known.contains(where: { $0.id == candidate.id }) {
                known.append(candidate)
            }
        }
        let claimed = Set(known.flatMap(\.paths.values))

        // Hashed files on disk, by logical name.
        var unclaimed: [String: [(name: String, modified: Double)]] = [:]
        var hashed: Set<String> = []
        var entries: [String: ManifestEntry] = [:]
        let names = (try? FileSystem.listFiles(root, skipping: [WorkFolder.inPlaceFolderName])) ?? []
        let present = Set(names)
        for name in names where name != manifestName && ReleasePlanner.variantBase(of: name) == nil {
            let candidates = HashedName.candidates(name)
            guard !candidates.isEmpty, FileSystem.status(root + "/" + name, followLinks: false)?.isRegularFile == true,
                let digest = try? ContentDigest(ofFile: root + "/" + name)
            else { continue }
            // Django's hash is the MD5 of the final bytes, except in a cycle of stylesheets (hashed
            // as one unit): a name whose hash is not its bytes' is still taken as hashed.
            let logical = (candidates.first { $0.hash == digest.fingerprint } ?? candidates[0]).logicalPath
            hashed.insert(name)
            entries[name] = ManifestEntry(
                size: FileSystem.status(root + "/" + name)?.size ?? 0, integrity: digest.integrity)
            if !claimed.contains(name) {
                let modified =
                    (try? FileManager.default.attributesOfItem(atPath: root + "/" + name)[.modificationDate] as? Date)?
                    .timeIntervalSince1970 ?? 0
                unclaimed[logical, default: []].append((name, modified))
            }
        }
        // The lost release, then older unclaimed hashed files as further recovered releases.
        var recovered: [[String: String]] = []
        for (logical, files) in unclaimed {
            let newestFirst = files.sorted {
                $0.modified != $1.modified ? $0.modified > $1.modified : utf8Less($1.name, $0.name)
            }
            for (index, file) in newestFirst.enumerated() {
                if recovered.count <= index { recovered.append([:]) }
                recovered[index][logical] = file.name
            }
        }
        var current = recovered.first ?? [:]
        for release in known {
            for (logical, name) in release.paths
            where current[logical] == nil && present.contains(logical) && hashed.contains(name) {
                current[logical] = name
            }
        }
        // Originals of the lost release: listed with their bytes, so a later run manages them.
        for logical in current.keys where present.contains(logical) && entries[logical] == nil {
            if FileSystem.status(root + "/" + logical, followLinks: false)?.isRegularFile == true,
                let digest = try? ContentDigest(ofFile: root + "/" + logical)
            {
                entries[logical] = ManifestEntry(
                    size: FileSystem.status(root + "/" + logical)?.size ?? 0, integrity: digest.integrity)
            }
        }
        let base = String(ReleaseClock.newID(now, tag: "").dropLast()) + "-recovered"
        var previous = known
        for (index, paths) in recovered.enumerated().dropFirst() {
            previous.append(ReleaseRecord(id: base + "\(index + 1)", created: stamp, retired: stamp, paths: paths))
        }
        // Only files on disk are listed: a kept release's name that is gone stays out of `files`
        // (the next run says so, release by release).
        var files: [String: ManifestEntry] = [:]
        for name in Set(current.values).union(previous.flatMap(\.paths.values)).union(current.keys) {
            if let entry = entries[name] { files[name] = entry }
        }
        if current.isEmpty && previous.isEmpty {
            return Outcome(
                manifest: nil,
                summary:
                    "nothing could be recovered (no kept release tree in \(work.path), no hashed file in STATIC_ROOT)"
                    + ": the release history is lost, and pages of earlier releases may miss their files")
        }
        let release = current.isEmpty ? nil : ReleaseRecord(id: base, created: stamp, paths: current)
        let manifest = Manifest(
            paths: current, hash: djangoManifestHash(current), files: files, release: release,
            previousReleases: previous)
        var parts: [String] = []
        if !current.isEmpty {
            parts.append("the release it described as \(base) (\(current.count) hashed files found in STATIC_ROOT)")
        }
        if !known.isEmpty {
            parts.append(
                "\(known.count) earlier release(s) from the kept trees in \(work.path) (\(known.map(\.id).joined(separator: ", ")))"
            )
        }
        if recovered.count > 1 {
            parts.append("\(recovered.count - 1) more release(s) of older hashed files found in STATIC_ROOT")
        }
        return Outcome(
            manifest: manifest,
            summary: "recovered " + parts.joined(separator: ", ")
                + "; lost: its variant records (variants are made again) and the times its releases were replaced")
    }
}
