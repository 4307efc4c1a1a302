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
        for (index, segment) in encoded.split(separator: "/", omittingEmptySubsequences: false).enumerated() {
            guard let decoded = URLPath.decode(segment, strict: true), !decoded.contains(UInt8(ascii: "/")) else {
                return nil
            }
            if index > 0 { bytes.append(UInt8(ascii: "/")) }
            bytes.append(contentsOf: decoded)
        }
        guard let name = String(validating: bytes, as: UTF8.self), SafeName.isSafe(name) else { return nil }
        return name
    }
}

extension RequestPath {
    /// `target` without `?query` or `#fragment`.
    static func withoutQuery(_ target: String) -> String {
        guard let end = target.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return target }
        return String(target[..<end])
    }
}
