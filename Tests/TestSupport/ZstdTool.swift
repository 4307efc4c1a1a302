import Crypto
import Foundation

/// The `zstd` command-line tool (Debian package `zstd`) as an independent decoder of what we write.
public enum ZstdTool {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Decodes one zstd frame with `zstd -d`, with `dictionary` as `-D` (a raw-content prefix) when
    /// given, and `--memory` capping the window the decoder accepts when given (e.g. "8MB").
    public static func decode(_ frame: [UInt8], dictionary: [UInt8]? = nil, memory: String? = nil) throws -> [UInt8] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zstd-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.zst")
        let output = folder.appendingPathComponent("out")
        try Data(frame).write(to: input)
        var arguments = ["zstd", "-q", "-d", "-f", input.path, "-o", output.path]
        if let dictionary {
            let dictionaryFile = folder.appendingPathComponent("dictionary")
            try Data(dictionary).write(to: dictionaryFile)
            arguments += ["-D", dictionaryFile.path]
        }
        if let memory { arguments.append("--memory=\(memory)") }
        let result = TestSupport.run("/usr/bin/env", arguments)
        guard result.status == 0 else {
            throw Failure(description: "zstd -d failed (\(result.status)): \(result.stderr)")
        }
        return [UInt8](try Data(contentsOf: output))
    }

    /// SHA-256 of `bytes`: what `Available-Dictionary` and a `dcz` header name a dictionary by.
    public static func sha256(_ bytes: some Sequence<UInt8>) -> [UInt8] { Array(SHA256.hash(data: Array(bytes))) }
}
