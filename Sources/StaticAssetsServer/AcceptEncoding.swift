import StaticAssets

/// A parsed `Accept-Encoding` field (RFC 9110 §12.5.3) and the choice it leads to.
///
/// - No field at all: only identity is sent (what browsers expect of a server that has a choice).
/// - `q=0` refuses a coding; `*` gives its weight to every coding not listed, identity included.
/// - Identity stays acceptable, at the lowest preference, unless `identity;q=0`, or `*;q=0` without an
///   `identity` entry, refuses it.
/// - Tokens and parameters are case-insensitive; `x-gzip` means gzip. Malformed members (bad `q`,
///   stray `;`) are skipped, never fatal. Codings the server does not have are ignored.
public struct AcceptEncoding: Sendable, Equatable {
    /// Whether the request carried the field (an empty value still counts as present).
    public let isPresent: Bool
    /// Weights in thousandths (0…1000) of the members that were listed, per coding, and of `*`.
    private var listed: [ContentEncoding: Int] = [:]
    /// Listed tokens that are no `ContentEncoding` (e.g. `dcz`), lowercased.
    private var others: [String: Int] = [:]
    private var any: Int?

    public init(_ header: String?) {
        isPresent = header != nil
        guard let header else { return }
        let bytes = Array(header.utf8)
        for member in bytes.split(separator: UInt8(ascii: ",")) {
            guard let (token, weight) = Self.parseMember(member) else { continue }
            if Self.matches(token, "*") {
                any = max(any ?? 0, weight)
            } else if let coding = Self.coding(token) {
                listed[coding] = max(listed[coding] ?? 0, weight)
            } else {
                let name = String(decoding: token, as: UTF8.self).lowercased()
                others[name] = max(others[name] ?? 0, weight)
            }
        }
    }

    /// How much the client wants `coding`, in thousandths (0: refused). Identity accepted only by
    /// default gets 1, so that any coding the client lists wins over it.
    public func weight(of coding: ContentEncoding) -> Int {
        guard isPresent else { return coding == .identity ? 1000 : 0 }
        if let explicit = listed[coding] { return explicit }
        if let any { return any }
        return coding == .identity ? 1 : 0
    }

    /// How much the client wants a coding that has no file variant, such as `dcz` (lowercase token).
    public func weight(ofToken token: String) -> Int {
        guard isPresent else { return 0 }
        return others[token] ?? any ?? 0
    }

    /// The most wanted of `available`, ties going to the server's order (br, gzip, identity); nil when
    /// the client refuses all of them (a 406).
    public func preferred(among available: some Sequence<ContentEncoding>) -> ContentEncoding? {
        var best: (coding: ContentEncoding, weight: Int)?
        for coding in available {
            let weight = weight(of: coding)
            guard weight > 0 else { continue }
            if let current = best, current.weight > weight || (current.weight == weight && current.coding < coding) {
                continue
            }
            best = (coding, weight)
        }
        return best?.coding
    }

    /// `token [; q=value] [; other=param]` → (token bytes, weight); nil when malformed.
    static func parseMember(_ member: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, Int)? {
        let parts = member.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
        let token = trimmed(parts[0])
        guard !token.isEmpty, token.allSatisfy(isTokenByte) else { return nil }
        var weight = 1000
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { return nil }
            guard matches(trimmed(pair[0]), "q") else { continue }
            guard let parsed = parseQValue(trimmed(pair[1])) else { return nil }
            weight = parsed
        }
        return (token, weight)
    }

    static func coding(_ token: ArraySlice<UInt8>) -> ContentEncoding? {
        ContentEncoding(token: String(decoding: token, as: UTF8.self))
    }

    /// RFC 9110 `qvalue`: `0[.ddd]` or `1[.000]`, in thousandths.
    static func parseQValue(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        var value = Int(first - UInt8(ascii: "0")) * 1000
        guard bytes.count > 1 else { return value }
        let rest = bytes.dropFirst()
        guard rest.first == UInt8(ascii: "."), rest.count <= 4 else { return nil }
        var scale = 100
        for digit in rest.dropFirst() {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            value += Int(digit - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        return value <= 1000 ? value : nil
    }

    /// ASCII case-insensitive comparison with a lowercase literal.
    static func matches(_ bytes: ArraySlice<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in zip(bytes, expected).allSatisfy { asciiLowercase($0) == $1 } }
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isOWS = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let start = bytes.firstIndex(where: { !isOWS($0) }), let end = bytes.lastIndex(where: { !isOWS($0) })
        else {
            return bytes[bytes.endIndex...]
        }
        return bytes[start...end]
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingOWS() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
