import Crypto
import StaticAssets

#if canImport(Glibc)
    import Glibc
#endif

/// Makes the deltas of this release's hashed files against their previous versions in the kept
/// releases (RFC 9842): `dcz` (`DictionaryDelta`) always, and `dcb` (`BrotliDictionaryDelta`) too
/// when brotli is enabled and the linked libbrotli has shared dictionaries (≥ 1.1.0). For each
/// logical name whose type gets deltas, the hashed files the newest `dictionaryReleases` kept
/// releases had under that name (distinct contents, other than the new one) are the dictionaries.
/// A delta is kept only when it is smaller than the smallest plain representation (identity or a
/// variant); the `dcz` and the `dcb` against one dictionary are judged each on its own, and the
/// server sends the smaller one a client accepts. Stored beside the file as
/// `ManifestEntry.deltaName(of:dictionary:coding:)`, recorded under the file in the manifest, reused
/// on a re-run when the bytes in the published tree prove to be the recorded delta, and gone with the
/// release: a kept file's deltas are not carried into the next one.
struct DeltaScheduler: Sendable {
    let policy: CompressionPolicy
    let tree: any ReleaseTree
    let jobs: Int
    /// `COLLECTSTATIC_CACHE_DIR`: deltas are kept there too, for a fresh STATIC_ROOT.
    var cache: CacheFolder?

    /// The delta codings this run makes.
    var codings: [DeltaCoding] {
        policy.encodings.contains(.brotli) && BrotliDictionaryDelta.isAvailable ? [.dcz, .dcb] : [.dcz]
    }

    /// The settings a `dcb` delta is made with, besides the `dcz` ones: brotli's.
    private var brotliFingerprint: String {
        "dcb:q\(dcbQuality):w\(policy.brotliWindow);brotli-\(BrotliCompressor.libraryVersion)"
    }

    /// The quality of `dcb` deltas: the `.br` quality, at most `BrotliDictionaryDelta.maximumQuality`.
    private var dcbQuality: Int { min(policy.brotliQuality, BrotliDictionaryDelta.maximumQuality) }

    private func cacheKey(_ coding: DeltaCoding) -> String {
        let settings = policy.deltaFingerprint + (coding == .dcb ? ";" + brotliFingerprint : "")
        return String(SHA256.hash(data: Array(settings.utf8)).hexString.prefix(16))
    }

    struct Job: Sendable {
        var logicalPath: String
        var file: ReleasePlan.File
        var dictionaries: [ReleasePlan.File]
        /// The smallest plain representation of the file; a delta must beat it.
        var best: Int
    }

    struct Outcome: Sendable {
        /// Hashed name → coding → dictionary SHA-256 (hex) → delta.
        var deltas: [String: [DeltaCoding: [String: ManifestVariant]]] = [:]
        var written = 0
        var reused = 0
    }

    /// The jobs for `plan`: every hashed file of this release with at least one previous version.
    func jobs(_ plan: ReleasePlan, variants: CompressionScheduler.Outcome) -> [Job] {
        guard policy.dictionaryReleases > 0, !plan.previous.isEmpty else { return [] }
        let byName = { (name: String) in plan.file(named: name) }  // no index of the whole tree
        var jobs: [Job] = []
        var wanted: [(logical: String, hashed: String)] = []
        plan.paths.forEach { logical, hashed in
            if policy.wantsDeltas(logicalPath: logical) { wanted.append((logical, hashed)) }
        }
        for (logical, hashed) in wanted {
            guard let index = plan.index(named: hashed) else { continue }
            let file = plan.files[index]
            guard file.role == .hashed, file.size > 0 else { continue }
            var seen: Set<String> = [file.integrity]
            var dictionaries: [ReleasePlan.File] = []
            for release in plan.previous where dictionaries.count < policy.dictionaryReleases {
                guard let name = release.paths[logical], let previous = byName(name), previous.size > 0,
                    seen.insert(previous.integrity).inserted
                else { continue }
                dictionaries.append(previous)
            }
            guard !dictionaries.isEmpty else { continue }
            let best = ([file.size] + variants.variants(ofFileAt: index).values.map(\.size)).min()!
            jobs.append(Job(logicalPath: logical, file: file, dictionaries: dictionaries, best: best))
        }
        return jobs
    }

    func run(_ plan: ReleasePlan, variants: CompressionScheduler.Outcome)
        async throws(CollectStaticError) -> Outcome
    {
        let scheduled = jobs(plan, variants: variants).sorted { $0.file.size > $1.file.size }
        let published = plan.current.fromCache ? nil : plan.current.manifest
        let reusable = published?.compression == policy.settingsFingerprint ? published : nil
        let results = try await parallelMap(scheduled, limit: jobs) {
            job throws(CollectStaticError) -> [Made] in
            try process(job, published: reusable, root: plan.current.root)
        }
        var outcome = Outcome()
        for (job, made) in zip(scheduled, results) where !made.isEmpty {
            for delta in made {
                outcome.deltas[job.file.name, default: [:]][delta.coding, default: [:]][delta.dictionary] =
                    delta.variant
                if delta.reused { outcome.reused += 1 } else { outcome.written += 1 }
            }
        }
        return outcome
    }

    /// One delta placed in the new tree.
    struct Made: Sendable {
        var coding: DeltaCoding
        /// SHA-256 (hex) of the dictionary.
        var dictionary: String
        var variant: ManifestVariant
        var reused: Bool
    }

    private func process(_ job: Job, published: Manifest?, root: String) throws(CollectStaticError) -> [Made] {
        var bytes: [UInt8]?
        var made: [Made] = []
        for dictionary in job.dictionaries {
            let dictionaryBytes = try dictionary.content.bytes()
            let key = SHA256.hash(data: dictionaryBytes).hexString
            for coding in codings {
                let name = ManifestEntry.deltaName(of: job.file.name, dictionary: key, coding: coding)
                if let recorded = published?.files[job.file.name], recorded.integrity == job.file.integrity,
                    let delta = recorded.deltas(coding)[key], let digest = delta.sha256,
                    let onDisk = try? FileSystem.readFile(root + "/" + name), onDisk.count == delta.size,
                    SHA256.hash(data: onDisk).hexString == digest
                {
                    try tree.placeVariant(onDisk, reusedFrom: root + "/" + name, as: name)
                    store(onDisk, coding: coding, integrity: job.file.integrity, dictionary: key)
                    made.append(Made(coding: coding, dictionary: key, variant: delta, reused: true))
                    continue
                }
                if bytes == nil { bytes = try job.file.content.bytes() }
                let cached = cache?.delta(cacheKey(coding), integrity: job.file.integrity, dictionary: key)
                if let cached, let body = try? FileSystem.readFile(cached) {
                    if body.count < job.best, Self.proves(coding, body, file: bytes!, dictionary: dictionaryBytes) {
                        try tree.placeVariant(body, reusedFrom: cached, as: name)
                        let variant = ManifestVariant(size: body.count, sha256: SHA256.hash(data: body).hexString)
                        made.append(Made(coding: coding, dictionary: key, variant: variant, reused: true))
                        continue
                    }
                    unlink(cached)  // corrupt or truncated: replaced below
                }
                let encoded: [UInt8]?
                do {
                    encoded = try encode(coding, bytes!, dictionary: dictionaryBytes, logicalPath: job.logicalPath)
                } catch {
                    throw .compression(path: job.file.name, reason: "\(error)")
                }
                guard let encoded, encoded.count < job.best else { continue }
                try tree.placeVariant(encoded, reusedFrom: nil, as: name)
                store(encoded, coding: coding, integrity: job.file.integrity, dictionary: key)
                let variant = ManifestVariant(size: encoded.count, sha256: SHA256.hash(data: encoded).hexString)
                made.append(Made(coding: coding, dictionary: key, variant: variant, reused: false))
            }
        }
        return made
    }

    /// The delta of `file` against `dictionary` in `coding`, or nil when none can be made (window or
    /// dictionary too big).
    private func encode(_ coding: DeltaCoding, _ file: [UInt8], dictionary: [UInt8], logicalPath: String)
        throws(CompressionError) -> [UInt8]?
    {
        switch coding {
        case .dcz:
            try DictionaryDelta.encode(file, dictionary: dictionary, level: policy.zstdLevel)
        case .dcb:
            try BrotliDictionaryDelta.encode(
                file, dictionary: dictionary, quality: dcbQuality, window: policy.brotliWindow,
                kind: ContentKind.forPath(logicalPath))
        }
    }

    /// Whether `body` decodes with `dictionary` to exactly `file`.
    static func proves(_ coding: DeltaCoding, _ body: [UInt8], file: [UInt8], dictionary: [UInt8]) -> Bool {
        switch coding {
        case .dcz: DictionaryDelta.proves(body, file: file, dictionary: dictionary)
        case .dcb: BrotliDictionaryDelta.proves(body, file: file, dictionary: dictionary)
        }
    }

    /// Keeps a delta in the cache folder unless it is there (a failure only costs the cache).
    private func store(_ body: [UInt8], coding: DeltaCoding, integrity: String, dictionary: String) {
        guard let path = cache?.delta(cacheKey(coding), integrity: integrity, dictionary: dictionary),
            !FileSystem.exists(path)
        else { return }
        try? FileSystem.writeAtomically(body, to: path)
    }
}
