import StaticAssets

/// From a request target to a logical name: strips the STATIC_URL prefix and the query, then
/// percent-decodes segment by segment, refusing anything that could leave the root.
enum RequestPath {
    /// The still-encoded part of `target` after `prefix` (which ends in `/`), without `?query` or
    /// `#fragment`; nil when `target` is not under `prefix`.
    static func relative(_ target: String, under prefix: String) -> Substring? {
        let utf8 = target.utf8
        let end = utf8.firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? utf8.endIndex
        guard utf8[..<end].starts(with: prefix.utf8) else { return nil }
        return Substring(utf8[utf8.index(utf8.startIndex, offsetBy: prefix.utf8.count)..<end])
    }

    /// The decoded name, or nil when it is malformed (bad `%` escape, invalid UTF-8) or unsafe: an
    /// encoded `/` (`%2f`), a backslash or NUL in any form, an empty, `.`, `..` or dot-prefixed segment.
    static func logicalName(_ encoded: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.utf8.count)
        var iterator = encoded.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            let decoded = high << 4 | low
            guard decoded != UInt8(ascii: "/") else { return nil }
            bytes.append(decoded)
        }
        guard let name = String(validating: bytes, as: UTF8.self), SafeName.isSafe(name) else { return nil }
        return name
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
