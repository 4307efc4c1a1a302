import Crypto
import Foundation
import StaticAssets

#if canImport(Glibc)
    import Glibc
#endif

/// Serialises the manifest byte for byte as Django's `ManifestFilesMixin.save_manifest` does
/// (`json.dumps({"paths": ..., "version": "1.1", "hash": ...})`, paths sorted by code point), then
/// appends our own keys, which Django's loader ignores: `files` (size, integrity and variants of
/// every file in STATIC_ROOT, and its `dcz`/`dcb` deltas keyed by dictionary SHA-256), `compression` (the settings the variants were made with),
/// `release` (this release) and `previous` (earlier releases still kept).
package enum ManifestWriter {
    package static func encode(_ manifest: some ManifestContent) -> [UInt8] {
        let sink = ManifestSink(file: nil)
        encode(manifest, into: sink)
        return sink.bytes
    }

    /// Writes the manifest in pieces (a manifest of a large tree is never held whole as text).
    private static func encode(_ manifest: some ManifestContent, into sink: ManifestSink) {
        sink.append("{\"paths\": ")
        object(manifest.forEachPath, into: sink)
        sink.append(", \"version\": " + PythonJSON.string(manifest.version))
        sink.append(", \"hash\": " + PythonJSON.string(manifest.hash))
        sink.append(", \"files\": {")
        var first = true
        manifest.forEachFile { key, entry in
            var json = first ? "" : ", "
            first = false
            json += PythonJSON.string(key) + ": {\"size\": \(entry.size), \"integrity\": "
            json += PythonJSON.string(entry.integrity)
            let variants = entry.encodings
            if !variants.isEmpty {
                let encodings = variants.keys.sorted().compactMap { encoding -> String? in
                    guard let variant = variants[encoding] else { return nil }
                    var text = PythonJSON.string(encoding.httpToken) + ": {\"size\": \(variant.size)"
                    if let digest = variant.sha256 { text += ", \"sha256\": " + PythonJSON.string(digest) }
                    return text + "}"
                }
                json += ", \"encodings\": {" + encodings.joined(separator: ", ") + "}"
            }
            for coding in DeltaCoding.allCases where !entry.deltas(coding).isEmpty {
                let deltas = entry.deltas(coding)
                let records = deltas.keys.sorted().map { dictionary in
                    let delta = deltas[dictionary]!
                    return PythonJSON.string(dictionary) + ": {\"size\": \(delta.size), \"sha256\": "
                        + PythonJSON.string(delta.sha256 ?? "") + "}"
                }
                json += ", " + PythonJSON.string(coding.token) + ": {" + records.joined(separator: ", ") + "}"
            }
            sink.append(json + "}")
        }
        sink.append("}")
        if let compression = manifest.compression {
            sink.append(", \"compression\": " + PythonJSON.string(compression))
        }
        if let release = manifest.release {
            sink.append(", \"generation\": ")
            record(release, paths: false, into: sink)
        }
        if !manifest.previousReleases.isEmpty {
            sink.append(", \"previous\": [")
            for (index, release) in manifest.previousReleases.enumerated() {
                if index > 0 { sink.append(", ") }
                record(release, paths: true, into: sink)
            }
            sink.append("]")
        }
        sink.append("}")
    }

    private static func object(_ paths: [String: String], into sink: ManifestSink) {
        object({ body in for key in paths.keys.sorted(by: utf8Less) { body(key, paths[key]!) } }, into: sink)
    }

    private static func object(_ forEach: ((String, String) -> Void) -> Void, into sink: ManifestSink) {
        sink.append("{")
        var first = true
        forEach { key, value in
            sink.append((first ? "" : ", ") + PythonJSON.string(key) + ": " + PythonJSON.string(value))
            first = false
        }
        sink.append("}")
    }

    private static func record(_ release: ReleaseRecord, paths: Bool, into sink: ManifestSink) {
        var json =
            "{\"id\": " + PythonJSON.string(release.id) + ", \"created\": "
            + PythonJSON.string(release.created)
        if let retired = release.retired { json += ", \"retired\": " + PythonJSON.string(retired) }
        sink.append(json)
        if paths {
            sink.append(", \"paths\": ")
            object(release.paths, into: sink)
        }
        sink.append("}")
    }

    /// The manifest Django would write for these paths, with our metadata.
    package static func manifest(
        paths: [String: String], files: [String: ManifestEntry], compression: String? = nil,
        release: ReleaseRecord? = nil, previous: [ReleaseRecord] = []
    ) -> Manifest {
        Manifest(
            paths: paths, hash: djangoManifestHash(paths), files: files, compression: compression,
            release: release, previousReleases: previous)
    }

    /// Writes the manifest to `path` atomically (a temporary file renamed over it), in pieces.
    package static func write(_ manifest: some ManifestContent, to path: String) throws(CollectStaticError) {
        try FileSystem.makeDirectories((path as NSString).deletingLastPathComponent)
        let temporary = FileSystem.temporaryName(for: path)
        try writeNew(manifest, to: temporary)
        do throws(CollectStaticError) { try FileSystem.move(temporary, to: path) } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes the manifest to a new file at `path` (in a staging tree), in pieces.
    static func writeNew(_ manifest: some ManifestContent, to path: String) throws(CollectStaticError) {
        let file = try OutputFile(path)
        let sink = ManifestSink(file: file)
        encode(manifest, into: sink)
        try sink.finish()
        try file.close()
    }

    /// Whether the file at `path` holds exactly this manifest's encoding (compared in pieces).
    static func isWritten(_ manifest: some ManifestContent, at path: String) -> Bool {
        let sink = ManifestSink(file: nil, digestOnly: true)
        encode(manifest, into: sink)
        let expected = sink.digest
        var digest = SHA256()
        guard (try? FileStream.read(path) { digest.update(bufferPointer: $0) }) == sink.count else { return false }
        return digest.finalize() == expected
    }
}

/// What the writer serialises: Django's keys, then every file with its entry, in name order.
package protocol ManifestContent {
    /// Every logical name and its hashed name, in the order of the logical names' UTF-8 bytes.
    func forEachPath(_ body: (String, String) -> Void)
    var version: String { get }
    var hash: String { get }
    var compression: String? { get }
    var release: ReleaseRecord? { get }
    var previousReleases: [ReleaseRecord] { get }
    /// Every file and its entry, in the order of their names' UTF-8 bytes.
    func forEachFile(_ body: (String, ManifestEntry) -> Void)
    /// The manifest as a value (to edit, as publishing in place does).
    func materialized() -> Manifest
}

extension Manifest: ManifestContent {
    package func forEachPath(_ body: (String, String) -> Void) {
        for key in paths.keys.sorted(by: utf8Less) { body(key, paths[key]!) }
    }

    package func forEachFile(_ body: (String, ManifestEntry) -> Void) {
        for name in files.keys.sorted(by: utf8Less) { body(name, files[name]!) }
    }

    package func materialized() -> Manifest { self }
}

/// Where the manifest's text goes: a file, written in 64 KiB pieces; bytes in memory; or only a
/// digest (to compare with a file without holding either).
private final class ManifestSink {
    private let file: OutputFile?
    private let digestOnly: Bool
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0
    private var hasher = SHA256()
    private var failure: CollectStaticError?

    init(file: OutputFile?, digestOnly: Bool = false) {
        self.file = file
        self.digestOnly = digestOnly
        if file != nil || digestOnly { bytes.reserveCapacity(1 << 16) }
    }

    func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        if (file != nil || digestOnly) && bytes.count >= 1 << 16 { flush() }
    }

    private func flush() {
        count += bytes.count
        if digestOnly {
            hasher.update(data: bytes)
        } else if let file, failure == nil {
            do throws(CollectStaticError) { try file.write(bytes) } catch { failure = error }
        }
        bytes.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered; throws the first write error.
    func finish() throws(CollectStaticError) {
        flush()
        if let failure { throw failure }
    }

    var digest: SHA256.Digest {
        flush()
        return hasher.finalize()
    }
}
