import Foundation
import StaticAssets
import TestSupport

/// A small site published to a public bucket on ``EdgeMoto`` by the real `collectstatic`: a
/// stylesheet and a script worth compressing (every coding), an image and a tiny text file that get
/// no variant. `version` changes the stylesheet and the script (a new release), nothing else.
struct EdgeSite {
    let directory: URL
    let bucket: String
    let prefix: String

    static let encodings = ["COLLECTSTATIC_ENCODINGS": "br,zstd,gzip", "COLLECTSTATIC_BROTLI_QUALITY": "5"]

    static func write(_ src: URL, version: String) {
        var css = "#out { width: 123px; color: rgb(1, 2, 3) }\n"
        css += (0..<120).map { ".c\($0) { background: url(\"../img/logo.png\"); margin: \($0)px }" }.joined(
            separator: "\n")
        TestSupport.write(css + "\n/* release \(version) */\n", to: src.appendingPathComponent("css/app.css"))
        var js = "var out = document.getElementById('out');\n"
        js += "out.textContent = 'ran release \(version); width ' + getComputedStyle(out).width;\n"
        js += String(repeating: "function f(a) { return a * 2 }\n", count: 80)
        TestSupport.write(js, to: src.appendingPathComponent("js/app.js"))
        TestSupport.write(
            Data((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }), to: src.appendingPathComponent("img/logo.png"))
        TestSupport.write("hi\n", to: src.appendingPathComponent("docs/read me~.txt"))
    }

    /// Writes release `version` into `directory/src` and publishes it to `s3://bucket/prefix`.
    func publish(version: String, moto: EdgeMoto) throws {
        Self.write(directory.appendingPathComponent("src"), version: version)
        let run = moto.collect(directory, storage: "s3://\(bucket)/\(prefix)", extra: Self.encodings)
        guard run.status == 0 else { throw BucketEdge.Failure(description: "collectstatic: \(run.stderr)") }
    }

    var manifest: Manifest {
        get throws { try Manifest(data: Data(contentsOf: directory.appendingPathComponent("root/staticfiles.json"))) }
    }

    /// The bytes of a file of the local STATIC_ROOT (what the bucket received).
    func local(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent("root/\(name)"))
    }
}
