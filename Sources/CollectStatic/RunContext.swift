import Crypto
import Foundation
import StaticAssets

/// What one run works with from start to end, made once: the settings and switches, who hears of
/// progress, the work folder and its lock, the cache folder, the spool for rewritten files, the
/// clock, and how the release is published. Closing it removes the spool and lets the lock go.
struct RunContext: Sendable {
    let configuration: Configuration
    let options: CollectOptions
    let observer: any CollectionObserver
    let hooks: CollectorHooks
    let work: WorkFolder
    /// nil in a dry run, which changes nothing near STATIC_ROOT.
    let lock: PublishLock?
    let cache: CacheFolder?
    /// The cache folder made for this run only (removed by `close`), when no cache folder is set.
    let temporaryCacheFolder: String?
    let spool: Spool
    /// When the run started: its release is stamped with it.
    let now: Date
    let publishing: any ReleasePublishing

    /// Finds the work folder and takes its lock (not in a dry run), removes what killed runs left
    /// behind and reads what is published (`current`), once.
    /// `temporaryCache`: without a cache folder, the run still needs one (a shared cache fills it):
    /// a folder in the work folder, removed by `close` (or, after a killed run, by the next one).
    /// It is on STATIC_ROOT's file system, so what it holds is hard-linked into the release, and
    /// removing it frees no data (removing a temporary folder elsewhere cost 30 s of a 56 s run,
    /// docs/benchmarks.md).
    static func open(
        configuration: Configuration, options: CollectOptions, observer: any CollectionObserver, hooks: CollectorHooks,
        now: Date, temporaryCache: Bool = false
    ) throws(CollectStaticError) -> (RunContext, current: PublishedState) {
        let work = try WorkFolder.locate(
            staticRoot: configuration.staticRoot, create: !options.dryRun, forceInPlace: hooks.publishInPlace)
        let lock =
            options.dryRun
            ? nil : try PublishLock.acquire(work.lockFile, timeout: configuration.lockTimeout, observer: observer)
        let temporaryCacheFolder =
            configuration.cacheDirectory == nil && temporaryCache && !options.dryRun ? work.temporaryCache : nil
        let cache = (configuration.cacheDirectory ?? temporaryCacheFolder).map(CacheFolder.init)
        let current = PublishedState.read(
            work, manifestName: configuration.manifestName, staticRoot: configuration.staticRoot, cache: cache,
            observer: observer)
        if !options.dryRun {
            do {
                let kept = current.manifest?.previousReleases.map(\.id) ?? []
                try work.removeLeftovers(keepingTreesOf: Set(kept))
            } catch {
                lock?.release()
                throw error
            }
        }
        let context = RunContext(
            configuration: configuration, options: options, observer: observer, hooks: hooks, work: work, lock: lock,
            cache: cache, temporaryCacheFolder: temporaryCacheFolder,
            spool: Self.spool(work, staticRoot: configuration.staticRoot, dryRun: options.dryRun, now: now),
            now: now,
            publishing: work.publishing(manifestName: configuration.manifestName, observer: observer, hooks: hooks))
        return (context, current)
    }

    func close() {
        try? FileSystem.removeTree(spool.root)
        if let temporaryCacheFolder { try? FileSystem.removeTree(temporaryCacheFolder) }
        lock?.release()
    }

    var manifestPath: String { configuration.staticRoot + "/" + configuration.manifestName }

    /// The tree the release is placed into: a staging tree in the work folder (complete or only the
    /// changes, as the publishing needs), or in a dry run one that only says what would change.
    func stage(_ plan: ReleasePlan) throws(CollectStaticError) -> any ReleaseTree {
        options.dryRun ? DryRunTree(published: plan.current) : try staging(plan)
    }

    /// A fresh staging tree in the work folder for `plan`, with the folders its names need.
    func staging(_ plan: ReleasePlan) throws(CollectStaticError) -> TreeBuilder {
        let builder = TreeBuilder(
            root: work.stagingTree(ReleaseClock.newID(Date())), published: plan.current,
            complete: publishing.stagesWholeTree, willWrite: hooks.willWrite)
        // Names are made one at a time (a plan does not hold its hashed names).
        try builder.prepareFolders(for: [AnySequence(plan.files.lazy.map(\.name)), AnySequence(plan.carried)].joined())
        return builder
    }

    /// Publishes a staged release, drops the trees of releases no longer kept, and remembers the
    /// release in the cache folder.
    func publish(_ release: StagedRelease) throws(CollectStaticError) {
        try publishing.publish(release)
        try work.removeLeftovers(keepingTreesOf: Set(release.plan.previous.map(\.id)))
        if let cache, let manifest = release.manifest {
            try? ManifestWriter.write(manifest, to: cache.release(configuration.staticRoot))
        }
    }

    /// Whether the cache folder (if any) already holds this release: otherwise even an unchanged
    /// run goes through, so that the cache learns the release and its variants.
    func cacheRemembers(_ state: PublishedState) -> Bool {
        guard let cache, let manifest = state.manifest else { return true }
        return ManifestWriter.isWritten(manifest, at: cache.release(configuration.staticRoot))
    }

    /// The run's spool for rewritten files: in the work folder (same file system as the staging
    /// tree, so its files are linked into it), or for a dry run, which writes nothing near
    /// STATIC_ROOT, in the temporary folder (named for STATIC_ROOT: `dryRunSpoolPrefix`).
    private static func spool(_ work: WorkFolder, staticRoot: String, dryRun: Bool, now: Date) -> Spool {
        let id = ReleaseClock.newID(now) + "-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        if dryRun {
            return Spool(root: FileManager.default.temporaryDirectory.path + "/" + dryRunSpoolPrefix(staticRoot) + id)
        }
        return Spool(root: work.spool(id))
    }

    static func dryRunSpoolPrefix(_ staticRoot: String) -> String {
        "collectstatic-spool-" + String(SHA256.hash(data: Array(staticRoot.utf8)).hexString.prefix(8)) + "-"
    }
}
