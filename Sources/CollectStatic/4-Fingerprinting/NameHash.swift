import Crypto
import StaticAssets

/// The 12 hex digits a hashed name carries (Django's `md5(...)[:12]`), held as their 48 bits: a
/// run keeps one for every file of the tree, and the hashed name is made from it and the logical
/// name where it is needed instead of being stored.
struct NameHash: Sendable, Hashable, CustomStringConvertible {
    /// The 48 bits, in the low bits.
    let bits: UInt64

    /// The first 48 bits of an MD5's first word (big-endian).
    init(md5High: UInt64) { bits = md5High >> 16 }

    /// The first 12 hex digits of `digest`.
    init(_ digest: Insecure.MD5Digest) {
        var high: UInt64 = 0
        for byte in digest.prefix(8) { high = high << 8 | UInt64(byte) }
        self.init(md5High: high)
    }

    /// The digit at `position` (0 ..< 12) as an ASCII byte.
    func digit(_ position: Int) -> UInt8 {
        let nibble = UInt8(truncatingIfNeeded: bits >> UInt64(44 - 4 * position)) & 0xF
        return nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    var description: String { String(decoding: (0..<HashedName.hashLength).map(digit), as: UTF8.self) }
}
