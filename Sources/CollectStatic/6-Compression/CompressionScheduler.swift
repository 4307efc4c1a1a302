import StaticAssets

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Makes the `.br`/`.gz` variants of every file of the next tree. Work is grouped by content: an
/// original and its hashed copy with the same bytes, or duplicate files, are compressed once and the
/// result is placed under every name. Contents run largest first over at most `jobs` tasks, so a
/// big bundle never starts last. A variant an earlier run made with the same settings is reused
/// when it is proven to be the right bytes (`VariantCache`).
struct CompressionScheduler: Sendable {
    let policy: CompressionPolicy?
    /// Where variants go; nil in a dry run (which only looks up what could be reused).
    let builder: TreeBuilder?
    let cache: VariantCache
    let jobs: Int
    let observer: any CollectionObserver

    /// One distinct content to compress and the names that hold it.
    struct Job: Sendable {
        var key: VariantCache.Key
        var size: Int
        /// Indices in the plan's files.
        var files: [Int]
    }

    struct Outcome: Sendable {
        /// The variants of each distinct content, and which of them each file of the plan has (by
        /// index; -1: none): one record per content, not one per name.
        var variantSets: [[ContentEncoding: ManifestVariant]] = []
        var setOfFile: [Int32] = []
        /// Variants made by compressing, and reused from an earlier run (per distinct content).
        var written = 0
        var reused = 0
        /// Dry run: contents that would be compressed.
        var contentsToCompress = 0
    }

    func run(_ files: [ReleasePlan.File]) async throws(CollectStaticError) -> Outcome {
        guard let policy else { return Outcome() }
        var jobOfKey: [VariantCache.Key: Int] = [:]
        var pending: [Job] = []
        for (index, file) in files.enumerated() where policy.shouldCompress(logicalPath: file.name, size: file.size) {
            guard let digest = file.digest else { continue }
            let key = VariantCache.Key(integrity: digest, kind: ContentKind.forPath(file.name))
            if let job = jobOfKey[key] {
                pending[job].files.append(index)
            } else {
                jobOfKey[key] = pending.count
                pending.append(Job(key: key, size: file.size, files: [index]))
            }
        }
        jobOfKey = [:]
        // Files are sorted by name, so a job's first file is its first name.
        let scheduled = pending.sorted { $0.size != $1.size ? $0.size > $1.size : $0.files[0] < $1.files[0] }
        pending = []
        // Files are the names written, bytes the contents compressed: the work, and what the time left
        // is estimated from (the largest contents go first, so a count of contents would crawl).
        let progress = ProgressCounter(
            .compressing, totalFiles: scheduled.reduce(0) { $0 + $1.files.count },
            totalBytes: scheduled.reduce(0) { $0 + $1.size }, observer: observer)
        let results = try await parallelMap(scheduled, limit: jobs) { job throws(CollectStaticError) in
            let result = try process(job, names: job.files.map { files[$0].name }, policy: policy)
            progress.advance(
                files: job.files.count, bytes: job.size, worked: !result.reused && result.variants != nil)
            return result
        }
        var outcome = Outcome()
        outcome.setOfFile = [Int32](repeating: -1, count: files.count)
        for (job, result) in zip(scheduled, results) {
            guard let variants = result.variants else {
                outcome.contentsToCompress += 1
                continue
            }
            for file in job.files { outcome.setOfFile[file] = Int32(outcome.variantSets.count) }
            outcome.variantSets.append(variants)
            if result.reused { outcome.reused += variants.count } else { outcome.written += variants.count }
        }
        return outcome
    }

    private func process(_ job: Job, names: [String], policy: CompressionPolicy) throws(CollectStaticError)
        -> (variants: [ContentEncoding: ManifestVariant]?, reused: Bool)
    {
        if let reused = cache.lookup(job.key) {
            if let builder {
                for (encoding, variant) in reused {
                    for name in names {
                        try builder.placeVariant(file: variant.path, fresh: false, as: name + encoding.fileSuffix)
                    }
                }
                cache.store(job.key, reused)
            }
            observer.handle(.compressed(names[0], reused: true))
            return (reused.mapValues(\.manifestVariant), true)
        }
        guard let builder else {
            observer.handle(.compressed(names[0], reused: false))  // a dry run: would be compressed
            return (nil, false)
        }
        // The variants are made from the file placed in the new tree and written next to it.
        let made: [ContentEncoding: CompressedFile]
        do {
            made = try policy.selectVariants(
                ofFile: builder.placedFile(names[0]), size: job.size, kind: job.key.kind,
                writingTo: builder.root + "/" + names[0])
        } catch let error as CollectStaticError {
            throw error
        } catch {
            throw .compression(path: names[0], reason: "\(error)")
        }
        defer { for variant in made.values { unlink(variant.path) } }
        for (encoding, variant) in made {
            for name in names {
                try builder.placeVariant(file: variant.path, fresh: true, as: name + encoding.fileSuffix)
            }
        }
        cache.store(job.key, made)
        observer.handle(.compressed(names[0], reused: false))
        return (made.mapValues(\.manifestVariant), false)
    }
}

extension CompressionScheduler.Outcome {
    /// The variants of the plan's file at `index`.
    func variants(ofFileAt index: Int) -> [ContentEncoding: ManifestVariant] {
        index < setOfFile.count && setOfFile[index] >= 0 ? variantSets[Int(setOfFile[index])] : [:]
    }
}
