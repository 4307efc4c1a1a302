import Synchronization

/// Stage 5: places every file of the plan into the release tree (a dry run's tree only decides
/// which would change), reports each file, and counts them Django's way. Names with the same bytes
/// (an original and its unrewritten hashed copy, duplicates) are placed by one task: the bytes are
/// copied once and the other names hard-linked to them.
struct Placement: Sendable {
    let jobs: Int
    /// Where the bytes of hashed files are kept for later releases (`COLLECTSTATIC_CACHE_DIR`).
    let cache: CacheFolder?
    let observer: any CollectionObserver

    /// Files placed, counted Django's way.
    struct Counts: Sendable, Equatable {
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

    func place(_ plan: ReleasePlan, into tree: any ReleaseTree) async throws(CollectStaticError) -> Counts {
        let observer = self.observer
        // Files are the originals (Django's count), bytes every file placed.
        let progress = ProgressCounter(
            .copying, totalFiles: plan.files.count { $0.role == .original },
            totalBytes: plan.files.reduce(0) { $0 + $1.size }, observer: observer)
        let cache = tree.writesFiles ? self.cache : nil
        let groups = SameBytesGroups(plan.files)
        let counts = Mutex(Counts())
        _ = try await parallelMap(Array(0..<groups.count), limit: jobs) { group throws(CollectStaticError) in
            let members = groups[group]
            for index in members {
                let file = plan.files[index]
                let name = file.name  // a hashed name is made, not stored: made once per file
                let first = members.first.flatMap { $0 == index ? nil : plan.files[$0].name }
                let outcome = try tree.place(file, sameBytesAs: first)
                if file.role == .hashed, let cache {
                    cache.storeBlob(integrity: file.integrity, from: tree.placedFile(name))
                }
                switch file.role {
                case .original: observer.handle(outcome == .written ? .copied(name) : .unmodified(name))
                case .hashed where outcome == .written:
                    if case .asset(let asset, _) = file.content {
                        observer.handle(.postProcessed(original: asset.asset.logicalPath, hashed: name))
                    }
                default: break
                }
                progress.advance(files: file.role == .original ? 1 : 0, bytes: file.size, worked: outcome == .written)
                counts.withLock { $0.count(file.role, outcome) }
            }
        }
        for name in plan.carried { try tree.carry(name) }
        return counts.withLock { $0 }
    }
}
