import Foundation
import StaticAssets
import Synchronization

/// Per-run switches with Django's meaning (they are not settings: they say what this run does).
public struct CollectOptions: Sendable, Equatable {
    public var dryRun = false
    /// Leave out of the new tree everything this run does not produce (and no kept release needs).
    public var clear = false
    /// Allow `clear` on a folder that holds no manifest.
    public var force = false
    /// Symlink the originals instead of copying them.
    public var link = false
    /// Fingerprint, rewrite, compress and write the manifest; false copies the originals only.
    public var postProcess = true

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
public struct CollectorHooks: Sendable {
    /// Called after the whole next tree is staged and before it is published.
    public var beforeManifest: @Sendable () throws(CollectStaticError) -> Void = {}
    /// Called before each file is written into the next tree, with its path.
    public var willWrite: @Sendable (String) throws(CollectStaticError) -> Void = { _ in }
    /// Called before each step that changes the published tree (a move, a manifest, a deletion, the
    /// switch), with the name it touches: a test stops a run there to check every instant.
    public var willPublish: @Sendable (String) throws(CollectStaticError) -> Void = { _ in }
    /// Publish in place even where the tree could be switched whole (to test that mode).
    public var publishInPlace = false
    public init() {}
}

/// Runs the pipeline: lock → find → plan references → fingerprint → plan the release → stage the
/// new tree → compress → publish (one atomic switch) → retire the old tree. The published tree is
/// never written into: a failed, killed or concurrent run leaves it exactly as it was.
public struct Collector: Sendable {
    public var configuration: Configuration
    public var options: CollectOptions
    public var observer: any CollectionObserver
    public var hooks = CollectorHooks()
    /// The clock generations are stamped with (a test seam for `--keep-age`).
    public var now: @Sendable () -> Date = { Date() }

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

    public func run() async throws(CollectStaticError) -> CollectionReport {
        let session = try openSession()
        let current = session.current
        defer { session.lock?.release() }
        var report = CollectionReport(
            destination: configuration.staticRoot, linked: options.link, dryRun: options.dryRun)
        var found = try find(into: &report)
        let spool = session.publisher.spool(dryRun: options.dryRun)
        defer { try? FileSystem.removeTree(spool.root) }
        let assets = try await fingerprint(found.assets, spool: spool, into: &report)
        if options.postProcess { found.assets = [] }  // the fingerprinted assets hold what is needed
        let plan = try planRelease(assets, found: found.assets, current: current, into: &report)
        observer.handle(.memoryLetGo)
        if isUnchanged(plan, session.publisher) { return unchanged(plan, report) }
        return try await publish(plan, with: session.publisher, report: report)
    }

    /// The work folder, the lock (not in a dry run), what killed runs left behind, and the published
    /// state (its manifest read once: a large tree's manifest is not parsed twice).
    private func openSession() throws(CollectStaticError) -> (
        publisher: Publisher, lock: PublishLock?, current: PublishedState
    ) {
        if options.clear && !options.dryRun { try checkClearAllowed() }
        let work = try WorkFolder.locate(
            staticRoot: configuration.staticRoot, create: !options.dryRun, forceInPlace: hooks.publishInPlace)
        let lock =
            options.dryRun
            ? nil : try PublishLock.acquire(work.lockFile, timeout: configuration.lockTimeout, observer: observer)
        let publisher = Publisher(configuration: configuration, work: work, observer: observer, hooks: hooks)
        let current = publisher.published()
        do {
            if !options.dryRun { try publisher.removeLeftovers(current) }
        } catch {
            lock?.release()
            throw error
        }
        if case .inPlace(let reason) = work.mode, !options.dryRun, !hooks.publishInPlace {
            observer.handle(
                .warning(
                    "publishing in place (\(reason)): files are replaced one by one, in an order that keeps the manifest true"
                ))
        }
        return (publisher, lock, current)
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

    private func isUnchanged(_ plan: ReleasePlan, _ publisher: Publisher) -> Bool {
        options.postProcess && plan.isUnchanged(compression: configuration.compression?.settingsFingerprint)
            && publisher.cacheRemembers(plan.current)
    }

    /// Nothing changed: nothing is staged, compressed or switched.
    private func unchanged(_ plan: ReleasePlan, _ report: CollectionReport) -> CollectionReport {
        var report = report
        report.unmodified = plan.files.count { $0.role == .original }
        for file in plan.files where file.role == .original { observer.handle(.unmodified(file.name)) }
        report.manifest = manifestPath
        return report
    }

    /// Stages the new tree, compresses, and publishes it; a failure leaves the published tree as it
    /// was and no partial tree behind.
    private func publish(_ plan: ReleasePlan, with publisher: Publisher, report: CollectionReport)
        async throws(CollectStaticError) -> CollectionReport
    {
        let staging = options.dryRun ? nil : try publisher.stage(plan)
        do {
            return try await build(plan, staging: staging, publisher: publisher, report: report, stopwatch: Stopwatch())
        } catch {
            if let staging { try? FileSystem.removeTree(staging.root) }
            throw error
        }
    }

    private func build(
        _ plan: ReleasePlan, staging: TreeBuilder?, publisher: Publisher, report: CollectionReport,
        stopwatch: Stopwatch
    ) async throws(CollectStaticError) -> CollectionReport {
        var report = report
        var stopwatch = stopwatch
        try await place(plan, into: staging, report: &report)
        report.finish("stage", stopwatch.lap())
        let compressed = options.postProcess ? try await compress(plan, into: staging) : .init()
        report.finish("compress", stopwatch.lap())
        report.variantsWritten = compressed.written
        report.variantsReused = compressed.reused
        report.contentsToCompress = compressed.contentsToCompress
        var deltas = DeltaScheduler.Outcome()
        if options.postProcess, let policy = configuration.compression, let staging {
            deltas = try await DeltaScheduler(
                policy: policy, builder: staging, jobs: configuration.jobs,
                cache: configuration.cacheDirectory.map(CacheFolder.init)
            ).run(plan, variants: compressed)
            report.finish("deltas", stopwatch.lap())
            report.deltasWritten = deltas.written
            report.deltasReused = deltas.reused
        }
        for name in plan.removed {
            observer.handle(.deleted(name))
            report.deleted += 1
        }
        guard let staging else { return report }
        let manifest: (any ManifestContent)? =
            options.postProcess
            ? ReleaseManifest(
                plan, compressed: compressed, deltas: deltas,
                compression: configuration.compression?.settingsFingerprint)
            : carriedManifest(plan)
        try hooks.beforeManifest()
        try publisher.publish(plan, manifest: manifest, staging: staging)
        report.finish("publish", stopwatch.lap())
        if manifest != nil { report.manifest = manifestPath }
        return report
    }

    /// Fingerprints the assets (or, with `--no-post-process`, nothing).
    private func fingerprint(_ assets: [SourceAsset], spool: Spool, into report: inout CollectionReport)
        async throws(CollectStaticError) -> FingerprintedAssets
    {
        guard options.postProcess else { return .none }
        var clock = Stopwatch()
        defer { report.finish("fingerprint", clock.lap()) }
        let plan = try await ReferenceGraph.make(assets: assets, configuration: configuration, jobs: configuration.jobs)
        for warning in plan.warnings.lines { observer.handle(.warning(warning)) }
        report.warnings += plan.warnings.lines
        return try await Fingerprinter.run(consume plan, spool: spool, jobs: configuration.jobs, observer: observer)
    }

    private func planRelease(
        _ assets: FingerprintedAssets, found: [SourceAsset], current: PublishedState,
        into report: inout CollectionReport
    ) throws(CollectStaticError) -> ReleasePlan {
        var clock = Stopwatch()
        defer { report.finish("plan", clock.lap()) }
        let planner = ReleasePlanner(
            manifestName: configuration.manifestName, retention: configuration.retention, clear: options.clear,
            link: options.link, cache: configuration.cacheDirectory.map(CacheFolder.init), now: now())
        var warnings: [String] = []
        let plan =
            options.postProcess
            ? try planner.plan(assets, current: current, warnings: &warnings)
            : try planner.planOriginals(found, current: current)
        for warning in warnings { observer.handle(.warning(warning)) }
        report.warnings += warnings
        return plan
    }

    /// Places every file of the plan into the staging tree (or, in a dry run, only decides which
    /// would change), and counts them Django's way.
    private func place(_ plan: ReleasePlan, into staging: TreeBuilder?, report: inout CollectionReport)
        async throws(CollectStaticError)
    {
        let observer = self.observer
        // Files are the originals (Django's count), bytes every file placed.
        let progress = ProgressCounter(
            .copying, totalFiles: plan.files.count { $0.role == .original },
            totalBytes: plan.files.reduce(0) { $0 + $1.size }, observer: observer)
        let cache = configuration.cacheDirectory.map(CacheFolder.init)
        // Names with the same bytes (an original and its unrewritten hashed copy, duplicates) are
        // placed by one task: the bytes are copied once and the other names hard-linked to them.
        let groups = Self.sameBytesGroups(plan.files)
        let counts = Mutex(PlacedCounts())
        _ = try await parallelMap(Array(0..<groups.count), limit: configuration.jobs) {
            group throws(CollectStaticError) in
            let members = groups[group]
            for index in members {
                let file = plan.files[index]
                let name = file.name  // a hashed name is made, not stored: made once per file
                let outcome: TreeBuilder.Outcome
                if let staging {
                    let first = index == members.first ? nil : plan.files[members.first!].name
                    outcome = try staging.place(file, sameBytesAs: first)
                    if file.role == .hashed, let cache {
                        cache.storeBlob(integrity: file.integrity, from: staging.placedFile(name))
                    }
                } else {
                    outcome = try TreeBuilder.wouldChange(file, in: plan.current)
                }
                switch file.role {
                case .original: observer.handle(outcome == .written ? .copied(name) : .unmodified(name))
                case .hashed where outcome == .written:
                    if case .asset(let asset, _) = file.content {
                        observer.handle(.postProcessed(original: asset.asset.logicalPath, hashed: name))
                    }
                default: break
                }
                progress.advance(
                    files: file.role == .original ? 1 : 0, bytes: file.size, worked: outcome == .written)
                counts.withLock { $0.count(file.role, outcome) }
            }
        }
        let placed = counts.withLock { $0 }
        report.modified += placed.modified
        report.unmodified += placed.unmodified
        report.postProcessed += placed.postProcessed
        report.kept += placed.kept
        for name in plan.carried { try staging?.carry(name) }
    }

    /// Files placed, counted Django's way.
    private struct PlacedCounts: Sendable {
        var modified = 0
        var unmodified = 0
        var postProcessed = 0
        var kept = 0

        mutating func count(_ role: ReleasePlan.Role, _ outcome: TreeBuilder.Outcome) {
            switch role {
            case .original: if outcome == .written { modified += 1 } else { unmodified += 1 }
            case .hashed: if outcome == .written { postProcessed += 1 }
            case .kept: kept += 1
            }
        }
    }

    /// Indices of files grouped by identical bytes, as one flat list (no array per group): each
    /// group in the plan's order, groups largest first so that a big file never starts last.
    struct SameBytesGroups: Sendable {
        var members: [Int] = []
        var starts: [Int] = [0]

        var count: Int { starts.count - 1 }
        subscript(group: Int) -> ArraySlice<Int> { members[starts[group]..<starts[group + 1]] }
    }

    /// Groups `files` by identical bytes (same integrity; symlinks and files without a digest stand
    /// alone). Files with one digest have one size, so sorting by size, then digest, puts them side
    /// by side.
    static func sameBytesGroups(_ files: [ReleasePlan.File]) -> SameBytesGroups {
        func key(_ index: Int) -> Integrity? {
            if case .symlink = files[index].content { return nil }
            return files[index].digest
        }
        var groups = SameBytesGroups()
        groups.members = files.indices.sorted { a, b in
            if files[a].size != files[b].size { return files[a].size > files[b].size }
            switch (key(a), key(b)) {
            case (let x?, let y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a < b
            }
        }
        for position in groups.members.indices.dropFirst() {
            let (previous, index) = (groups.members[position - 1], groups.members[position])
            if key(index) == nil || key(index) != key(previous) { groups.starts.append(position) }
        }
        if !files.isEmpty { groups.starts.append(files.count) }
        return groups
    }

    private func compress(_ plan: ReleasePlan, into staging: TreeBuilder?) async throws(CollectStaticError)
        -> CompressionScheduler.Outcome
    {
        let policy = configuration.compression
        let cache = VariantCache(
            published: plan.current, settings: policy?.settingsFingerprint ?? "",
            folder: configuration.cacheDirectory.map(CacheFolder.init))
        let scheduler = CompressionScheduler(
            policy: policy, builder: staging, cache: cache, jobs: configuration.jobs, observer: observer)
        return try await scheduler.run(plan.files)
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
