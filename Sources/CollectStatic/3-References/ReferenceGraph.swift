/// The reference graph of one run: every found asset, the references its CSS/JS makes, what each
/// resolves to, and the order to fingerprint in (dependencies first; a reference cycle is one
/// component). Every missing reference is collected before anything is written.
struct ReferenceGraph: Sendable {
    /// One asset's place in the graph (the asset itself is `assets[i]`, its digest `digests[i]`).
    struct Node: Sendable {
        /// Resolved references, in file order, with the index of the node they point at (none for
        /// a file that is not scanned, or whose references all point outside the tree).
        var edges: [Edge]
    }

    /// A resolved reference: where it is in the source and what it points at. Its text is not
    /// kept: the source is read again to be rewritten (and proven unchanged by its digest), and the
    /// reference is read from there (`reference(in:)`).
    struct Edge: Sendable {
        /// Offsets in the source, 32 bits each (a scanned file is under 4 GB): a large tree has
        /// tens of thousands of edges.
        private var start, urlStart, urlEnd, end, clause: UInt32
        private var targetIndex: Int32
        var form: Reference.Form

        init(_ reference: Reference, target: Int) {
            targetIndex = Int32(target)
            start = UInt32(reference.matchRange.lowerBound)
            end = UInt32(reference.matchRange.upperBound)
            urlStart = UInt32(reference.urlRange.lowerBound)
            urlEnd = UInt32(reference.urlRange.upperBound)
            clause = UInt32(reference.clauseEnd)
            form = reference.form
        }

        var target: Int { Int(targetIndex) }
        var matchRange: Range<Int> { Int(start)..<Int(end) }
        var urlRange: Range<Int> { Int(urlStart)..<Int(urlEnd) }
        var clauseEnd: Int { Int(clause) }

        /// The reference in `bytes`, the source it was found in.
        func reference(in bytes: [UInt8]) -> Reference {
            Reference(
                url: String(decoding: bytes[urlRange], as: UTF8.self), matchRange: matchRange, urlRange: urlRange,
                line: 0, column: 0, form: form, matchedText: "", clauseEnd: clauseEnd)
        }
    }

    /// The found assets (the caller's array: not copied).
    var assets: [SourceAsset]
    var nodes: [Node]
    /// The digests of the sources, taken when they were scanned (nil for files not scanned, which
    /// the fingerprinter hashes).
    var digests: [ContentDigest?]
    /// Strongly connected components of the files with references, each sorted by logical path, in
    /// dependency order. (A file without references is its own digest: it needs no place here.)
    var components: [[Int]]
    /// References left as written because their target is missing and allowed to be.
    var warnings: MissingReferences

    /// What scanning one file found. Its bytes are let go as soon as it is scanned, and so are the
    /// references that point outside the tree: the plan keeps only edges and digests, whatever the
    /// size of the tree.
    private enum Scan: Sendable {
        case notScanned
        case scanned(ContentDigest, edges: [Edge], problems: Problems?)
        case invalidUTF8(offset: Int)
    }

    /// One file's references to what the tree does not hold: the first few of each kind in full, the
    /// rest only counted, so that a file of millions of missing references is scanned and reported
    /// in memory near its size.
    private struct Problems: Sendable {
        var missing: [MissingReference] = []
        var missingCount = 0
        var warnings: [MissingReference] = []
        var warningCount = 0

        mutating func add(_ report: MissingReference, warning: Bool) {
            if warning {
                if warnings.count < MissingReferences.shownLimit { warnings.append(report) }
                warningCount += 1
            } else {
                if missing.count < MissingReferences.shownLimit { missing.append(report) }
                missingCount += 1
            }
        }
    }

    /// Reads and scans the rewritable files (at most `jobs` at once) and resolves their references
    /// against `assets` only (never against what is already in STATIC_ROOT).
    static func make(assets: [SourceAsset], configuration: Configuration, jobs: Int = 1)
        async throws(CollectStaticError) -> ReferenceGraph
    {
        let jsModules = configuration.jsModules
        let index = AssetIndex(assets)
        let resolver = ReferenceResolver(staticURL: configuration.staticURL)
        let allowedMissing = configuration.missingReferenceIgnore.map(IgnorePattern.init)
        let warnOnly = configuration.missingReferences == .warn
        // Each file's scan goes straight into its node as it finishes: no list of every scan is made.
        var nodes = [Node](repeating: Node(edges: []), count: assets.count)
        var digests = [ContentDigest?](repeating: nil, count: assets.count)
        var invalidUTF8: [Int: Int] = [:]
        var problemsOf: [Int: Problems] = [:]
        try await parallelForEach(assets.count, limit: jobs) { position throws(CollectStaticError) -> Scan in
            let asset = assets[position]
            guard let syntax = ReferenceSyntax.forPath(asset.logicalPath, jsModules: jsModules) else {
                return .notScanned
            }
            let bytes = try FileSystem.readFile(asset.filePath)
            guard bytes.count < UInt32.max else {
                throw .source(path: asset.filePath, reason: "4 GB or more: too large to scan for references")
            }
            if let offset = firstInvalidUTF8Offset(bytes) { return .invalidUTF8(offset: offset) }
            var edges: [Edge] = []
            var problems = Problems()
            ReferenceScanner.forEach(in: bytes, syntax: syntax) { reference in
                let target: String
                switch resolver.resolve(reference.url, from: asset.logicalPath) {
                case .external:
                    return
                case .asset(let path):
                    if let position = index.position(of: path) {
                        edges.append(Edge(reference, target: position))
                        return
                    }
                    // A folder of the tree written without its trailing slash (`url(../img)`):
                    // Django finds it, cannot open it as a file and leaves the url alone.
                    if index.isFolder(path) { return }
                    target = path
                case .escapes(let path):
                    target = path
                }
                let report = MissingReference(
                    source: asset.logicalPath, line: reference.line, column: reference.column,
                    text: reference.matchedText, target: target)
                problems.add(report, warning: warnOnly || allowedMissing.anyMatches(target))
            }
            let found = problems.missingCount + problems.warningCount > 0
            return .scanned(ContentDigest(of: bytes), edges: edges, problems: found ? problems : nil)
        } collect: { position, scan in
            switch scan {
            case .notScanned: break
            case .invalidUTF8(let offset): invalidUTF8[position] = offset
            case .scanned(let digest, let edges, let problems):
                nodes[position] = Node(edges: edges)
                digests[position] = digest
                if let problems { problemsOf[position] = problems }
            }
        }
        // Problems are reported in the order of the assets.
        var missing = MissingReferences()
        var warnings = MissingReferences()
        for position in Set(invalidUTF8.keys).union(problemsOf.keys).sorted() {
            let asset = assets[position]
            if let offset = invalidUTF8[position] {
                if configuration.invalidUTF8 == .copy { continue }
                throw .invalidUTF8(path: asset.filePath, byteOffset: offset)
            }
            guard let problems = problemsOf[position] else { continue }
            missing.add(problems.missing, count: problems.missingCount)
            warnings.add(problems.warnings, count: problems.warningCount)
        }
        if missing.count > 0 { throw .missingReferences(missing) }
        return ReferenceGraph(
            assets: assets, nodes: nodes, digests: digests, components: components(of: nodes), warnings: warnings)
    }

    /// Tarjan's algorithm, iterative; emits each component after every component it depends on.
    static func components(of nodes: [Node]) -> [[Int]] {
        var indexOf = [Int](repeating: -1, count: nodes.count)
        var lowLink = [Int](repeating: 0, count: nodes.count)
        var onStack = [Bool](repeating: false, count: nodes.count)
        var stack: [Int] = []
        var counter = 0
        var result: [[Int]] = []
        for start in nodes.indices where indexOf[start] < 0 && !nodes[start].edges.isEmpty {
            var work: [(node: Int, edge: Int)] = [(start, 0)]
            indexOf[start] = counter
            lowLink[start] = counter
            counter += 1
            stack.append(start)
            onStack[start] = true
            while let (node, edge) = work.last {
                let edges = nodes[node].edges
                if edge < edges.count {
                    work[work.count - 1].edge += 1
                    let next = edges[edge].target
                    if indexOf[next] < 0 {
                        indexOf[next] = counter
                        lowLink[next] = counter
                        counter += 1
                        stack.append(next)
                        onStack[next] = true
                        work.append((next, 0))
                    } else if onStack[next] {
                        lowLink[node] = min(lowLink[node], indexOf[next])
                    }
                    continue
                }
                work.removeLast()
                if let parent = work.last?.node { lowLink[parent] = min(lowLink[parent], lowLink[node]) }
                if lowLink[node] == indexOf[node] {
                    var component: [Int] = []
                    while let member = stack.popLast() {
                        onStack[member] = false
                        component.append(member)
                        if member == node { break }
                    }
                    result.append(component.sorted())
                }
            }
        }
        // Files without references (reached as targets) need no ordering.
        return result.filter { $0.count > 1 || !nodes[$0[0]].edges.isEmpty }
    }
}

/// Finds an asset by logical path: a binary search when the assets are sorted by it (as the finder
/// returns them, so no index of the tree is built), a dictionary otherwise.
struct AssetIndex: Sendable {
    private let assets: [SourceAsset]
    private let positions: [String: Int]?

    init(_ assets: [SourceAsset]) {
        self.assets = assets
        let sorted = zip(assets, assets.dropFirst()).allSatisfy { utf8Less($0.logicalPath, $1.logicalPath) }
        positions = sorted ? nil : Dictionary(assets.enumerated().map { ($1.logicalPath, $0) }) { first, _ in first }
    }

    func position(of logicalPath: String) -> Int? {
        if let positions { return positions[logicalPath] }
        let low = utf8LowerBound(assets, logicalPath) { $0.logicalPath }
        return low < assets.count && sameBytes(assets[low].logicalPath, logicalPath) ? low : nil
    }

    /// Whether `path` is a folder of the tree: some asset's logical path starts with `path/`.
    func isFolder(_ path: String) -> Bool {
        let prefix = path + "/"
        if positions != nil { return assets.contains { $0.logicalPath.utf8.starts(with: prefix.utf8) } }
        let low = utf8LowerBound(assets, prefix) { $0.logicalPath }
        return low < assets.count && assets[low].logicalPath.utf8.starts(with: prefix.utf8)
    }
}

/// Byte offset of the first byte that is not part of well-formed UTF-8, or nil.
func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
    var i = 0
    let n = bytes.count
    while i < n {
        let b = bytes[i]
        if b < 0x80 {
            i += 1
            continue
        }
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch b {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: return i
        }
        guard i + length <= n else { return i }
        guard (lower...upper).contains(bytes[i + 1]) else { return i }
        for k in 2..<max(2, length) where !(0x80...0xBF).contains(bytes[i + k]) { return i }
        i += length
    }
    return nil
}
