import Crypto
import Foundation

/// The digests of a file's bytes: Django's fingerprint and the Subresource Integrity value.
public struct ContentDigest: Sendable, Equatable, Hashable {
    /// Full MD5 in lowercase hex; Django's fingerprint is its first 12 characters.
    public var md5: String
    /// `sha384-<base64>` of the same bytes.
    public var integrity: String

    public init<Bytes: DataProtocol>(of bytes: Bytes) {
        md5 = Insecure.MD5.hash(data: bytes).hexString
        integrity = "sha384-" + Data(SHA384.hash(data: bytes)).base64EncodedString()
    }

    /// The digests of the file at `path`, read in pieces (memory stays one piece whatever its size).
    init(ofFile path: String) throws(CollectStaticError) {
        var md5 = Insecure.MD5()
        var sha384 = SHA384()
        try FileStream.read(path) { chunk in
            md5.update(bufferPointer: chunk)
            sha384.update(bufferPointer: chunk)
        }
        self.md5 = md5.finalize().hexString
        integrity = "sha384-" + Data(sha384.finalize()).base64EncodedString()
    }

    /// The MD5 alone, in lowercase hex.
    static func md5(of bytes: [UInt8]) -> String { Insecure.MD5.hash(data: bytes).hexString }

    /// The MD5 of the file at `path` (read in pieces), in lowercase hex.
    static func md5(ofFile path: String) throws(CollectStaticError) -> String {
        var md5 = Insecure.MD5()
        try FileStream.read(path) { md5.update(bufferPointer: $0) }
        return md5.finalize().hexString
    }

    /// Django's `file_hash`: the first 12 hex digits of the MD5.
    public var fingerprint: String { String(md5.prefix(12)) }
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

/// Django's manifest hash: `md5(json.dumps(sorted(paths.items())).encode()).hexdigest()[:12]`.
func djangoManifestHash(_ paths: [String: String]) -> String {
    let sorted = paths.sorted { utf8Less($0.key, $1.key) }
    var json = "["
    for (index, pair) in sorted.enumerated() {
        if index > 0 { json += ", " }
        json += "[" + PythonJSON.string(pair.key) + ", " + PythonJSON.string(pair.value) + "]"
    }
    json += "]"
    return String(Insecure.MD5.hash(data: Array(json.utf8)).hexString.prefix(12))
}
