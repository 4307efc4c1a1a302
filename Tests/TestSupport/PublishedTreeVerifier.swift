import CBrotli
import CZlib
import Crypto
import Foundation
import StaticAssets

/// Checks a published STATIC_ROOT against its own manifest, name by name: every file the manifest
/// lists (originals as well as hashed copies, current and kept releases) has the recorded size and
/// SRI integrity, and every recorded variant exists, has its recorded size and SHA-256, and decodes
/// (with zlib's and brotli's own decoders) to exactly its file's bytes. Returns the problems found.
public enum PublishedTreeVerifier {
    public static func problems(in root: URL, manifestName: String = "staticfiles.json") -> [String] {
        let manifest: Manifest
        do {
            manifest = try Manifest(contentsOf: root.appendingPathComponent(manifestName))
        } catch {
            return ["manifest: \(error)"]
        }
        var problems: [String] = []
        for name in manifest.paths.values where manifest.files[name] == nil {
            problems.append("\(name): in paths but not in files")
        }
        for (name, entry) in manifest.files {
            guard let bytes = try? Data(contentsOf: root.appendingPathComponent(name)) else {
                problems.append("\(name): missing")
                continue
            }
            if bytes.count != entry.size {
                problems.append("\(name): \(bytes.count) bytes, manifest says \(entry.size)")
            }
            let integrity = "sha384-" + Data(SHA384.hash(data: bytes)).base64EncodedString()
            if integrity != entry.integrity { problems.append("\(name): bytes do not match the manifest's integrity") }
            for (encoding, variant) in entry.encodings {
                let variantName = name + encoding.fileSuffix
                guard let compressed = try? Data(contentsOf: root.appendingPathComponent(variantName)) else {
                    problems.append("\(variantName): missing")
                    continue
                }
                if compressed.count != variant.size {
                    problems.append("\(variantName): size differs from the manifest")
                }
                if let digest = variant.sha256,
                    SHA256.hash(data: compressed).map({ String(format: "%02x", $0) }).joined() != digest
                {
                    problems.append("\(variantName): SHA-256 differs from the manifest")
                }
                let decoded = encoding == .brotli ? Decoders.brotli(compressed) : Decoders.gzip(compressed)
                if decoded != bytes { problems.append("\(variantName): does not decode to \(name)") }
            }
        }
        return problems.sorted()
    }
}

/// The reference libraries' own decoders.
public enum Decoders {
    public static func brotli(_ data: Data) -> Data? {
        var output = Data()
        let state = BrotliDecoderCreateInstance(nil, nil, nil)
        defer { BrotliDecoderDestroyInstance(state) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let result: BrotliDecoderResult = data.withUnsafeBytes { raw in
            var availableIn = raw.count
            var nextIn = raw.bindMemory(to: UInt8.self).baseAddress
            while true {
                var availableOut = buffer.count
                let result = buffer.withUnsafeMutableBufferPointer { out -> BrotliDecoderResult in
                    var nextOut = out.baseAddress
                    return BrotliDecoderDecompressStream(state, &availableIn, &nextIn, &availableOut, &nextOut, nil)
                }
                output.append(contentsOf: buffer[0..<(buffer.count - availableOut)])
                if result != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT { return result }
            }
        }
        return result == BROTLI_DECODER_RESULT_SUCCESS ? output : nil
    }

    public static func gzip(_ data: Data) -> Data? {
        var stream = z_stream()
        guard inflateInit2_(&stream, 31, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var input = [UInt8](data)
        let status: Int32 = input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            while true {
                let status = buffer.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: buffer[0..<(buffer.count - Int(stream.avail_out))])
                if status != Z_OK { return status }
            }
        }
        return status == Z_STREAM_END ? output : nil
    }
}
