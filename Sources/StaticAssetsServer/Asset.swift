import StaticAssets

/// What the responder knows about one served name before choosing a representation.
struct Asset: Sendable {
    /// How the ETag of a representation is made.
    enum Validator: Sendable {
        /// From the manifest's SRI value (strong; no disk read), plus the variant's size for `.br`/`.gz`.
        case integrity(String, variantSizes: [ContentEncoding: Int])
        /// From size and modification time of the file (weak: the bytes are not hashed).
        case fileStatus
    }

    /// The name in STATIC_ROOT (or the logical name in development mode).
    var name: String
    /// Representations that exist, in the server's order of preference (identity always last).
    var codings: [ContentEncoding]
    var cacheControl: String
    var validator: Validator
    /// Finds the file of one representation (checked to stay inside the root), with its bytes when
    /// they are held in memory.
    var locate: @Sendable (ContentEncoding) -> LocatedFile?
    /// RFC 9842 deltas of this file: coding → dictionary SHA-256 (hex) → delta size.
    var deltas: [DeltaCoding: [String: Int]] = [:]
    /// Finds the delta in one coding against a dictionary (by SHA-256 hex).
    var locateDelta: @Sendable (DeltaCoding, String) -> OpenFile? = { _, _ in nil }
    /// The `Use-As-Dictionary` value for this file, when it is offered as a dictionary.
    var useAsDictionary: String?

    /// Whether some request could get a delta of this file.
    var hasDeltas: Bool { deltas.values.contains { !$0.isEmpty } }

    /// The strong ETag of the delta in `coding` against `dictionary`.
    func deltaTag(_ coding: DeltaCoding, dictionary: String, size: Int) -> EntityTag? {
        guard case .integrity(let integrity, _) = validator else { return nil }
        let digest = integrity.split(separator: "-", maxSplits: 1).last.map(String.init) ?? integrity
        return EntityTag(opaque: "\(digest.prefix(32))-\(coding.token)-\(dictionary.prefix(16))-\(size)")
    }

    func entityTag(for coding: ContentEncoding, file: ContainedFile) -> EntityTag {
        Self.entityTag(validator, for: coding, file: file)
    }

    static func entityTag(_ validator: Validator, for coding: ContentEncoding, file: ContainedFile) -> EntityTag {
        switch validator {
        case .integrity(let integrity, let sizes):
            let digest = integrity.split(separator: "-", maxSplits: 1).last.map(String.init) ?? integrity
            var opaque = String(digest.prefix(32))
            if let token = coding.token { opaque += "-\(token)-\(sizes[coding] ?? file.size)" }
            return EntityTag(opaque: opaque)
        case .fileStatus:
            let hex = { (value: Int) in String(value, radix: 16) }
            let suffix = coding.token.map { "-" + $0 } ?? ""
            return EntityTag(
                opaque: "\(hex(file.size))-\(hex(file.modifiedSeconds)).\(hex(file.modifiedNanoseconds))\(suffix)",
                isWeak: true)
        }
    }
}
