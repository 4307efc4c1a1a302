/// A manifest's JSON read field by field in document order (`JSONReader`), with the checks
/// Django's loader makes. The whole text is read (so that invalid JSON anywhere is refused as
/// such) before a problem of its content is reported, in the order: version, `paths`, `files`,
/// `generation`, `previous`.
struct ManifestDocument {
    private var version: String?
    private var paths: [String: String]?
    private var pathsProblem: String?
    private var hash = ""
    private var files: [String: ManifestEntry] = [:]
    private var malformedFile: String?
    private var compression: String?
    /// The current release's fields (its paths are the manifest's); `.some(nil)` when malformed.
    private var generation: ReleaseFields??
    private var previous: [ReleaseRecord] = []
    private var previousProblem: String?
    /// Given each entry of `files` instead of keeping them (nil: they are kept).
    var eachFile: ((String, ManifestEntry) -> Void)?
    /// The names `paths` holds: a name of `files` that is one of them shares its storage.
    private var pathNames: Set<String> = []

    private struct ReleaseFields {
        var id: String
        var created: String
        var retired: String?
    }

    mutating func read(_ reader: inout JSONReader) throws {
        guard try reader.nextIs(.object) else {
            try reader.finish()
            throw ManifestProblem.corrupt("top level is not a JSON object")
        }
        try reader.readObject { reader, key in
            switch key {
            case "version": version = try reader.stringOrSkip()
            case "hash": hash = try reader.stringOrSkip() ?? ""
            case "compression": compression = try reader.stringOrSkip()
            case "paths": try readPaths(&reader)
            case "files": try readFiles(&reader)
            case "generation": generation = .some(try Self.releaseFields(&reader))
            case "previous": try readPrevious(&reader)
            default: try reader.skipValue()
            }
        }
        try reader.finish()
    }

    func manifest() throws(ManifestProblem) -> Manifest {
        guard let version else { throw .unsupportedVersion(nil) }
        guard Manifest.supportedVersions.contains(version) else { throw .unsupportedVersion(version) }
        if let pathsProblem { throw .corrupt(pathsProblem) }
        guard let paths else { throw .corrupt("\"paths\" is missing or not an object") }
        if let malformedFile { throw .corrupt("\"files\"[\"\(malformedFile)\"] is malformed") }
        var release: ReleaseRecord?
        if let generation {
            guard let fields = generation else { throw .corrupt("\"generation\" is malformed") }
            release = ReleaseRecord(id: fields.id, created: fields.created, retired: fields.retired, paths: paths)
        }
        if let previousProblem { throw .corrupt(previousProblem) }
        return Manifest(
            paths: paths, version: version, hash: hash, files: files, compression: compression, release: release,
            previousReleases: previous)
    }

    private mutating func readPaths(_ reader: inout JSONReader) throws {
        guard try reader.nextIs(.object) else {
            paths = nil
            return
        }
        var paths: [String: String] = [:]
        var names: Set<String> = []
        var problem: String?
        try reader.readObject { reader, key in
            if let hashed = try reader.stringOrSkip() {
                paths[key] = hashed
                names.insert(key)
                names.insert(hashed)
            } else if problem == nil {
                problem = "\"paths\"[\"\(key)\"] is not a string"
            }
        }
        self.paths = paths
        pathNames = names
        pathsProblem = problem
    }

    private mutating func readFiles(_ reader: inout JSONReader) throws {
        // Not an object: ignored, as Django ignores the key.
        guard try reader.nextIs(.object) else { return }
        var files: [String: ManifestEntry] = [:]
        var malformed: String?
        // A file and its hashed copy often have the same entry, one after the other: the second
        // shares the first's storage. So does a name with the same name in `paths`.
        var previous: ManifestEntry?
        let names = pathNames
        let eachFile = eachFile
        try reader.readObject { reader, name in
            guard var entry = try Self.entry(&reader) else {
                if malformed == nil { malformed = name }
                return
            }
            if let previous, previous == entry { entry = previous }
            previous = entry
            let name = names.firstIndex(of: name).map { names[$0] } ?? name
            if let eachFile { return eachFile(name, entry) }
            files[name] = entry
        }
        self.files = files
        pathNames = []
        malformedFile = malformed
    }

    private mutating func readPrevious(_ reader: inout JSONReader) throws {
        guard try reader.nextIs(.array) else {
            previousProblem = "\"previous\" is not a list of objects"
            return
        }
        var releases: [ReleaseRecord] = []
        var problem: String?
        try reader.readArray { reader in
            guard try reader.nextIs(.object) else {
                if problem == nil { problem = "\"previous\" is not a list of objects" }
                return
            }
            var paths: [String: String]?
            var pathsMalformed = false
            var fields: ReleaseFields??
            try Self.readRelease(&reader, into: &fields) { reader in
                guard try reader.nextIs(.object) else {
                    pathsMalformed = true
                    return
                }
                var read: [String: String] = [:]
                try reader.readObject { reader, key in
                    if let hashed = try reader.stringOrSkip() { read[key] = hashed } else { pathsMalformed = true }
                }
                paths = read
            }
            guard case .some(.some(let fields)) = fields, let paths, !pathsMalformed else {
                if problem == nil { problem = "\"previous\" holds a malformed release" }
                return
            }
            releases.append(
                ReleaseRecord(id: fields.id, created: fields.created, retired: fields.retired, paths: paths))
        }
        previous = releases
        previousProblem = problem
    }

    /// A release's `id`, `created` and `retired`; nil when it is not an object or lacks one of the first two.
    private static func releaseFields(_ reader: inout JSONReader) throws -> ReleaseFields? {
        guard try reader.nextIs(.object) else {
            return nil
        }
        var fields: ReleaseFields??
        try readRelease(&reader, into: &fields) { reader in try reader.skipValue() }
        return fields ?? nil
    }

    /// Reads a release object; `paths` reads its `paths` value.
    private static func readRelease(
        _ reader: inout JSONReader, into fields: inout ReleaseFields??, paths: (inout JSONReader) throws -> Void
    ) throws {
        var id: String?
        var created: String?
        var retired: String?
        try reader.readObject { reader, key in
            switch key {
            case "id": id = try reader.stringOrSkip()
            case "created": created = try reader.stringOrSkip()
            case "retired": retired = try reader.stringOrSkip()
            case "paths": try paths(&reader)
            default: try reader.skipValue()
            }
        }
        if let id, let created {
            fields = .some(ReleaseFields(id: id, created: created, retired: retired))
        } else {
            fields = .some(nil)
        }
    }

    /// One entry of `files`; nil (its value read all the same) when one of its fields is malformed.
    static func entry(_ reader: inout JSONReader) throws -> ManifestEntry? {
        guard try reader.nextIs(.object) else {
            return nil
        }
        var size: Int?
        var integrity: String?
        var malformed = false
        var encodings: [ContentEncoding: ManifestVariant] = [:]
        var deltas: [DeltaCoding: [String: ManifestVariant]] = [:]
        try reader.readObject { reader, key in
            switch key {
            case "size": size = try reader.integerOrSkip()
            case "integrity": integrity = try reader.stringOrSkip()
            case "encodings":
                guard try reader.nextIs(.object) else {
                    malformed = true
                    return
                }
                try reader.readObject { reader, token in
                    // Unknown encodings (from a newer collectstatic) are skipped, not an error.
                    guard let encoding = ContentEncoding(token: token), encoding != .identity else {
                        return try reader.skipValue()
                    }
                    if try reader.peek() == .number {
                        // Written before variants had digests.
                        if let count = try reader.readInteger() {
                            encodings[encoding] = ManifestVariant(size: count)
                        } else {
                            malformed = true
                        }
                    } else if let variant = try Self.variant(&reader, digestRequired: false) {
                        encodings[encoding] = variant
                    } else {
                        malformed = true
                    }
                }
            default:
                guard let coding = DeltaCoding.allCases.first(where: { $0.token == key }) else {
                    return try reader.skipValue()
                }
                guard try reader.nextIs(.object) else {
                    malformed = true
                    return
                }
                var read: [String: ManifestVariant] = [:]
                try reader.readObject { reader, dictionary in
                    if let variant = try Self.variant(&reader, digestRequired: true) {
                        read[dictionary] = variant
                    } else {
                        malformed = true
                    }
                }
                deltas[coding] = read
            }
        }
        guard let size, let integrity, !malformed else { return nil }
        return ManifestEntry(
            size: size, integrity: integrity, encodings: encodings, deltas: deltas[.dcz] ?? [:],
            dcbDeltas: deltas[.dcb] ?? [:])
    }

    /// `{"size": N, "sha256": "…"}`; nil (read all the same) when it is not an object, has no
    /// integer size, or (`digestRequired`) no string digest.
    private static func variant(_ reader: inout JSONReader, digestRequired: Bool) throws -> ManifestVariant? {
        guard try reader.nextIs(.object) else {
            return nil
        }
        var size: Int?
        var digest: String?
        try reader.readObject { reader, key in
            switch key {
            case "size": size = try reader.integerOrSkip()
            case "sha256": digest = try reader.stringOrSkip()
            default: try reader.skipValue()
            }
        }
        guard let size, digest != nil || !digestRequired else { return nil }
        return ManifestVariant(size: size, sha256: digest)
    }
}
