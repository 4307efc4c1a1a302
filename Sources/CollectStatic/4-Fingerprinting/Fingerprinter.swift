import Crypto
import StaticAssets

/// Gives every asset its hashed name. Files without references are hashed as they are (in
/// parallel); rewritable files are processed in dependency order, each rewritten with its
/// dependencies' final names and then hashed, so a changed image changes the name of every
/// stylesheet that reaches it. A reference cycle is fingerprinted as one unit: its members' hashes
/// derive from the digest of all members together, so the result is deterministic and any change
/// inside the cycle renames every member.
enum Fingerprinter {
    /// `plan` is let go before the result is made (the reference graph and the result are never
    /// held at once).
    static func run(
        _ plan: consuming ReferenceGraph, spool: Spool, jobs: Int, observer: any CollectionObserver = SilentObserver()
    ) async throws(CollectStaticError) -> FingerprintedAssets {
        let progress = ProgressCounter(
            .hashing, totalFiles: plan.assets.count, totalBytes: plan.assets.reduce(0) { $0 + $1.size },
            observer: observer)
        let assets = plan.assets
        let digests: Digests
        do {
            // The scan's digests are taken over (the plan's list let go) and the rest filled in place.
            var found = plan.digests
            plan.digests = []
            let unscanned = found.indices.filter { found[$0] == nil }
            // Scanned files were hashed as they were scanned.
            if unscanned.count < assets.count {
                let scannedBytes = assets.indices.reduce(0) { $0 + (found[$1] == nil ? 0 : assets[$1].size) }
                progress.advance(files: assets.count - unscanned.count, bytes: scannedBytes)
            }
            try await parallelForEach(unscanned.count, limit: jobs) { position throws(CollectStaticError) in
                defer { progress.advance(bytes: assets[unscanned[position]].size) }
                return try ContentDigest(ofFile: assets[unscanned[position]].filePath)
            } collect: { position, digest in
                found[unscanned[position]] = digest
            }
            digests = Digests(list: found)
        }
        try FileSystem.makeDirectories(spool.root)
        // Only what differs from the source is kept per file: the fingerprint of a rewritten file or
        // a cycle member, and the rewritten copy.
        var fingerprints = Fingerprints(digests: digests)
        var rewritten: [Int: FingerprintedAssets.Rewritten] = [:]
        // Components of one level depend only on lower levels: each level runs in parallel.
        for level in levels(of: plan) {
            let known = fingerprints
            let graph = copy plan
            try await parallelForEach(level.count, limit: jobs) { position throws(CollectStaticError) in
                try fingerprint(level[position], of: graph, digests: digests, fingerprints: known, spool: spool)
            } collect: { _, results in
                for result in results {
                    fingerprints[result.member] = result.fingerprint
                    if result.isRewritten, let digest = result.digest {
                        rewritten[result.member] = .init(
                            spool: spool, index: result.member, size: result.size, digest: digest)
                    }
                }
            }
        }
        plan = ReferenceGraph(assets: [], nodes: [], digests: [], components: [], warnings: MissingReferences())
        observer.handle(.memoryLetGo)
        return FingerprintedAssets(
            sources: assets, digests: digests.list, nameHashes: fingerprints.changed, rewritten: rewritten)
    }

    /// Every file's digest: the scan's, and the others' filled in before any is read (in place: the
    /// list is not copied to unwrap it).
    private struct Digests: Sendable {
        let list: [ContentDigest?]

        subscript(index: Int) -> ContentDigest { list[index]! }
    }

    /// Each file's fingerprint: its source's MD5 unless fingerprinting gave it another.
    private struct Fingerprints: Sendable {
        let digests: Digests
        var changed: [Int: NameHash] = [:]

        subscript(index: Int) -> NameHash {
            get { changed[index] ?? digests[index].nameHash }
            set { changed[index] = newValue == digests[index].nameHash ? nil : newValue }
        }
    }

    /// What fingerprinting one member of a component decided.
    private struct Result: Sendable {
        var member: Int
        var fingerprint: NameHash
        /// The digest of the rewritten bytes (nil: the source's, unchanged).
        var digest: ContentDigest?
        /// True when the rewritten bytes differ from the source's and were written to the spool.
        var isRewritten = false
        var size: Int
    }

    /// The components in levels: a component's level is one more than the highest level among the
    /// components it references (0 when it references only files that are not rewritten).
    private static func levels(of plan: ReferenceGraph) -> [[[Int]]] {
        var componentOf = [Int](repeating: -1, count: plan.nodes.count)
        for (index, component) in plan.components.enumerated() {
            for member in component { componentOf[member] = index }
        }
        var levelOf = [Int](repeating: 0, count: plan.components.count)
        var levels: [[[Int]]] = []
        for (index, component) in plan.components.enumerated() {
            var level = 0
            for member in component {
                for edge in plan.nodes[member].edges {
                    let target = componentOf[edge.target]
                    if target >= 0 && target != index { level = max(level, levelOf[target] + 1) }
                }
            }
            levelOf[index] = level
            while levels.count <= level { levels.append([]) }
            levels[level].append(component)
        }
        return levels
    }

    /// Fingerprints one component (one file, or the members of a reference cycle) once everything
    /// it references outside itself has its final name; rewritten bytes go to the spool at once.
    private static func fingerprint(
        _ component: [Int], of plan: ReferenceGraph, digests: Digests, fingerprints known: Fingerprints,
        spool: Spool
    ) throws(CollectStaticError) -> [Result] {
        var fingerprints = known
        let isCycle = component.count > 1 || plan.nodes[component[0]].edges.contains { $0.target == component[0] }
        if isCycle {
            let members = Set(component)
            var unit = Insecure.MD5()
            for member in component {
                let source = try sourceBytes(of: member, in: plan, digest: digests[member])
                let partial = rewrite(member, source, in: plan, fingerprints) { !members.contains($0) }
                unit.update(data: Array(plan.assets[member].logicalPath.utf8) + [0])
                unit.update(data: Array(String(partial.count).utf8) + [0])
                unit.update(data: partial)
            }
            let unitDigest = unit.finalize().hexString
            for member in component {
                let seed = Array((unitDigest + "\u{0}" + plan.assets[member].logicalPath).utf8)
                fingerprints[member] = NameHash(Insecure.MD5.hash(data: seed))
            }
        }
        var results: [Result] = []
        for member in component {
            var result = Result(member: member, fingerprint: fingerprints[member], size: plan.assets[member].size)
            defer { results.append(result) }
            guard !plan.nodes[member].edges.isEmpty else { continue }
            let source = try sourceBytes(of: member, in: plan, digest: digests[member])
            let bytes = rewrite(member, source, in: plan, fingerprints) { _ in true }
            let digest = ContentDigest(of: bytes)
            if !isCycle { result.fingerprint = digest.nameHash }
            result.digest = digest
            guard bytes != source else { continue }
            // Final: written now and let go.
            try FileSystem.writeNew(bytes, to: spool.path(member))
            result.isRewritten = true
            result.size = bytes.count
        }
        return results
    }

    /// The source of a scanned file, checked against the digest taken when it was scanned: a file
    /// that changed during the run is an error, never a hashed name over the wrong bytes.
    private static func sourceBytes(of member: Int, in plan: ReferenceGraph, digest: ContentDigest)
        throws(CollectStaticError) -> [UInt8]
    {
        let path = plan.assets[member].filePath
        let bytes = try FileSystem.readFile(path)
        guard ContentDigest.md5(of: bytes) == digest.md5 else { throw .changedDuringRun(path: path) }
        return bytes
    }

    /// The node's source with each reference whose target passes `include` pointing at the
    /// target's hashed name.
    private static func rewrite(
        _ member: Int, _ source: [UInt8], in plan: ReferenceGraph, _ fingerprints: Fingerprints,
        include: (Int) -> Bool
    ) -> [UInt8] {
        // Edges are in source order: each is rewritten as it is reached, with no list of them.
        ReferenceRewriter.rewrite(source, inOrder: plan.nodes[member].edges, reference: { $0.reference(in: source) }) {
            edge, reference in
            guard include(edge.target) else { return nil }
            let target = HashedName.make(
                plan.assets[edge.target].logicalPath, hash: fingerprints[edge.target].description)
            return ReferenceResolver.rewritten(reference.url, hashedName: target)
        }
    }
}
