import StaticAssets

/// Serialises the manifest byte for byte as Django's `ManifestFilesMixin.save_manifest` does
/// (`json.dumps({"paths": ..., "version": "1.1", "hash": ...})`, paths sorted by code point), then
/// appends our own keys, which Django's loader ignores: `files` (size, integrity and variants of
/// every file in STATIC_ROOT, and its `dcz`/`dcb` deltas keyed by dictionary SHA-256), `compression` (the settings the variants were made with),
/// `generation` (this release) and `previous` (earlier releases still kept).
public enum ManifestWriter {
    public static func encode(_ manifest: Manifest) -> [UInt8] {
        var json = "{\"paths\": " + object(manifest.paths)
        json += ", \"version\": " + PythonJSON.string(manifest.version)
        json += ", \"hash\": " + PythonJSON.string(manifest.hash)
        json += ", \"files\": {"
        for (index, key) in manifest.files.keys.sorted(by: utf8Less).enumerated() {
            let entry = manifest.files[key]!
            if index > 0 { json += ", " }
            json += PythonJSON.string(key) + ": {\"size\": \(entry.size), \"integrity\": "
            json += PythonJSON.string(entry.integrity)
            if !entry.encodings.isEmpty {
                let encodings = entry.encodings.keys.sorted().map { encoding in
                    let variant = entry.encodings[encoding]!
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
            json += "}"
        }
        json += "}"
        if let compression = manifest.compression { json += ", \"compression\": " + PythonJSON.string(compression) }
        if let generation = manifest.generation { json += ", \"generation\": " + record(generation, paths: false) }
        if !manifest.previousGenerations.isEmpty {
            json +=
                ", \"previous\": ["
                + manifest.previousGenerations.map { record($0, paths: true) }
                .joined(separator: ", ") + "]"
        }
        json += "}"
        return Array(json.utf8)
    }

    private static func object(_ paths: [String: String]) -> String {
        "{"
            + paths.keys.sorted(by: utf8Less).map { PythonJSON.string($0) + ": " + PythonJSON.string(paths[$0]!) }
            .joined(separator: ", ") + "}"
    }

    private static func record(_ generation: Generation, paths: Bool) -> String {
        var json =
            "{\"id\": " + PythonJSON.string(generation.id) + ", \"created\": "
            + PythonJSON.string(generation.created)
        if let retired = generation.retired { json += ", \"retired\": " + PythonJSON.string(retired) }
        if paths { json += ", \"paths\": " + object(generation.paths) }
        return json + "}"
    }

    /// The manifest Django would write for these paths, with our metadata.
    public static func manifest(
        paths: [String: String], files: [String: ManifestEntry], compression: String? = nil,
        generation: Generation? = nil, previous: [Generation] = []
    ) -> Manifest {
        Manifest(
            paths: paths, hash: djangoManifestHash(paths), files: files, compression: compression,
            generation: generation, previousGenerations: previous)
    }

    public static func write(_ manifest: Manifest, to path: String) throws(CollectStaticError) {
        try FileSystem.writeAtomically(encode(manifest), to: path)
    }
}
