import Foundation
import StaticAssets

/// Per-run switches with Django's meaning (they are not settings: they say what this run does).
public struct CollectOptions: Sendable, Equatable {
    /// Do everything except modify the file system (Django's `--dry-run`).
    public var dryRun = false
    /// Leave out of the new tree everything this run does not produce (and no kept release needs).
    public var clear = false
    /// Allow `clear` on a folder that holds no manifest.
    public var force = false
    /// Symlink the originals instead of copying them.
    public var link = false
    /// Fingerprint, rewrite, compress and write the manifest; false copies the originals only.
    public var postProcess = true

    /// Options with Django's defaults: post-process, no clearing, no links, a real run.
    public init(
        dryRun: Bool = false, clear: Bool = false, force: Bool = false, link: Bool = false, postProcess: Bool = true
    ) {
        self.dryRun = dryRun
        self.clear = clear
        self.force = force
        self.link = link
        self.postProcess = postProcess
    }
}

/// Test seams: called between the stages of a run.
struct CollectorHooks: Sendable {
    /// Called after the whole next tree is staged and before it is published.
    var beforeManifest: @Sendable () throws(CollectStaticError) -> Void = {}
    /// Called before each file is written into the next tree, with its path.
    var willWrite: @Sendable (String) throws(CollectStaticError) -> Void = { _ in }
    /// Called before each step that changes the published tree (a move, a manifest, a deletion, the
    /// switch), with the name it touches: a test stops a run there to check every instant.
    var willPublish: @Sendable (String) throws(CollectStaticError) -> Void = { _ in }
    /// Publish in place even where the tree could be switched whole (to test that mode).
    var publishInPlace = false
    init() {}
}

/// Runs the pipeline: lock → find → plan references → fingerprint → plan the release → stage the
/// new tree → compress → publish (one atomic switch) → retire the old tree. The published tree is
/// never written into: a failed, killed or concurrent run leaves it exactly as it was.
public struct Collector: Sendable {
    /// The settings of the run.
    public var configuration: Configuration
    /// What this run does (Django's flags).
    public var options: CollectOptions
    /// Receives progress, warnings and every file's fate; called from several tasks at once.
    public var observer: any CollectionObserver
    var hooks = CollectorHooks()
    /// Where the release goes besides STATIC_ROOT, in order, once STATIC_ROOT has it.
    public var destinations: [any ReleaseDestination] = []
    /// A compression cache shared with other machines, in front of the cache folder
    /// (`configuration.cacheDirectory`, which it needs): what this release needs is fetched before
    /// compressing, what this run compressed is sent after.
    public var sharedCache: (any SharedCache)?
    /// The clock releases are stamped with (a test seam for `--keep-age`).
    var now: @Sendable () -> Date = { Date() }

    /// A collector for `configuration`; `observer` hears of progress and every file.
    public init(
        configuration: Configuration, options: CollectOptions = CollectOptions(),
        observer: any CollectionObserver = SilentObserver()
    ) {
        self.configuration = configuration
        self.options = options
        self.observer = observer
    }

    var manifestPath: String { configuration.staticRoot + "/" + configuration.manifestName }

    /// True if STATIC_ROOT exists and holds anything (Django asks before overwriting it).
    public var destinationHasFiles: Bool {
        ((try? FileSystem.listDirectory(configuration.staticRoot)) ?? []).contains {
            $0 != WorkFolder.inPlaceFolderName
        }
    }

    /// The pipeline: each stage takes the values the one before it made.
    public func run() async throws(CollectStaticError) -> CollectionReport {
        if options.clear && !options.dryRun { try checkClearAllowed() }
        let (run, current) = try RunContext.open(
            configuration: configuration, options: options, observer: observer, hooks: hooks, now: now(),
            temporaryCache: sharedCache != nil)
        defer { run.close() }
        warnIfInPlace(run)
        var report = CollectionReport(
            destination: configuration.staticRoot, linked: options.link, dryRun: options.dryRun)
        let found = try find(into: &report)
        let fingerprinted = try await fingerprint((consume found).assets, run, into: &report)
        let plan = try planRelease(consume fingerprinted, current: consume current, run, into: &report)
        observer.handle(.memoryLetGo)
        if isUnchanged(plan, run) {
            report = unchanged(plan, report)
            // The plan (and the manifest it was made against) is let go before the destinations.
            _ = consume plan
            try await send(run, changed: false, report: &report)
            return report
        }
        // The plan (and the manifest it was made against) is let go before the destinations.
        try await stageAndPublish(consume plan, run, report: &report)
        try await send(run, changed: true, report: &report)
        return report
    }

    /// Stages, compresses and publishes a changed release.
    private func stageAndPublish(_ plan: ReleasePlan, _ run: RunContext, report: inout CollectionReport)
        async throws(CollectStaticError)
    {
        let tree = try run.stage(plan)
        do {
            var stopwatch = Stopwatch()
            let placed = try await Placement(jobs: configuration.jobs, cache: run.cache, observer: observer)
                .place(plan, into: tree)
            report.count(placed)
            report.finish("stage", stopwatch.lap())
            let variants = try await compress(plan, into: tree, run, report: &report)
            report.finish("compress", stopwatch.lap())
            let deltas = try await delta(plan, variants, into: tree, run, report: &report)
            report.finish("deltas", stopwatch.lap())
            for name in plan.removed { observer.handle(.deleted(name)) }
            report.deleted += plan.removed.count
            try publish(plan, variants, deltas, tree, run, report: &report)
            report.finish("publish", stopwatch.lap())
        } catch {
            tree.discard()
            throw error
        }
    }

    /// Gives the release STATIC_ROOT now holds to each destination beyond it (not in a dry run, not
    /// without a manifest).
    private func send(_ run: RunContext, changed: Bool, report: inout CollectionReport)
        async throws(CollectStaticError)
    {
        guard !options.dryRun, options.postProcess, !destinations.isEmpty else { return }
        // What the local run held (its plan, the manifest it was made against) is let go by now.
        observer.handle(.memoryLetGo)
        var clock = Stopwatch()
        let release = PublishedRelease(
            root: run.work.staticRoot, manifestName: configuration.manifestName, changed: changed)
        for destination in destinations { report.destinations.append(try await destination.publish(release)) }
        report.finish("destinations", clock.lap())
    }

    private func warnIfInPlace(_ run: RunContext) {
        if case .inPlace(let reason) = run.work.mode, !options.dryRun, !hooks.publishInPlace {
            observer.handle(
                .warning(
                    "publishing in place (\(reason)): files are replaced one by one, in an order that keeps the manifest true"
                ))
        }
    }

    private func find(into report: inout CollectionReport) throws(CollectStaticError) -> FoundAssets {
        var clock = Stopwatch()
        for warning in configuration.warnings { observer.handle(.warning(warning)) }
        report.warnings += configuration.warnings
        let found = try Finder(roots: configuration.sourceRoots, ignorePatterns: configuration.ignorePatterns).find(
            observer: observer)
        observer.handle(.found(count: found.assets.count))
        for asset in found.shadowed { observer.handle(.shadowed(asset)) }
        report.skipped = found.shadowed.count
        report.finish("find", clock.lap())
        return found
    }

    /// Plans the references and fingerprints the assets; with `--no-post-process` the originals go
    /// on as they were found.
    private func fingerprint(_ assets: [SourceAsset], _ run: RunContext, into report: inout CollectionReport)
        async throws(CollectStaticError) -> Fingerprinted
    {
        guard options.postProcess else { return .originals(assets) }
        var clock = Stopwatch()
        defer { report.finish("fingerprint", clock.lap()) }
        let graph = try await ReferenceGraph.make(
            assets: assets, configuration: configuration, jobs: configuration.jobs)
        for warning in graph.warnings.lines { observer.handle(.warning(warning)) }
        report.warnings += graph.warnings.lines
        return .assets(
            try await Fingerprinter.run(consume graph, spool: run.spool, jobs: configuration.jobs, observer: observer))
    }

    /// Decides the next release: what is written, kept, carried and removed.
    private func planRelease(
        _ fingerprinted: Fingerprinted, current: PublishedState, _ run: RunContext, into report: inout CollectionReport
    ) throws(CollectStaticError) -> ReleasePlan {
        var clock = Stopwatch()
        defer { report.finish("plan", clock.lap()) }
        let planner = ReleasePlanner(
            manifestName: configuration.manifestName, retention: configuration.retention, clear: options.clear,
            link: options.link, cache: run.cache, now: run.now)
        var warnings: [String] = []
        let plan: ReleasePlan
        switch fingerprinted {
        case .assets(let assets): plan = try planner.plan(assets, current: current, warnings: &warnings)
        case .originals(let originals): plan = try planner.planOriginals(originals, current: current)
        }
        for warning in warnings { observer.handle(.warning(warning)) }
        report.warnings += warnings
        return plan
    }

    private func isUnchanged(_ plan: ReleasePlan, _ run: RunContext) -> Bool {
        options.postProcess && plan.isUnchanged(compression: configuration.compression?.settingsFingerprint)
            && run.cacheRemembers(plan.current)
    }

    /// Nothing changed: nothing is staged, compressed or switched.
    private func unchanged(_ plan: ReleasePlan, _ report: CollectionReport) -> CollectionReport {
        var report = report
        report.unmodified = plan.files.count { $0.role == .original }
        for file in plan.files where file.role == .original { observer.handle(.unmodified(file.name)) }
        report.manifest = manifestPath
        return report
    }

    /// Makes the variants of every file (a dry run counts what it would compress).
    private func compress(
        _ plan: ReleasePlan, into tree: any ReleaseTree, _ run: RunContext, report: inout CollectionReport
    ) async throws(CollectStaticError) -> CompressionScheduler.Outcome {
        guard options.postProcess else { return .init() }
        let policy = configuration.compression
        let cache = VariantCache(
            published: plan.current, settings: policy?.settingsFingerprint ?? "", folder: run.cache)
        let scheduler = CompressionScheduler(
            policy: policy, tree: tree, cache: cache, jobs: configuration.jobs, observer: observer)
        let shared = tree.writesFiles ? sharedCache : nil
        if let shared {
            let fetch = try await cache.fetchMissing(scheduler.keys(plan.files), from: shared)
            report.sharedCacheFetched = fetch.records
            report.sharedCacheFetch = fetch
            observer.handle(.fetchedFromSharedCache(fetch))
        }
        let outcome = try await scheduler.run(plan.files)
        if let shared { report.sharedCacheStored = try await cache.sendWritten(to: shared) }
        report.variantsWritten = outcome.written
        report.variantsReused = outcome.reused
        report.contentsToCompress = outcome.contentsToCompress
        return outcome
    }

    /// Makes the dictionary deltas against the kept releases' files (not in a dry run).
    private func delta(
        _ plan: ReleasePlan, _ variants: CompressionScheduler.Outcome, into tree: any ReleaseTree, _ run: RunContext,
        report: inout CollectionReport
    ) async throws(CollectStaticError) -> DeltaScheduler.Outcome {
        guard options.postProcess, tree.writesFiles, let policy = configuration.compression else { return .init() }
        let deltas = try await DeltaScheduler(policy: policy, tree: tree, jobs: configuration.jobs, cache: run.cache)
            .run(plan, variants: variants)
        report.deltasWritten = deltas.written
        report.deltasReused = deltas.reused
        return deltas
    }

    /// Writes the manifest and publishes the staged release (a dry run publishes nothing).
    private func publish(
        _ plan: ReleasePlan, _ variants: CompressionScheduler.Outcome, _ deltas: DeltaScheduler.Outcome,
        _ tree: any ReleaseTree, _ run: RunContext, report: inout CollectionReport
    ) throws(CollectStaticError) {
        let manifest: (any ManifestContent)? =
            options.postProcess
            ? ReleaseManifest(
                plan, compressed: variants, deltas: deltas, compression: configuration.compression?.settingsFingerprint)
            : carriedManifest(plan)
        if try tree.publish(plan, manifest: manifest, with: run), manifest != nil { report.manifest = manifestPath }
    }

    /// `--no-post-process` writes no manifest; one already there is kept, minus the files it would
    /// no longer vouch for.
    private func carriedManifest(_ plan: ReleasePlan) -> Manifest? {
        guard var manifest = plan.current.fromCache ? nil : plan.current.manifest else { return nil }
        for file in plan.files { manifest.files[file.name] = nil }
        return manifest
    }

    /// `--clear` deletes only a folder that is empty, holds a manifest we can read, or `--force`.
    private func checkClearAllowed() throws(CollectStaticError) {
        guard !options.force, destinationHasFiles else { return }
        if (try? Manifest(contentsOf: URL(fileURLWithPath: manifestPath))) == nil {
            throw .clearRefused(path: configuration.staticRoot)
        }
    }
}
