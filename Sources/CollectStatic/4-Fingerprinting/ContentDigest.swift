import Crypto
import Foundation

/// The digests of a file's bytes: Django's fingerprint and the Subresource Integrity value. Held
/// as bytes (64 in all, no allocation): a run keeps one or two for every file of the tree, and the
/// texts are made only where they are written.
package struct ContentDigest: Sendable, Equatable, Hashable {
    private var md5High: UInt64
    private var md5Low: UInt64
    /// The SHA-384 of the same bytes.
    package var sha384: Integrity

    package init<Bytes: DataProtocol>(of bytes: Bytes) {
        self.init(md5: Insecure.MD5.hash(data: bytes), sha384: SHA384.hash(data: bytes))
    }

    /// The digests of the file at `path`, read in pieces (memory stays one piece whatever its size).
    init(ofFile path: String) throws(CollectStaticError) {
        var md5 = Insecure.MD5()
        var sha384 = SHA384()
        try FileStream.read(path) { chunk in
            md5.update(bufferPointer: chunk)
            sha384.update(bufferPointer: chunk)
        }
        self.init(md5: md5.finalize(), sha384: sha384.finalize())
    }

    private init(md5: Insecure.MD5Digest, sha384: SHA384Digest) {
        let words = Self.words(md5, count: 2)
        md5High = words[0]
        md5Low = words[1]
        self.sha384 = Integrity(sha384)
    }

    /// Full MD5 in lowercase hex; Django's fingerprint is its first 12 characters.
    package var md5: String { Self.hex(md5High) + Self.hex(md5Low) }

    /// `sha384-<base64>` of the same bytes.
    package var integrity: String { sha384.description }

    /// Django's `file_hash`: the first 12 hex digits of the MD5.
    package var fingerprint: String { nameHash.description }

    /// The same fingerprint as bits.
    var nameHash: NameHash { NameHash(md5High: md5High) }

    /// The MD5 alone, in lowercase hex.
    static func md5(of bytes: [UInt8]) -> String { Insecure.MD5.hash(data: bytes).hexString }

    /// The MD5 of the file at `path` (read in pieces), in lowercase hex.
    static func md5(ofFile path: String) throws(CollectStaticError) -> String {
        var md5 = Insecure.MD5()
        try FileStream.read(path) { md5.update(bufferPointer: $0) }
        return md5.finalize().hexString
    }

    /// A digest's bytes as big-endian words.
    fileprivate static func words(_ digest: some Digest, count: Int) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: count)
        for (index, byte) in digest.enumerated() { words[index / 8] = words[index / 8] << 8 | UInt64(byte) }
        return words
    }

    private static func hex(_ word: UInt64) -> String {
        let text = String(word, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}

/// A SHA-384 digest held as bytes; its text (`description`) is the Subresource Integrity value
/// `sha384-<base64>` that the manifest records.
package struct Integrity: Sendable, Hashable, Comparable, CustomStringConvertible {
    private var w0, w1, w2, w3, w4, w5: UInt64

    init(_ digest: SHA384Digest) {
        let words = ContentDigest.words(digest, count: 6)
        (w0, w1, w2, w3, w4, w5) = (words[0], words[1], words[2], words[3], words[4], words[5])
    }

    /// Parses `sha384-<base64>`; nil for any other text.
    package init?(_ text: String) {
        guard text.hasPrefix("sha384-"), let data = Data(base64Encoded: String(text.dropFirst(7))), data.count == 48
        else { return nil }
        var words = [UInt64](repeating: 0, count: 6)
        for (index, byte) in data.enumerated() { words[index / 8] = words[index / 8] << 8 | UInt64(byte) }
        (w0, w1, w2, w3, w4, w5) = (words[0], words[1], words[2], words[3], words[4], words[5])
    }

    /// Byte order (an order to group equal digests by, nothing more).
    package static func < (a: Integrity, b: Integrity) -> Bool {
        (a.w0, a.w1, a.w2, a.w3, a.w4, a.w5) < (b.w0, b.w1, b.w2, b.w3, b.w4, b.w5)
    }

    package var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(48)
        for word in [w0, w1, w2, w3, w4, w5] {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> shift)) }
        }
        return "sha384-" + Data(bytes).base64EncodedString()
    }
}

extension Digest {
    var hexString: String {
        var out = ""
        out.reserveCapacity(Self.byteCount * 2)
        for byte in self {
            out += String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }
        return out
    }
}

/// Django's manifest hash: `md5(json.dumps(sorted(paths.items())).encode()).hexdigest()[:12]`,
/// hashed as the text is made (the text of a large tree's paths is never held whole).
func djangoManifestHash(_ paths: [String: String]) -> String {
    djangoManifestHash { body in for key in paths.keys.sorted(by: utf8Less) { body(key, paths[key]!) } }
}

/// The same hash of pairs listed in order by `forEach`.
func djangoManifestHash(_ forEach: ((String, String) -> Void) -> Void) -> String {
    var md5 = Insecure.MD5()
    var json: [UInt8] = [UInt8(ascii: "[")]
    var first = true
    forEach { key, value in
        if !first { json += Array(", ".utf8) }
        first = false
        json += Array(("[" + PythonJSON.string(key) + ", " + PythonJSON.string(value) + "]").utf8)
        if json.count >= 1 << 16 {
            md5.update(data: json)
            json.removeAll(keepingCapacity: true)
        }
    }
    json.append(UInt8(ascii: "]"))
    md5.update(data: json)
    return String(md5.finalize().hexString.prefix(12))
}
