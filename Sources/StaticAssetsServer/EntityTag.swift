import StaticAssets

/// An entity tag (RFC 9110 §8.8.3): `"opaque"` or weak `W/"opaque"`.
public struct EntityTag: Sendable, Equatable, CustomStringConvertible {
    public let opaque: String
    public let isWeak: Bool

    public init(opaque: String, isWeak: Bool = false) {
        self.opaque = opaque
        self.isWeak = isWeak
    }

    /// The field value: `"…"` or `W/"…"`.
    public var description: String { (isWeak ? "W/\"" : "\"") + opaque + "\"" }

    /// Weak comparison (If-None-Match): the opaque parts are equal, weakness aside.
    public func weaklyMatches(_ other: EntityTag) -> Bool { opaque == other.opaque }

    /// Strong comparison (If-Range): both strong and equal.
    public func stronglyMatches(_ other: EntityTag) -> Bool { !isWeak && !other.isWeak && opaque == other.opaque }

    /// Whether an `If-None-Match` value (`*` or a list of tags) matches `current`, i.e. the client's
    /// copy is current and a 304 is due.
    public static func noneMatchCondition(_ header: String, matches current: EntityTag) -> Bool {
        let list = parseList(header)
        return list.any || list.tags.contains { $0.weaklyMatches(current) }
    }

    /// Parses `*` or `#entity-tag`, skipping malformed members. (`w/` is accepted for `W/`.)
    public static func parseList(_ header: String) -> (any: Bool, tags: [EntityTag]) {
        var tags: [EntityTag] = []
        var rest = Substring(header)
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," }
            guard !rest.isEmpty else { break }
            if rest.hasPrefix("*") {
                let after = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
                if after.isEmpty || after.hasPrefix(",") { return (true, tags) }
            }
            var weak = false
            if rest.hasPrefix("W/") || rest.hasPrefix("w/") {
                weak = true
                rest = rest.dropFirst(2)
            }
            if rest.hasPrefix("\""), let close = rest.dropFirst().firstIndex(of: "\"") {
                tags.append(EntityTag(opaque: String(rest[rest.index(after: rest.startIndex)..<close]), isWeak: weak))
                rest = rest[rest.index(after: close)...]
            } else {
                // Not a quoted tag: skip to the next member.
                rest = rest.drop { $0 != "," }
            }
        }
        return (false, tags)
    }
}
