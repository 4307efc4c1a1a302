import StaticAssets

/// Serialises the manifest byte for byte as Django's `ManifestFilesMixin.save_manifest` does
/// (`json.dumps({"paths": ..., "version": "1.1", "hash": ...})`, paths sorted by code point), then
/// appends our `files` metadata as a last key, which Django's loader ignores. Written last, through
/// a temporary file renamed over the old manifest, so readers see the old manifest or the new one.
public enum ManifestWriter {
    public static func encode(_ manifest: Manifest) -> [UInt8] {
        var json = "{\"paths\": {"
        for (index, key) in manifest.paths.keys.sorted(by: utf8Less).enumerated() {
            if index > 0 { json += ", " }
            json += PythonJSON.string(key) + ": " + PythonJSON.string(manifest.paths[key]!)
        }
        json += "}, \"version\": " + PythonJSON.string(manifest.version)
        json += ", \"hash\": " + PythonJSON.string(manifest.hash)
        json += ", \"files\": {"
        for (index, key) in manifest.files.keys.sorted(by: utf8Less).enumerated() {
            let entry = manifest.files[key]!
            if index > 0 { json += ", " }
            json += PythonJSON.string(key) + ": {\"size\": \(entry.size), \"integrity\": "
            json += PythonJSON.string(entry.integrity)
            if !entry.encodings.isEmpty {
                let encodings = entry.encodings.keys.sorted(by: utf8Less).map {
                    PythonJSON.string($0) + ": \(entry.encodings[$0]!)"
                }
                json += ", \"encodings\": {" + encodings.joined(separator: ", ") + "}"
            }
            json += "}"
        }
        json += "}"
        if let compression = manifest.compression { json += ", \"compression\": " + PythonJSON.string(compression) }
        json += "}"
        return Array(json.utf8)
    }

    /// The manifest Django would write for these paths, with our metadata.
    public static func manifest(paths: [String: String], files: [String: ManifestEntry], compression: String? = nil)
        -> Manifest
    {
        Manifest(paths: paths, hash: djangoManifestHash(paths), files: files, compression: compression)
    }

    public static func write(_ manifest: Manifest, to path: String) throws(CollectStaticError) {
        try FileSystem.writeAtomically(encode(manifest), to: path)
    }
}
