import Foundation
import StaticAssets

/// `collectstatic clean` and `collectstatic rollback`: the kept releases of STATIC_ROOT, changed
/// with the same lock and the same atomic switch as a collect.
public struct ReleaseHistory: Sendable {
    /// Where STATIC_ROOT is, and the retention rule.
    public var configuration: Configuration
    /// Receives warnings and the names deleted.
    public var observer: any CollectionObserver
    /// The clock (a test seam for `--keep-age`).
    var now: @Sendable () -> Date = { Date() }

    /// The history of `configuration.staticRoot`'s releases.
    public init(configuration: Configuration, observer: any CollectionObserver = SilentObserver()) {
        self.configuration = configuration
        self.observer = observer
    }

    /// Drops the hashed files of releases the retention rule no longer keeps. Returns the names
    /// deleted.
    public func clean() throws(CollectStaticError) -> [String] {
        let (run, state) = try open()
        defer { run.close() }
        guard var manifest = state.manifest, !state.fromCache else {
            throw .releases(
                "\(configuration.staticRoot) holds no manifest written by collectstatic; nothing to clean")
        }
        let kept = configuration.retention.kept(manifest.previousReleases, now: now())
        var keep = Set(manifest.paths.keys).union(manifest.paths.values)
        for release in kept { keep.formUnion(release.paths.values) }
        let dropped = manifest.files.keys.filter { !keep.contains($0) }.sorted(by: utf8Less)
        guard !dropped.isEmpty || kept.count != manifest.previousReleases.count else {
            try run.work.removeLeftovers(keepingTreesOf: Set(kept.map(\.id)))
            return []
        }
        var removed: [String] = []
        for name in dropped {
            removed.append(name)
            removed += manifest.files[name]?.companionNames(of: name) ?? []
            manifest.files[name] = nil
        }
        manifest.previousReleases = kept
        let all = try FileSystem.listFiles(run.work.staticRoot, skipping: [WorkFolder.inPlaceFolderName])
        let gone = Set(removed + [configuration.manifestName])
        let plan = ReleasePlan(
            files: [], carried: all.filter { !gone.contains($0) }, removed: removed, paths: .dictionary(manifest.paths),
            release: manifest.release ?? ReleaseRecord(id: "", created: "", paths: manifest.paths), previous: kept,
            current: state)
        let staging = try run.staging(plan)
        for name in plan.carried { try staging.carry(name) }
        try run.publish(StagedRelease(plan: plan, manifest: manifest, tree: staging))
        for name in removed { observer.handle(.deleted(name)) }
        return removed
    }

    /// Makes the previous release current again in one atomic step; the release it replaces is
    /// kept as the newest previous one. Returns the release now current.
    public func rollback() throws(CollectStaticError) -> ReleaseRecord {
        let (run, state) = try open()
        defer { run.close() }
        guard run.work.mode == .atomicSwitch else {
            throw .releases("rollback needs STATIC_ROOT's parent folder to be writable (the tree is switched whole)")
        }
        guard let current = state.manifest, !state.fromCache, let currentRelease = current.release else {
            throw .releases("\(configuration.staticRoot) holds no release written by collectstatic")
        }
        guard let target = current.previousReleases.first else {
            throw .releases("no previous release is kept in \(configuration.staticRoot); nothing to roll back to")
        }
        let tree = run.work.retiredTree(target.id)
        let oldManifestPath = tree + "/" + configuration.manifestName
        guard let old = try? Manifest(contentsOf: URL(fileURLWithPath: oldManifestPath)),
            old.release?.id == target.id
        else {
            throw .releases(
                "the tree of release \(target.id) is no longer kept (\(tree)); collect that release again instead")
        }
        var retired = currentRelease
        retired.retired = ReleaseClock.timestamp(now())
        var manifest = old
        manifest.previousReleases = [retired] + old.previousReleases.filter { $0.id != retired.id }
        var fromCurrent: [String] = []
        for name in Set(currentRelease.paths.values).sorted(by: utf8Less) where manifest.files[name] == nil {
            guard let entry = current.files[name] else { continue }
            manifest.files[name] = entry
            fromCurrent.append(name)
            fromCurrent += entry.companionNames(of: name)
        }
        let fromOld = try FileSystem.listFiles(tree).filter { $0 != configuration.manifestName }
        let plan = ReleasePlan(
            files: [], carried: fromOld + fromCurrent, removed: [], paths: .dictionary(manifest.paths),
            release: manifest.release ?? target, previous: manifest.previousReleases, current: state)
        let staging = try run.staging(plan)
        for name in fromOld { try staging.carry(name, from: tree) }
        for name in fromCurrent { try staging.carry(name) }
        try run.publish(StagedRelease(plan: plan, manifest: manifest, tree: staging))
        return manifest.release ?? target
    }

    /// The run's context (work folder, lock) and the published state, read once: a manifest that
    /// has to be recovered is recovered, and said so, once.
    private func open() throws(CollectStaticError) -> (RunContext, PublishedState) {
        let (run, state) = try RunContext.open(
            configuration: configuration, options: CollectOptions(), observer: observer, hooks: CollectorHooks(),
            now: now())
        return (run, state)
    }
}
