import Foundation
import StaticAssets

/// The fields of Compression Dictionary Transport (RFC 9842) the responder reads and writes.
///
/// - `Use-As-Dictionary` on hashed CSS/JS/JSON/SVG/WASM responses tells the browser to keep the
///   file as a dictionary for later requests matching `match`: the same path with the hash replaced
///   by `*`, so the next release's `app.<new hash>.js` is requested with `Available-Dictionary`.
/// - `Available-Dictionary` is a structured-field byte sequence (`:<base64 of SHA-256>:`); anything
///   else is ignored, never an error.
/// - A delta is not used for a cross-origin request unless it is a navigation or a CORS request
///   (RFC 9842 §8: a `no-cors` cross-origin response must not be readable through a dictionary).
enum DictionaryTransport {
    /// Types whose hashed files are offered as dictionaries, with their `match-dest`.
    static let destinations: [String: String?] = [
        "js": "script", "mjs": "script", "css": "style", "json": nil, "svg": nil, "wasm": nil,
    ]

    /// `Use-As-Dictionary` for the hashed file `name` of `logicalPath` served under `urlPrefix`,
    /// or nil when its type is not offered as a dictionary.
    static func useAsDictionary(logicalPath: String, urlPrefix: String) -> String? {
        let basename = logicalPath.split(separator: "/").last.map(String.init) ?? logicalPath
        let ext = HashedName.splitExtension(basename).ext.dropFirst().lowercased()
        guard let destination = destinations[ext] else { return nil }
        // Every character URLPattern treats specially is escaped; the hash becomes the one wildcard.
        let pattern = HashedName.make(URLPath.encode(logicalPath), hash: "\u{0}")
            .map { "*()+?{}:\\".contains($0) ? "\\\($0)" : String($0) }.joined()
            .replacingOccurrences(of: "\u{0}", with: "*")
        var value = "match=" + sfString(urlPrefix + pattern)
        if let destination { value += ", match-dest=(" + sfString(destination) + ")" }
        return value + ", id=" + sfString(logicalPath)
    }

    /// A structured-field string: `"` and `\` escaped (the callers pass printable ASCII).
    static func sfString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The SHA-256 (lowercase hex) an `Available-Dictionary` value names, or nil when malformed.
    static func availableDictionary(_ value: String?) -> String? {
        guard let value else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard trimmed.count >= 2, trimmed.hasPrefix(":"), trimmed.hasSuffix(":") else { return nil }
        guard let bytes = Data(base64Encoded: String(trimmed.dropFirst().dropLast())), bytes.count == 32 else {
            return nil
        }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether a delta may answer this request as far as its origin is concerned.
    static func allowsDelta(_ request: StaticRequest) -> Bool {
        guard let site = request.header("Sec-Fetch-Site")?.lowercased() else { return true }
        if site == "same-origin" || site == "none" { return true }
        let mode = request.header("Sec-Fetch-Mode")?.lowercased()
        return mode == "navigate" || mode == "cors"
    }
}
