import Crypto
import StaticAssets

/// A collected file with its final fingerprinted name. A class: every file of the next tree that
/// comes from this asset refers to the one record (the tree's metadata is what a run keeps).
public final class FingerprintedAsset: Sendable {
    public let asset: SourceAsset
    /// `css/app.3f2a9c1b7d4e.css`.
    public let hashedName: String
    /// The file holding the hashed copy's bytes when references were rewritten (in the run's
    /// spool, written as soon as they were final); nil when the hashed copy is a copy of the source.
    public let rewrittenFile: String?
    /// Size of the hashed copy.
    public let hashedSize: Int
    /// Digest of the hashed copy's bytes.
    public let digest: ContentDigest
    /// Digest of the source file (the copy under the original name).
    public let sourceDigest: ContentDigest

    init(
        asset: SourceAsset, hashedName: String, rewrittenFile: String?, hashedSize: Int, digest: ContentDigest,
        sourceDigest: ContentDigest
    ) {
        self.asset = asset
        self.hashedName = hashedName
        self.rewrittenFile = rewrittenFile
        self.hashedSize = hashedSize
        self.digest = digest
        self.sourceDigest = sourceDigest
    }
}

extension FingerprintedAsset {
    /// One file this asset puts into STATIC_ROOT.
    struct Output {
        var name: String
        var integrity: String
        var size: Int
        /// True for the hashed copy, false for the copy under the original name.
        var isHashedCopy: Bool
    }

    /// The hashed copy and the original, with the digest and size of what each holds.
    var outputs: [Output] {
        [
            Output(name: hashedName, integrity: digest.integrity, size: hashedSize, isHashedCopy: true),
            Output(name: asset.logicalPath, integrity: sourceDigest.integrity, size: asset.size, isHashedCopy: false),
        ]
    }
}

/// Where rewritten files are written as soon as their bytes are final, so that no run holds the
/// rewritten tree in memory: a private folder of the run (next to its staging tree, removed with it).
struct Spool: Sendable {
    let root: String

    func path(_ index: Int) -> String { root + "/" + String(index) }
}

/// Gives every asset its hashed name. Files without references are hashed as they are (in
/// parallel); rewritable files are processed in dependency order, each rewritten with its
/// dependencies' final names and then hashed, so a changed image changes the name of every
/// stylesheet that reaches it. A reference cycle is fingerprinted as one unit: its members' hashes
/// derive from the digest of all members together, so the result is deterministic and any change
/// inside the cycle renames every member.
enum Fingerprinter {
    static func run(
        _ plan: BuildPlan, spool: Spool, jobs: Int, observer: any CollectionObserver = SilentObserver()
    ) async throws(CollectStaticError) -> [FingerprintedAsset] {
        let progress = ProgressCounter(
            .hashing, totalFiles: plan.nodes.count, totalBytes: plan.nodes.reduce(0) { $0 + $1.asset.size },
            observer: observer)
        let digests = try await parallelMap(plan.nodes, limit: jobs) { node throws(CollectStaticError) in
            defer { progress.advance(bytes: node.asset.size) }
            if let digest = node.sourceDigest { return digest }
            return try ContentDigest(ofFile: node.asset.filePath)
        }
        try FileSystem.makeDirectories(spool.root)
        var fingerprints = digests.map(\.fingerprint)
        var rewritten = [String?](repeating: nil, count: plan.nodes.count)
        var sizes = plan.nodes.map(\.asset.size)
        var finalDigests = digests
        // Components of one level depend only on lower levels: each level runs in parallel.
        for level in levels(of: plan) {
            let known = fingerprints
            let results = try await parallelMap(level, limit: jobs) { component throws(CollectStaticError) in
                try fingerprint(component, of: plan, digests: digests, fingerprints: known, spool: spool)
            }
            for result in results.joined() {
                fingerprints[result.member] = result.fingerprint
                if let digest = result.digest { finalDigests[result.member] = digest }
                if let file = result.rewrittenFile {
                    rewritten[result.member] = file
                    sizes[result.member] = result.size
                }
            }
        }
        return plan.nodes.indices.map { index in
            FingerprintedAsset(
                asset: plan.nodes[index].asset,
                hashedName: HashedName.make(plan.nodes[index].asset.logicalPath, hash: fingerprints[index]),
                rewrittenFile: rewritten[index], hashedSize: sizes[index], digest: finalDigests[index],
                sourceDigest: digests[index])
        }
    }

    /// What fingerprinting one member of a component decided.
    private struct Result: Sendable {
        var member: Int
        var fingerprint: String
        /// The digest of the rewritten bytes (nil: the source's, unchanged).
        var digest: ContentDigest?
        var rewrittenFile: String?
        var size: Int
    }

    /// The components in levels: a component's level is one more than the highest level among the
    /// components it references (0 when it references only files that are not rewritten).
    private static func levels(of plan: BuildPlan) -> [[[Int]]] {
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
        _ component: [Int], of plan: BuildPlan, digests: [ContentDigest], fingerprints known: [String], spool: Spool
    ) throws(CollectStaticError) -> [Result] {
        var fingerprints = known
        let isCycle = component.count > 1 || plan.nodes[component[0]].edges.contains { $0.target == component[0] }
        if isCycle {
            let members = Set(component)
            var unit = Insecure.MD5()
            for member in component {
                let node = plan.nodes[member]
                let source = try sourceBytes(node, digest: digests[member])
                let partial = rewrite(node, source, in: plan, fingerprints) { !members.contains($0) }
                unit.update(data: Array(node.asset.logicalPath.utf8) + [0])
                unit.update(data: Array(String(partial.count).utf8) + [0])
                unit.update(data: partial)
            }
            let unitDigest = unit.finalize().hexString
            for member in component {
                let seed = Array((unitDigest + "\u{0}" + plan.nodes[member].asset.logicalPath).utf8)
                fingerprints[member] = String(Insecure.MD5.hash(data: seed).hexString.prefix(12))
            }
        }
        var results: [Result] = []
        for member in component {
            let node = plan.nodes[member]
            var result = Result(member: member, fingerprint: fingerprints[member], size: node.asset.size)
            defer { results.append(result) }
            guard !node.edges.isEmpty else { continue }
            let source = try sourceBytes(node, digest: digests[member])
            let bytes = rewrite(node, source, in: plan, fingerprints) { _ in true }
            let digest = ContentDigest(of: bytes)
            if !isCycle { result.fingerprint = digest.fingerprint }
            result.digest = digest
            guard bytes != source else { continue }
            // Final: written now and let go.
            try FileSystem.writeNew(bytes, to: spool.path(member))
            result.rewrittenFile = spool.path(member)
            result.size = bytes.count
        }
        return results
    }

    /// The source of a scanned file, checked against the digest taken when it was scanned: a file
    /// that changed during the run is an error, never a hashed name over the wrong bytes.
    private static func sourceBytes(_ node: BuildPlan.Node, digest: ContentDigest) throws(CollectStaticError)
        -> [UInt8]
    {
        let bytes = try FileSystem.readFile(node.asset.filePath)
        guard ContentDigest.md5(of: bytes) == digest.md5 else { throw .changedDuringRun(path: node.asset.filePath) }
        return bytes
    }

    /// The node's source with each reference whose target passes `include` pointing at the
    /// target's hashed name.
    private static func rewrite(
        _ node: BuildPlan.Node, _ source: [UInt8], in plan: BuildPlan, _ fingerprints: [String],
        include: (Int) -> Bool
    ) -> [UInt8] {
        var replacements: [Int: String] = [:]
        for edge in node.edges where include(edge.target) {
            let target = HashedName.make(plan.nodes[edge.target].asset.logicalPath, hash: fingerprints[edge.target])
            replacements[edge.reference.matchRange.lowerBound] = ReferenceResolver.rewritten(
                edge.reference.url, hashedName: target)
        }
        guard !replacements.isEmpty else { return source }
        return ReferenceRewriter.rewrite(source, references: node.edges.map(\.reference)) {
            replacements[$0.matchRange.lowerBound]
        }
    }
}
