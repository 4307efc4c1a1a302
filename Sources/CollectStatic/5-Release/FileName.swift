import Glibc
import StaticAssets

/// A file's name as its parts, so that names are sorted and searched without being made: `base`,
/// with `.` and the name hash's 12 digits inserted at UTF-8 offset `split` when there is a hash
/// (`css/app.css` + `3f2a9c1b7d4e` is `css/app.3f2a9c1b7d4e.css`). Ordered by UTF-8 bytes.
struct FileName {
    var base: String
    var hash: NameHash?
    var split: Int

    /// A name held as it is.
    init(_ name: String) {
        base = name
        hash = nil
        split = 0
    }

    /// The hashed name of `logicalPath`.
    init(logicalPath: String, hash: NameHash) {
        base = logicalPath
        self.hash = hash
        split = HashedName.hashOffset(in: logicalPath)
    }

    var text: String {
        guard let hash else { return base }
        return HashedName.make(base, hash: hash.description)
    }

    /// -1, 0 or 1 as `a` comes before, is, or comes after `b` in UTF-8 order.
    static func order(_ a: FileName, _ b: FileName) -> Int {
        a.withBytes { x in b.withBytes { y in Bytes.order(x, y) } }
    }

    private func withBytes<R>(_ body: (Bytes) -> R) -> R {
        if let result = base.utf8.withContiguousStorageIfAvailable({ body(Bytes($0, hash, split)) }) {
            return result
        }
        return Array(base.utf8).withUnsafeBufferPointer { body(Bytes($0, hash, split)) }
    }

    /// The name's bytes over the base's storage.
    private struct Bytes {
        let base: UnsafeBufferPointer<UInt8>
        let hash: NameHash?
        let split: Int
        let count: Int

        init(_ base: UnsafeBufferPointer<UInt8>, _ hash: NameHash?, _ split: Int) {
            self.base = base
            self.hash = hash
            self.split = hash == nil ? base.count : split
            count = base.count + (hash == nil ? 0 : 1 + HashedName.hashLength)
        }

        subscript(position: Int) -> UInt8 {
            guard let hash, position >= split else { return base[position] }
            if position == split { return UInt8(ascii: ".") }
            if position <= split + HashedName.hashLength { return hash.digit(position - split - 1) }
            return base[position - 1 - HashedName.hashLength]
        }

        static func order(_ x: Bytes, _ y: Bytes) -> Int {
            // Up to the first inserted hash, both are their bases' bytes.
            let plain = min(x.split, y.split)
            if plain > 0, let p = x.base.baseAddress, let q = y.base.baseAddress {
                let order = memcmp(p, q, plain)
                if order != 0 { return order < 0 ? -1 : 1 }
            }
            var position = plain
            while position < x.count && position < y.count {
                let (p, q) = (x[position], y[position])
                if p != q { return p < q ? -1 : 1 }
                position += 1
            }
            return x.count == y.count ? 0 : x.count < y.count ? -1 : 1
        }
    }
}
