/// Writes the `.br`/`.gz` variants next to every collected name. Work is grouped by content: an
/// original and its hashed copy with the same bytes, or duplicate files, are compressed once and
/// the result is written under every name. Contents run largest first over at most `jobs` tasks,
/// so a big bundle never starts last. A variant an earlier run already made with the same settings
/// is reused instead of recompressed. Variants that no longer apply (content not worth compressing
/// any more, compression switched off) are removed so a server never sends stale bytes.
struct CompressionScheduler: Sendable {
    let policy: CompressionPolicy?
    let writer: OutputWriter
    let cache: VariantCache
    let jobs: Int
    let observer: any CollectionObserver

    /// One distinct content to compress and the names that hold it.
    struct Job: Sendable {
        var key: VariantCache.Key
        var size: Int
        var names: [String]
        var source: FingerprintedAsset
        /// True: the hashed copy's bytes; false: the source file's.
        var hashedContent: Bool

        func bytes() throws(CollectStaticError) -> [UInt8] {
            hashedContent ? try source.hashedBytes() : try source.sourceBytes()
        }
    }

    struct Outcome: Sendable {
        /// Name → encoding token (`br`, `gzip`) → variant size.
        var encodings: [String: [String: Int]] = [:]
        var written = 0
        var reused = 0
    }

    func run(_ assets: [FingerprintedAsset]) async throws(CollectStaticError) -> Outcome {
        var jobsByKey: [VariantCache.Key: Job] = [:]
        var order: [VariantCache.Key] = []
        var integrityOf: [String: String] = [:]
        var uncompressed: [String] = []
        for asset in assets {
            for output in asset.outputs {
                integrityOf[output.name] = output.integrity
                guard let policy, policy.shouldCompress(logicalPath: output.name, size: output.size) else {
                    uncompressed.append(output.name)
                    continue
                }
                let key = VariantCache.Key(integrity: output.integrity, kind: ContentKind.forPath(output.name))
                if jobsByKey[key] == nil {
                    jobsByKey[key] = Job(
                        key: key, size: output.size, names: [], source: asset, hashedContent: output.isHashedCopy)
                    order.append(key)
                }
                jobsByKey[key]!.names.append(output.name)
            }
        }
        try removeVariants(of: uncompressed, except: [])
        let scheduled = order.map { jobsByKey[$0]! }.sorted {
            $0.size != $1.size ? $0.size > $1.size : utf8Less($0.names[0], $1.names[0])
        }
        let names = integrityOf
        // Files are the names written, bytes the contents compressed: the work, and what the time left
        // is estimated from (the largest contents go first, so a count of contents would crawl).
        let progress = ProgressCounter(
            .compressing, totalFiles: scheduled.reduce(0) { $0 + $1.names.count },
            totalBytes: scheduled.reduce(0) { $0 + $1.size }, observer: observer)
        let results = try await parallelMap(scheduled, limit: jobs) { job throws(CollectStaticError) in
            let result = try process(job, integrityOf: names)
            progress.advance(files: job.names.count, bytes: job.size, worked: !result.reused)
            return result
        }
        var outcome = Outcome()
        for (job, result) in zip(scheduled, results) {
            for name in job.names { outcome.encodings[name] = result.sizes }
            if result.reused { outcome.reused += result.sizes.count } else { outcome.written += result.sizes.count }
        }
        return outcome
    }

    private func process(_ job: Job, integrityOf: [String: String]) throws(CollectStaticError)
        -> (sizes: [String: Int], reused: Bool)
    {
        guard let policy else { return ([:], false) }
        var variants = cache.lookup(job.key) { integrityOf[$0] }
        let reused = variants != nil
        if variants == nil {
            let bytes = try job.bytes()
            do {
                variants = try policy.selectVariants(
                    of: bytes, kind: job.key.kind, using: policy.orderedEncodings.map(policy.compressor(for:)))
            } catch {
                throw .compression(path: job.names[0], reason: "\(error)")
            }
            cache.store(job.key, variants!)
        }
        var sizes: [String: Int] = [:]
        for (encoding, bytes) in variants! {
            sizes[encoding.httpToken] = bytes.count
            for name in job.names { _ = try writer.write(bytes, as: name + encoding.fileSuffix) }
        }
        try removeVariants(of: job.names, except: Set(variants!.keys))
        observer.handle(.compressed(job.names[0], reused: reused))
        return (sizes, reused)
    }

    /// Deletes `name.br` / `name.gz` left by earlier runs that this run does not produce.
    private func removeVariants(of names: [String], except kept: Set<ContentEncoding>) throws(CollectStaticError) {
        for name in names {
            for encoding in ContentEncoding.allCases where !kept.contains(encoding) {
                try writer.remove(name + encoding.fileSuffix)
            }
        }
    }
}
