import Foundation

/// A release's record (`BucketRelease`) written as JSON to a temporary file a piece at a time, and
/// sent from there (`S3Client.putObject(key:file:)`): for a large tree the record holds a name and a
/// digest per object and the whole manifest's text, tens of megabytes that are never in memory at
/// once. It reads back as a `BucketRelease`.
struct RecordFile {
    let path: String

    /// Writes the record of release `id`: `objects` (name, SHA-256 hex), the manifest file's text,
    /// and `originals`.
    static func write(
        id: String, manifest: String, manifestFile: URL, objects: some Sequence<(String, String)>,
        originals: some Sequence<(String, BucketOriginals.Original)>
    ) throws -> RecordFile {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "collectstatic-record-\(id.prefix(16))-\(UInt64.random(in: 0...UInt64.max)).json"
        ).path
        guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path)
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? out.close() }
        var writer = Writer(out: out)
        do {
            writer.raw("{\"id\":")
            writer.string(id)
            writer.raw(",\"manifest\":")
            writer.string(manifest)
            writer.raw(",\"manifestText\":\"")
            let text = try FileHandle(forReadingFrom: manifestFile)
            defer { try? text.close() }
            while let chunk = try text.read(upToCount: 1 << 20), !chunk.isEmpty {
                for byte in chunk { writer.escaped(byte) }
                try writer.flushIfFull()
            }
            writer.raw("\",\"objects\":{")
            var first = true
            for (name, digest) in objects {
                if !first { writer.raw(",") }
                first = false
                writer.string(name)
                writer.raw(":")
                writer.string(digest)
                try writer.flushIfFull()
            }
            writer.raw("},\"originals\":{")
            first = true
            for (name, original) in originals {
                if !first { writer.raw(",") }
                first = false
                writer.string(name)
                writer.raw(":{")
                if let encoding = original.contentEncoding {
                    writer.raw("\"contentEncoding\":")
                    writer.string(encoding)
                    writer.raw(",")
                }
                writer.raw("\"contentType\":")
                writer.string(original.contentType)
                writer.raw(",\"sha256\":")
                writer.string(original.sha256)
                writer.raw(",\"source\":")
                writer.string(original.source)
                writer.raw("}")
                try writer.flushIfFull()
            }
            writer.raw("}}")
            try writer.flush()
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return RecordFile(path: path)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// JSON text into a buffer, written out a megabyte at a time.
    private struct Writer {
        let out: FileHandle
        var buffer: [UInt8] = []

        mutating func raw(_ text: String) { buffer.append(contentsOf: text.utf8) }

        mutating func string(_ text: String) {
            buffer.append(UInt8(ascii: "\""))
            for byte in text.utf8 { escaped(byte) }
            buffer.append(UInt8(ascii: "\""))
        }

        /// A byte of a JSON string's content: quote, backslash and control characters escaped
        /// (bytes of multi-byte UTF-8 characters are never below 0x80, so a chunk may end anywhere).
        mutating func escaped(_ byte: UInt8) {
            switch byte {
            case UInt8(ascii: "\""): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                buffer.append(contentsOf: Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: buffer.append(byte)
            }
        }

        mutating func flushIfFull() throws {
            if buffer.count >= 1 << 20 { try flush() }
        }

        mutating func flush() throws {
            try out.write(contentsOf: buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }
}
