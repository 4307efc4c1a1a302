import Crypto
import StaticAssets

/// A collected file with its final fingerprinted name.
public struct FingerprintedAsset: Sendable {
    public var asset: SourceAsset
    /// `css/app.3f2a9c1b7d4e.css`.
    public var hashedName: String
    /// The file holding the hashed copy's bytes when references were rewritten (in the run's
    /// spool, written as soon as they were final); nil when the hashed copy is a copy of the source.
    public var rewrittenFile: String?
    /// Size of the hashed copy.
    public var hashedSize: Int
    /// Digest of the hashed copy's bytes.
    public var digest: ContentDigest
    /// Digest of the source file (the copy under the original name).
    public var sourceDigest: ContentDigest
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
        for component in plan.components {
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
            for member in component {
                let node = plan.nodes[member]
                guard !node.edges.isEmpty else { continue }
                let source = try sourceBytes(node, digest: digests[member])
                let bytes = rewrite(node, source, in: plan, fingerprints) { _ in true }
                let digest = ContentDigest(of: bytes)
                if !isCycle { fingerprints[member] = digest.fingerprint }
                finalDigests[member] = digest
                guard bytes != source else { continue }
                // Final: written now and let go.
                try FileSystem.writeNew(bytes, to: spool.path(member))
                rewritten[member] = spool.path(member)
                sizes[member] = bytes.count
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
