/// A parsed `Accept-Encoding` field (RFC 9110 §12.5.3) and the choice it leads to.
///
/// - No field at all: only identity is sent (what browsers expect of a server that has a choice).
/// - `q=0` refuses a coding; `*` gives its weight to every coding not listed, identity included.
/// - Identity stays acceptable, at the lowest preference, unless `identity;q=0`, or `*;q=0` without an
///   `identity` entry, refuses it.
/// - Tokens and parameters are case-insensitive; `x-gzip` means gzip. Malformed members (bad `q`,
///   stray `;`) are skipped, never fatal.
public struct AcceptEncoding: Sendable, Equatable {
    /// Weight per lowercased token (`*` included), in thousandths: 0…1000.
    public let weights: [String: Int]
    /// Whether the request carried the field (an empty value still counts as present).
    public let isPresent: Bool

    public init(_ header: String?) {
        isPresent = header != nil
        var weights: [String: Int] = [:]
        for member in (header ?? "").split(separator: ",") {
            guard let (token, weight) = Self.parseMember(member) else { continue }
            weights[token] = max(weights[token] ?? 0, weight)
        }
        self.weights = weights
    }

    /// How much the client wants `coding`, in thousandths (0: refused). Identity accepted only by
    /// default gets 1, so that any coding the client lists wins over it.
    public func weight(of coding: ContentCoding) -> Int {
        guard isPresent else { return coding == .identity ? 1000 : 0 }
        if let explicit = weights[coding.rawValue] { return explicit }
        if let any = weights["*"] { return any }
        return coding == .identity ? 1 : 0
    }

    /// The most wanted of `available`, ties going to the server's order (br, gzip, identity); nil when
    /// the client refuses all of them (a 406).
    public func preferred(among available: some Sequence<ContentCoding>) -> ContentCoding? {
        var best: (coding: ContentCoding, weight: Int)?
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

    /// `token [; q=value] [; other=param]` → (lowercased token, weight); nil when malformed.
    static func parseMember(_ member: Substring) -> (String, Int)? {
        let parts = member.split(separator: ";", omittingEmptySubsequences: false)
        let token = parts[0].trimmingOWS().lowercased()
        guard !token.isEmpty, token.utf8.allSatisfy(isTokenByte) else { return nil }
        var weight = 1000
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { return nil }
            guard pair[0].trimmingOWS().lowercased() == "q" else { continue }
            guard let parsed = parseQValue(pair[1].trimmingOWS()) else { return nil }
            weight = parsed
        }
        return (token == "x-gzip" ? "gzip" : token, weight)
    }

    /// RFC 9110 `qvalue`: `0[.ddd]` or `1[.000]`, in thousandths.
    static func parseQValue(_ text: Substring) -> Int? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        var value = Int(first - UInt8(ascii: "0")) * 1000
        guard bytes.count > 1 else { return value }
        guard bytes[1] == UInt8(ascii: "."), bytes.count <= 5 else { return nil }
        var scale = 100
        for digit in bytes.dropFirst(2) {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            value += Int(digit - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        return value <= 1000 ? value : nil
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
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
