import Foundation
import StaticAssets

/// Every object of a published release, read in one pass over its manifest file and kept compact:
/// the manifest's file names once each, a few flag bits per file, and 8 bytes per object (its
/// file and which of the file's representations it is). Names, headers and digests are made when
/// an object's turn comes. For the 20x corpus (109,000 files, 280,000 objects) that is about
/// 15 MB, where the decoded manifest and a `BucketObject` per object took 400 MB
/// (docs/benchmarks.md, "S3").
struct ReleaseObjects: Sendable {
    /// One object: a file of the manifest, or one of its variants or deltas.
    struct Object: Sendable, Equatable {
        let file: Int32
        /// `identity`, an index into `ContentEncoding.variants`, or `deltaBase` + the delta's index.
        let kind: Int16

        static let identity: Int16 = -1
        static let deltaBase: Int16 = 64
    }

    /// The manifest file, with its size and digests (its SHA-256 is the release id), as it is sent
    /// as the pointer.
    let manifest: FilePayload
    /// SHA-256 (hex) of the manifest file's bytes: the release id.
    var id: String { manifest.sha256Hex }
    /// The manifest's file names, in its order.
    private let names: [String]
    /// Per file: bit 0 immutable (a hashed name of this release or of a kept one).
    private let flags: [UInt8]
    /// The deltas of the files that have any: (file name, coding token) of each.
    private let deltas: [Int32: [(name: String, token: String)]]
    /// Every object, each file followed by its variants and deltas.
    let objects: [Object]

    /// Reads the manifest file at `url`.
    static func read(_ url: URL) throws -> ReleaseObjects {
        let payload = try FilePayload(path: url.path)
        var names: [String] = []
        var objects: [Object] = []
        var deltas: [Int32: [(name: String, token: String)]] = [:]
        let variants = ContentEncoding.variants
        let manifest = try Manifest.read(contentsOf: url) { name, entry in
            let file = Int32(names.count)
            names.append(name)
            objects.append(Object(file: file, kind: Object.identity))
            for (index, encoding) in variants.enumerated() where entry.variant(encoding) != nil {
                objects.append(Object(file: file, kind: Int16(index)))
            }
            let files = entry.deltaFiles(of: name)
            if !files.isEmpty {
                deltas[file] = files.map { ($0.name, $0.coding.token) }
                for index in files.indices { objects.append(Object(file: file, kind: Object.deltaBase + Int16(index))) }
            }
        }
        let hashed = manifest.hashedNames
        let flags = names.map { hashed.contains($0) ? UInt8(1) : 0 }
        return ReleaseObjects(
            manifest: payload, names: names, flags: flags, deltas: deltas, objects: objects)
    }

    /// Name relative to STATIC_ROOT (and to PREFIX in the bucket).
    func name(of object: Object) -> String {
        let file = names[Int(object.file)]
        if object.kind == Object.identity { return file }
        if object.kind >= Object.deltaBase {
            return deltas[object.file]?[Int(object.kind - Object.deltaBase)].name ?? file
        }
        return file + ContentEncoding.variants[Int(object.kind)].fileSuffix
    }

    /// Hashed names and theirs: stored for a year, written before the pointer.
    func isImmutable(_ object: Object) -> Bool { flags[Int(object.file)] & 1 != 0 }

    /// The object with its headers.
    func bucketObject(_ object: Object) -> BucketObject {
        let file = names[Int(object.file)]
        let encoding: String? =
            object.kind == Object.identity
            ? nil
            : object.kind >= Object.deltaBase
                ? deltas[object.file]?[Int(object.kind - Object.deltaBase)].token
                : ContentEncoding.variants[Int(object.kind)].token
        return BucketObject(name: name(of: object), original: file, encoding: encoding, immutable: isImmutable(object))
    }
}
