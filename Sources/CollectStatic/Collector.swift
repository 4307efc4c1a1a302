import Foundation
import StaticAssets

/// Per-run switches with Django's meaning (they are not settings: they say what this run does).
public struct CollectOptions: Sendable, Equatable {
    public var dryRun = false
    /// Remove from STATIC_ROOT everything this run did not produce (after it succeeded).
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
    /// Called after every file is in place and before the manifest is written.
    public var beforeManifest: @Sendable () throws(CollectStaticError) -> Void = {}
    /// Called before each file is written into STATIC_ROOT, with its path.
    public var willWrite: @Sendable (String) throws(CollectStaticError) -> Void = { _ in }
    public init() {}
}

/// Runs the pipeline: find → plan references → fingerprint → write files → compress → manifest
/// (last, atomically) → clear leftovers. Nothing is written before every input has been read and
/// every reference resolved; the previous manifest and the files it names stay valid until the new
/// manifest replaces it.
public struct Collector: Sendable {
    public var configuration: Configuration
    public var options: CollectOptions
    public var observer: any CollectionObserver
    public var hooks = CollectorHooks()

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
        ((try? FileSystem.listDirectory(configuration.staticRoot)) ?? []).isEmpty == false
    }

    var writer: OutputWriter { OutputWriter(root: configuration.staticRoot, willWrite: hooks.willWrite) }

    public func run() async throws(CollectStaticError) -> CollectionReport {
        if options.clear && !options.dryRun { try checkClearAllowed() }
        var report = CollectionReport(destination: configuration.staticRoot)
        report.linked = options.link
        report.dryRun = options.dryRun

        let found = try Finder(roots: configuration.sourceRoots, ignorePatterns: configuration.ignorePatterns).find(
            observer: observer)
        observer.handle(.found(count: found.assets.count))
        for asset in found.shadowed { observer.handle(.shadowed(asset)) }
        report.skipped = found.shadowed.count

        guard options.postProcess else {
            try await copyOriginals(found.assets, into: &report)
            return report
        }
        let plan = try BuildPlan.make(assets: found.assets, configuration: configuration)
        for warning in plan.warnings {
            report.warnings.append(warning.description)
            observer.handle(.warning(warning.description))
        }
        let assets = try await Fingerprinter.run(plan, jobs: configuration.jobs, observer: observer)
        if options.dryRun {
            report.modified = assets.count
            return report
        }
        let previous = try? Manifest(contentsOf: URL(fileURLWithPath: manifestPath))
        try await writeFiles(assets, into: &report)
        let compressed = try await compress(assets, previous: previous)
        report.variantsWritten = compressed.written
        report.variantsReused = compressed.reused

        var paths: [String: String] = [:]
        var files: [String: ManifestEntry] = [:]
        for fingerprinted in assets {
            paths[fingerprinted.asset.logicalPath] = fingerprinted.hashedName
            for output in fingerprinted.outputs {
                files[output.name] = ManifestEntry(
                    size: output.size, integrity: output.integrity, encodings: compressed.encodings[output.name] ?? [:])
            }
        }
        try hooks.beforeManifest()
        let manifest = ManifestWriter.manifest(
            paths: paths, files: files, compression: configuration.compression?.settingsFingerprint)
        try ManifestWriter.write(manifest, to: manifestPath)
        report.manifest = manifestPath

        if options.clear {
            var keep: Set<String> = [configuration.manifestName]
            for (name, entry) in files {
                keep.insert(name)
                for encoding in ContentEncoding.allCases where entry.encodings[encoding.httpToken] != nil {
                    keep.insert(name + encoding.fileSuffix)
                }
            }
            for name in try writer.removeAll(except: keep) {
                observer.handle(.deleted(name))
                report.deleted += 1
            }
        }
        return report
    }

    /// Writes every hashed copy and original, atomically, skipping those already in place.
    private func writeFiles(_ assets: [FingerprintedAsset], into report: inout CollectionReport)
        async throws(CollectStaticError)
    {
        let writer = self.writer
        try writer.prepareFolders(for: assets.flatMap { [$0.asset.logicalPath, $0.hashedName] })
        let link = options.link
        let observer = self.observer
        let progress = ProgressCounter(
            .copying, totalFiles: assets.count,
            totalBytes: assets.reduce(0) { $0 + $1.outputs.reduce(0) { $0 + $1.size } }, observer: observer)
        let outcomes = try await parallelMap(assets, limit: configuration.jobs) {
            fingerprinted throws(CollectStaticError) -> (original: OutputWriter.Outcome, hashed: OutputWriter.Outcome)
            in
            let source = try fingerprinted.sourceBytes()
            let hashed = try writer.write(fingerprinted.rewritten ?? source, as: fingerprinted.hashedName)
            let logical = fingerprinted.asset.logicalPath
            let original =
                link
                ? try writer.link(fingerprinted.asset.filePath, as: logical)
                : try writer.write(source, as: logical)
            observer.handle(original == .written ? .copied(logical) : .unmodified(logical))
            if hashed == .written {
                observer.handle(.postProcessed(original: logical, hashed: fingerprinted.hashedName))
            }
            let outputs = fingerprinted.outputs
            progress.advance(
                bytes: outputs.reduce(0) { $0 + $1.size },
                worked: original == .written || hashed == .written)
            return (original, hashed)
        }
        for outcome in outcomes {
            if outcome.original == .written { report.modified += 1 } else { report.unmodified += 1 }
            if outcome.hashed == .written { report.postProcessed += 1 }
        }
    }

    private func compress(_ assets: [FingerprintedAsset], previous: Manifest?) async throws(CollectStaticError)
        -> CompressionScheduler.Outcome
    {
        let policy = configuration.compression
        let cache = VariantCache(
            staticRoot: configuration.staticRoot, previous: previous, settings: policy?.settingsFingerprint ?? "",
            cacheDirectory: configuration.cacheDirectory)
        let scheduler = CompressionScheduler(
            policy: policy, writer: writer, cache: cache, jobs: configuration.jobs, observer: observer)
        return try await scheduler.run(assets)
    }

    /// `--no-post-process`: originals only, no fingerprints, no manifest.
    private func copyOriginals(_ assets: [SourceAsset], into report: inout CollectionReport)
        async throws(CollectStaticError)
    {
        if options.dryRun {
            report.modified = assets.count
            return
        }
        let writer = self.writer
        try writer.prepareFolders(for: assets.map(\.logicalPath))
        let link = options.link
        let outcomes = try await parallelMap(assets, limit: configuration.jobs) { asset throws(CollectStaticError) in
            link
                ? try writer.link(asset.filePath, as: asset.logicalPath)
                : try writer.write(try FileSystem.readFile(asset.filePath), as: asset.logicalPath)
        }
        report.modified = outcomes.filter { $0 == .written }.count
        report.unmodified = outcomes.count - report.modified
        if options.clear {
            var keep = Set(assets.map(\.logicalPath))
            if FileSystem.exists(manifestPath) { keep.insert(configuration.manifestName) }
            report.deleted = try writer.removeAll(except: keep).count
        }
    }

    /// `--clear` deletes only a folder that is empty, holds a manifest we can read, or `--force`.
    private func checkClearAllowed() throws(CollectStaticError) {
        guard !options.force, destinationHasFiles else { return }
        if (try? Manifest(contentsOf: URL(fileURLWithPath: manifestPath))) == nil {
            throw .clearRefused(path: configuration.staticRoot)
        }
    }
}
