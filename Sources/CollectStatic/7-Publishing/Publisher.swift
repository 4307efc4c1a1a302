import Crypto
import Foundation
import StaticAssets

/// Publishes a staged tree: switches it in whole (atomic mode) or moves its files into place in a
/// safe order (in-place mode); then retires the old tree (kept for `rollback` while its release is
/// kept) and remembers the release in the cache folder.
struct Publisher: Sendable {
    let configuration: Configuration
    let work: WorkFolder
    let observer: any CollectionObserver
    let hooks: CollectorHooks

    /// The folder published (STATIC_ROOT, or the folder it points to when it is a symlink).
    var root: String { work.staticRoot }
    var manifestPath: String { root + "/" + configuration.manifestName }
    var cache: CacheFolder? { configuration.cacheDirectory.map(CacheFolder.init) }

    /// What is published now: STATIC_ROOT's manifest, or (a fresh STATIC_ROOT) the last release the
    /// cache folder remembers for it. A manifest that cannot be read is never taken for none: what
    /// the work folder and STATIC_ROOT still prove is recovered (`ManifestRecovery`), and the run says
    /// on stderr what was recovered and what was lost.
    func published() -> PublishedState {
        let problem: ManifestError
        do {
            let manifest = try Manifest(contentsOf: URL(fileURLWithPath: manifestPath))
            return PublishedState(root: root, manifest: manifest, fromCache: false)
        } catch {
            problem = error
        }
        if FileSystem.status(manifestPath, followLinks: false) != nil {
            let recovery = ManifestRecovery(
                root: root, manifestName: configuration.manifestName, work: work, now: Date()
            ).recover()
            observer.handle(.warning("\(problem); \(recovery.summary)"))
            return PublishedState(root: root, manifest: recovery.manifest, fromCache: false)
        }
        if let cache,
            let manifest = try? Manifest(contentsOf: URL(fileURLWithPath: cache.release(configuration.staticRoot)))
        {
            return PublishedState(root: root, manifest: manifest, fromCache: true)
        }
        return PublishedState(root: root, manifest: nil, fromCache: false)
    }

    /// Whether the cache folder (if any) already holds this release: otherwise even an unchanged
    /// run goes through, so that the cache learns the release and its variants.
    func cacheRemembers(_ state: PublishedState) -> Bool {
        guard let cache, let manifest = state.manifest else { return true }
        return ManifestWriter.isWritten(manifest, at: cache.release(configuration.staticRoot))
    }

    /// Removes what killed runs left behind (with the lock held); `current` is what `published()`
    /// says now, when the caller has already read it.
    func removeLeftovers(_ current: PublishedState? = nil) throws(CollectStaticError) {
        let kept = (current ?? published()).manifest?.previousGenerations.map(\.id) ?? []
        try work.removeLeftovers(keepingTreesOf: Set(kept))
    }

    /// The run's spool for rewritten files: in the work folder (same file system as the staging
    /// tree, so its files are linked into it), or for a dry run, which writes nothing near
    /// STATIC_ROOT, in the temporary folder (named for STATIC_ROOT: `dryRunSpoolPrefix`).
    func spool(dryRun: Bool) -> Spool {
        let id = GenerationClock.newID(Date()) + "-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        if dryRun {
            return Spool(
                root: FileManager.default.temporaryDirectory.path + "/"
                    + Self.dryRunSpoolPrefix(configuration.staticRoot) + id)
        }
        return Spool(root: work.spool(id))
    }

    static func dryRunSpoolPrefix(_ staticRoot: String) -> String {
        "collectstatic-spool-" + String(SHA256.hash(data: Array(staticRoot.utf8)).hexString.prefix(8)) + "-"
    }

    /// A fresh staging tree for `plan`: complete in atomic mode, changes only in place.
    func stage(_ plan: ReleasePlan) throws(CollectStaticError) -> TreeBuilder {
        let path = work.stagingTree(GenerationClock.newID(Date()))
        let builder = TreeBuilder(
            root: path, published: plan.current, complete: work.mode == .atomicSwitch, willWrite: hooks.willWrite)
        // Names are made one at a time (a plan does not hold its hashed names).
        try builder.prepareFolders(for: [AnySequence(plan.files.lazy.map(\.name)), AnySequence(plan.carried)].joined())
        return builder
    }

    func publish(_ plan: ReleasePlan, manifest: (any ManifestContent)?, staging: TreeBuilder)
        throws(CollectStaticError)
    {
        switch work.mode {
        case .atomicSwitch:
            if let manifest {
                try ManifestWriter.writeNew(manifest, to: staging.root + "/" + configuration.manifestName)
            }
            try hooks.willPublish(root)
            switch try TreeSwitch.exchange(staging.root, with: root) {
            case .exchanged:
                let oldID = plan.current.manifest?.generation?.id
                if let oldID, oldID != plan.generation.id, plan.previous.contains(where: { $0.id == oldID }) {
                    try FileSystem.removeTree(work.retiredTree(oldID))
                    try FileSystem.move(staging.root, to: work.retiredTree(oldID))
                } else {
                    try FileSystem.removeTree(staging.root)
                }
            case .moved:
                break
            case .unsupported(let reason):
                observer.handle(.warning("publishing in place: \(reason)"))
                try FileSystem.removeTree(staging.root + "/" + configuration.manifestName)
                try InPlacePublisher(
                    staging: staging.root, root: root, manifestName: configuration.manifestName,
                    willPublish: hooks.willPublish
                )
                .publish(
                    manifest?.materialized(), replacing: plan.current.fromCache ? nil : plan.current.manifest,
                    removing: plan.removed)
            }
        case .inPlace:
            try InPlacePublisher(
                staging: staging.root, root: root, manifestName: configuration.manifestName,
                willPublish: hooks.willPublish
            )
            .publish(
                manifest?.materialized(), replacing: plan.current.fromCache ? nil : plan.current.manifest,
                removing: plan.removed)
        }
        try work.removeLeftovers(keepingTreesOf: Set(plan.previous.map(\.id)))
        if let cache, let manifest {
            try? ManifestWriter.write(manifest, to: cache.release(configuration.staticRoot))
        }
    }
}
