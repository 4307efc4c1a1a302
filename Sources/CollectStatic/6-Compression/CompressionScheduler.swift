import Glibc
import StaticAssets
import Synchronization

/// Makes the `.br`/`.gz` variants of every file of the next tree. Work is grouped by content: an
/// original and its hashed copy with the same bytes, or duplicate files, are compressed once and the
/// result is placed under every name. Contents run largest first over at most `jobs` tasks, so a
/// big bundle never starts last. A variant an earlier run made with the same settings is reused
/// when it is proven to be the right bytes (`VariantCache`).
struct CompressionScheduler: Sendable {
    let policy: CompressionPolicy?
    /// Where variants go; a dry run's tree writes nothing (it only looks up what could be reused).
    let tree: any ReleaseTree
    let cache: VariantCache
    let jobs: Int
    let observer: any CollectionObserver

    /// One distinct content to compress: the files (indices in the plan) that hold it.
    struct Job: Sendable {
        var key: VariantCache.Key
        var size: Int
        var files: ArraySlice<Int32>
    }

    struct Outcome: Sendable {
        /// Every variant made or reused and its encoding (two lists: a pair would be padded to 56
        /// bytes), content after content (`ranges` says which are whose), and which content each
        /// file of the plan has (by index; -1: none): a few flat lists, not a record per content or
        /// per name.
        var variants: [ManifestVariant] = []
        var encodings: [ContentEncoding] = []
        var ranges: [Range<Int32>] = []
        var contentOfFile: [Int32] = []
        /// Variants made by compressing, and reused from an earlier run (per distinct content).
        var written = 0
        var reused = 0
        /// Dry run: contents that would be compressed.
        var contentsToCompress = 0
    }

    /// The contents to compress, largest first, as groups of the files to compress with one digest
    /// and kind: one flat list of indices (each group in the plan's order) and where each group
    /// starts. A job is made from its group when its turn comes.
    func groups(_ files: [ReleasePlan.File], policy: CompressionPolicy) -> (members: [Int32], starts: [Int]) {
        var members: [(file: Int32, kind: ContentKind)] = []
        for (index, file) in files.enumerated() where file.digest != nil {
            let name = file.name  // made, not stored: made once per file
            guard policy.shouldCompress(logicalPath: name, size: file.size) else { continue }
            members.append((Int32(index), ContentKind.forPath(name)))
        }
        // Files are sorted by name, so a group's first file is its first name.
        members.sort { a, b in
            let (x, y) = (files[Int(a.file)], files[Int(b.file)])
            if x.size != y.size { return x.size > y.size }
            let (p, q) = (x.digest!, y.digest!)
            if p != q { return p < q }
            if a.kind != b.kind { return a.kind.rawValue < b.kind.rawValue }
            return a.file < b.file
        }
        var starts: [Int] = []
        for position in members.indices {
            let (current, file) = (members[position], files[Int(members[position].file)])
            if position == 0 || current.kind != members[position - 1].kind
                || file.digest != files[Int(members[position - 1].file)].digest
            {
                starts.append(position)
            }
        }
        starts.append(members.count)
        return (members.map(\.file), starts)
    }

    /// The distinct contents `run` would compress, by the keys their variants are cached under.
    func keys(_ files: [ReleasePlan.File]) -> [VariantCache.Key] {
        guard let policy else { return [] }
        let (members, starts) = groups(files, policy: policy)
        return starts.dropLast().map { start in
            let first = files[Int(members[start])]
            return VariantCache.Key(integrity: first.digest!, kind: ContentKind.forPath(first.name))
        }
    }

    func run(_ files: [ReleasePlan.File]) async throws(CollectStaticError) -> Outcome {
        guard let policy else { return Outcome() }
        let compressors = policy.compressors(memory: Self.codecMemory(for: policy, jobs: jobs))
        let (members, starts) = groups(files, policy: policy)
        let job = { @Sendable (group: Int) -> Job in
            let first = files[Int(members[starts[group]])]
            return Job(
                key: VariantCache.Key(integrity: first.digest!, kind: ContentKind.forPath(first.name)),
                size: first.size, files: members[starts[group]..<starts[group + 1]])
        }
        // Files are the names written, bytes the contents compressed: the work, and what the time left
        // is estimated from (the largest contents go first, so a count of contents would crawl).
        let progress = ProgressCounter(
            .compressing, totalFiles: members.count,
            totalBytes: starts.dropLast().reduce(0) { $0 + files[Int(members[$1])].size }, observer: observer)
        // Each content's variants go straight into the outcome as they are made.
        let shared = Mutex(Outcome())
        shared.withLock { outcome in
            // Sized once here: the lists never grow (and move) while codecs work.
            let contents = starts.count - 1
            outcome.contentOfFile = [Int32](repeating: -1, count: files.count)
            outcome.variants.reserveCapacity(contents * policy.encodings.count)
            outcome.encodings.reserveCapacity(contents * policy.encodings.count)
            outcome.ranges.reserveCapacity(contents)
        }
        _ = try await parallelMap(Array(starts.indices.dropLast()), limit: jobs) { group throws(CollectStaticError) in
            let job = job(group)
            let result = try process(
                job, names: job.files.map { files[Int($0)].name }, policy: policy, compressors: compressors)
            progress.advance(
                files: job.files.count, bytes: job.size, worked: !result.reused && result.variants != nil)
            shared.withLock { outcome in
                guard let variants = result.variants else {
                    outcome.contentsToCompress += 1
                    return
                }
                let start = Int32(outcome.variants.count)
                for (encoding, variant) in variants.sorted(by: { $0.key < $1.key }) {
                    outcome.encodings.append(encoding)
                    outcome.variants.append(variant)
                }
                for file in job.files { outcome.contentOfFile[Int(file)] = Int32(outcome.ranges.count) }
                outcome.ranges.append(start..<Int32(outcome.variants.count))
                if result.reused { outcome.reused += variants.count } else { outcome.written += variants.count }
            }
        }
        return shared.withLock { $0 }
    }

    /// The pool the stage's codecs draw on: at brotli's zopfli qualities the codecs' state is kept
    /// from one content to the next, a small file's worth per job (given back when the stage ends);
    /// otherwise none, and the codecs use the process's allocator.
    static func codecMemory(for policy: CompressionPolicy, jobs: Int) -> CodecMemory? {
        guard policy.encodings.contains(.brotli), policy.brotliQuality >= CodecMemory.brotliQualityKept else {
            return nil
        }
        return CodecMemory(limit: max(1, jobs) * CodecMemory.keptPerJob)
    }

    private func process(
        _ job: Job, names: [String], policy: CompressionPolicy, compressors: [any Compressor]
    ) throws(CollectStaticError) -> (variants: [ContentEncoding: ManifestVariant]?, reused: Bool) {
        if let reused = cache.lookup(job.key) {
            if tree.writesFiles {
                try place(reused, fresh: false, as: names)
                cache.store(job.key, reused)
            }
            observer.handle(.compressed(names[0], reused: true))
            return (reused.mapValues(\.manifestVariant), true)
        }
        guard tree.writesFiles else {
            observer.handle(.compressed(names[0], reused: false))  // a dry run: would be compressed
            return (nil, false)
        }
        // The variants are made from the file placed in the new tree and written next to it.
        let made: [ContentEncoding: CompressedFile]
        do {
            made = try policy.selectVariants(
                ofFile: tree.placedFile(names[0]), size: job.size, kind: job.key.kind,
                writingTo: tree.variantDraft(names[0]), using: compressors)
        } catch let error as CollectStaticError {
            throw error
        } catch {
            throw .compression(path: names[0], reason: "\(error)")
        }
        defer { for variant in made.values { unlink(variant.path) } }
        try place(made, fresh: true, as: names)
        cache.store(job.key, made)
        observer.handle(.compressed(names[0], reused: false))
        return (made.mapValues(\.manifestVariant), false)
    }

    /// Places each variant under every name that holds the content (`fresh`: just made).
    private func place(
        _ variants: [ContentEncoding: CompressedFile], fresh: Bool, as names: [String]
    ) throws(CollectStaticError) {
        for (encoding, variant) in variants {
            for name in names {
                try tree.placeVariant(file: variant.path, fresh: fresh, as: name + encoding.fileSuffix)
            }
        }
    }
}

extension CompressionScheduler.Outcome {
    /// The variants of the plan's file at `index`.
    func variants(ofFileAt index: Int) -> [ContentEncoding: ManifestVariant] {
        guard index < contentOfFile.count, contentOfFile[index] >= 0 else { return [:] }
        let range = ranges[Int(contentOfFile[index])]
        var result: [ContentEncoding: ManifestVariant] = [:]
        for position in Int(range.lowerBound)..<Int(range.upperBound) {
            result[encodings[position]] = variants[position]
        }
        return result
    }
}
