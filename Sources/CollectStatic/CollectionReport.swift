/// What a run did, for the summary line, `--json` and tests.
public struct CollectionReport: Sendable, Equatable, Codable {
    /// STATIC_ROOT as configured.
    public var destination: String
    /// Originals written (copied or linked) because they were new or changed.
    public var modified: Int = 0
    /// Originals already in place with the same content.
    public var unmodified: Int = 0
    /// Hashed copies written because they were new or changed.
    public var postProcessed: Int = 0
    /// Files shadowed by the same logical path in an earlier root.
    public var skipped: Int = 0
    /// Files removed by `--clear`.
    public var deleted: Int = 0
    /// Hashed files of previous releases kept in the new tree.
    public var kept: Int = 0
    /// Dry run: distinct contents that would be compressed (the rest would be reused).
    public var contentsToCompress: Int = 0
    /// Compressed variants written and reused.
    public var variantsWritten: Int = 0
    /// Variants taken from the published tree or the cache folder instead of compressing again.
    public var variantsReused: Int = 0
    /// `dcz` deltas made by this run, and reused from the published tree.
    public var deltasWritten: Int = 0
    /// Deltas taken from the published tree or the cache folder.
    public var deltasReused: Int = 0
    /// True with `--link` (originals are symlinks).
    public var linked = false
    /// True with `--dry-run` (nothing was written).
    public var dryRun = false
    /// Path of the manifest written, nil when none was (dry run, `--no-post-process`).
    public var manifest: String?
    /// Every warning the run gave, in order.
    public var warnings: [String] = []
    /// Entries fetched from the shared compression cache (`Collector.sharedCache`), and files sent to it.
    public var sharedCacheFetched: Int = 0
    public var sharedCacheStored: Int = 0
    /// The fetch from the shared cache before compressing: records, files and its wall time (nil
    /// without a shared cache).
    public var sharedCacheFetch: SharedCacheFetch?
    /// One line per destination beyond STATIC_ROOT (`ReleaseDestination`) that received the release.
    public var destinations: [String] = []
    /// Wall seconds of each stage: find, fingerprint, plan, stage (the new tree's files), compress,
    /// publish (manifest, switch, retiring the old tree).
    public var seconds: [String: Double] = [:]
    /// The process's peak resident memory (MB) at the end of each stage: what the run held at most
    /// up to then (Linux; empty elsewhere).
    public var peakMegabytes: [String: Double] = [:]

    /// Records the end of a stage: its wall time and the peak memory so far.
    /// Adds the files stage 5 placed, counted Django's way.
    mutating func count(_ placed: Placement.Counts) {
        modified += placed.modified
        unmodified += placed.unmodified
        postProcessed += placed.postProcessed
        kept += placed.kept
    }

    mutating func finish(_ stage: String, _ seconds: Double) {
        self.seconds[stage] = seconds
        if let peak = ProcessMemory.peakResidentMegabytes() { peakMegabytes[stage] = peak }
    }

    /// An empty report for a run into `destination`.
    public init(destination: String, linked: Bool = false, dryRun: Bool = false) {
        self.destination = destination
        self.linked = linked
        self.dryRun = dryRun
    }

    /// Django 6's closing line: `N static files copied to '…', M unmodified, K post-processed.`; a
    /// dry run ends `… (dry run: nothing was written).` (Django's dry run says "Pretending to copy").
    public var summaryLine: String {
        var line = ""
        if deleted > 0 { line += "\(deleted) static file\(deleted == 1 ? "" : "s") deleted, " }
        line +=
            "\(modified) static file\(modified == 1 ? "" : "s") \(linked ? "symlinked" : "copied") to '\(destination)'"
        if unmodified > 0 { line += ", \(unmodified) unmodified" }
        if postProcessed > 0 { line += ", \(postProcessed) post-processed" }
        if skipped > 0 { line += ", \(skipped) skipped due to conflict" }
        if dryRun { line += " (dry run: nothing was written)" }
        return line + "."
    }
}

/// Something that happened during a run, for progress display and `-v 2` logs.
public enum CollectionEvent: Sendable {
    case found(count: Int)
    case shadowed(SourceAsset)
    case copied(String)
    case unmodified(String)
    case postProcessed(original: String, hashed: String)
    case deleted(String)
    /// Variants of a content (named by its first file) were made, or reused from an earlier run.
    case compressed(String, reused: Bool)
    /// The entries the release needs were fetched from the shared compression cache.
    case fetchedFromSharedCache(SharedCacheFetch)
    case warning(String)
    /// Another run holds the lock on STATIC_ROOT; this one waits for it.
    case waitingForLock(pid: Int32?, lockFile: String)
    /// How far a phase has got; sent often (a display throttles it), last with `isFinished`.
    case progress(CollectionProgress)
    /// A stage let go of most of what it held. The host owns the process's allocator: the
    /// `collectstatic` tool gives the freed pages back to the system here (`malloc_trim`), so that
    /// what one stage let go is not counted while the next one runs. A library host may ignore it.
    case memoryLetGo
}

/// How far one phase of a run has got, in files and bytes.
public struct CollectionProgress: Sendable, Equatable {
    /// The phases that report progress.
    public enum Phase: String, Sendable, CaseIterable {
        /// Walking the source roots (the totals are not known yet).
        case finding = "Finding"
        /// Reading every source file for its digest.
        case hashing = "Hashing"
        /// Putting originals and hashed copies into STATIC_ROOT.
        case copying = "Copying"
        /// Making the `.br`/`.gz` variants; files are the names a content is written under, bytes the
        /// content's size (the work is per content).
        case compressing = "Compressing"
    }

    /// The phase this progress is of.
    public var phase: Phase
    /// Files finished so far, and in all (nil while unknown).
    public var files = 0
    /// Files in all (nil while unknown).
    public var totalFiles: Int?
    /// Bytes finished so far, and in all (nil while unknown).
    public var bytes = 0
    /// Bytes in all (nil while unknown).
    public var totalBytes: Int?
    /// Of the finished files and bytes, those that took real work (read, written, compressed); the
    /// rest were already in place or reused. Rates and the time left come from these.
    public var workedFiles = 0
    /// Of the finished bytes, those that took real work.
    public var workedBytes = 0
    /// True on the phase's last event.
    public var isFinished = false

    /// Progress of `phase` at its start.
    public init(phase: Phase, totalFiles: Int? = nil, totalBytes: Int? = nil) {
        self.phase = phase
        self.totalFiles = totalFiles
        self.totalBytes = totalBytes
    }
}

/// Receives events; called from several tasks at once.
public protocol CollectionObserver: Sendable {
    func handle(_ event: CollectionEvent)
}

/// Ignores every event.
public struct SilentObserver: CollectionObserver {
    /// An observer that ignores everything.
    public init() {}
    /// Does nothing.
    public func handle(_ event: CollectionEvent) {}
}
