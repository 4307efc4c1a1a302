import Foundation

/// A pull reader of JSON text: values are read (or skipped) one at a time, in document order,
/// from bytes that arrive in chunks. Nothing of the document is kept but the value being read, so
/// a manifest of 280,000 names is read in the memory of what is made of it, not of its text plus a
/// map of every value (Foundation's `JSONDecoder` holds both: 150 MB more than the result for a
/// 44 MB manifest, docs/design/streaming.md).
///
/// Syntax is RFC 8259's: anything else (and invalid UTF-8 in a string, a lone surrogate, text after
/// the top-level value) throws `JSONReader.Invalid`.
package struct JSONReader {
    package struct Invalid: Error, Sendable {}

    package enum Kind: Sendable, Equatable {
        case object, array, string, number, bool, null
    }

    private var buffer: [UInt8] = []
    private var position = 0
    private let next: () throws -> [UInt8]?
    private var ended = false
    private var scratch: [UInt8] = []

    /// Reads from `next`, which returns the next chunk of the text, or nil at its end.
    package init(chunks next: @escaping () throws -> [UInt8]?) {
        self.next = next
    }

    /// Reads `data` in chunks of 1 MB (no second copy of the whole text).
    package init(data: Data) {
        var offset = data.startIndex
        self.init(chunks: {
            guard offset < data.endIndex else { return nil }
            let end = data.index(offset, offsetBy: min(1 << 20, data.endIndex - offset))
            defer { offset = end }
            return [UInt8](data[offset..<end])
        })
    }

    /// Reads the file at `path` in chunks of 1 MB.
    package init(file handle: FileHandle) {
        self.init(chunks: {
            guard let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty else { return nil }
            return [UInt8](chunk)
        })
    }

    // MARK: Values

    /// The kind of the next value (after white space).
    package mutating func peek() throws -> Kind {
        switch try nonSpace() {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw Invalid()
        }
    }

    /// Reads an object, calling `member` with each key; `member` must read or skip its value.
    package mutating func readObject(_ member: (inout JSONReader, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if try nonSpace() == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            guard try nonSpace() == UInt8(ascii: "\"") else { throw Invalid() }
            let key = try readString()
            try expect(UInt8(ascii: ":"))
            try member(&self, key)
            let byte = try nonSpace()
            position += 1
            if byte == UInt8(ascii: "}") { return }
            guard byte == UInt8(ascii: ",") else { throw Invalid() }
        }
    }

    /// Reads an array, calling `element` for each element; `element` must read or skip it.
    package mutating func readArray(_ element: (inout JSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if try nonSpace() == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            try element(&self)
            let byte = try nonSpace()
            position += 1
            if byte == UInt8(ascii: "]") { return }
            guard byte == UInt8(ascii: ",") else { throw Invalid() }
        }
    }

    /// Reads a string value.
    package mutating func readString() throws -> String {
        try expect(UInt8(ascii: "\""))
        scratch.removeAll(keepingCapacity: true)
        while true {
            if position == buffer.count, try !refill() { throw Invalid() }
            // The run of plain bytes in this chunk, copied at once.
            var end = position
            while end < buffer.count {
                let byte = buffer[end]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                end += 1
            }
            scratch.append(contentsOf: buffer[position..<end])
            position = end
            guard position < buffer.count else { continue }
            let byte = buffer[position]
            position += 1
            if byte == UInt8(ascii: "\"") { break }
            guard byte == UInt8(ascii: "\\") else { throw Invalid() }  // a control character
            try readEscape()
        }
        guard let string = String(validating: scratch, as: UTF8.self) else { throw Invalid() }
        return string
    }

    /// Reads a string value without keeping it (a manifest's text inside a release record is tens of
    /// megabytes), checking it as `readString` does but for UTF-8 validity.
    package mutating func skipString() throws {
        try expect(UInt8(ascii: "\""))
        while true {
            if position == buffer.count, try !refill() { throw Invalid() }
            let byte = buffer[position]
            position += 1
            if byte == UInt8(ascii: "\"") { return }
            if byte < 0x20 { throw Invalid() }
            if byte == UInt8(ascii: "\\") {
                scratch.removeAll(keepingCapacity: true)
                try readEscape()
            }
        }
    }

    /// Reads a number that is an integer (no fraction or exponent) and fits an `Int`; nil for any
    /// other number (which is read all the same).
    package mutating func readInteger() throws -> Int? {
        let text = try numberText()
        guard !text.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") })
        else { return nil }
        return Int(String(decoding: text, as: UTF8.self))
    }

    /// Reads `true` or `false`.
    package mutating func readBool() throws -> Bool {
        if try nonSpace() == UInt8(ascii: "t") {
            try literal("true")
            return true
        }
        try literal("false")
        return false
    }

    /// Reads `null`.
    package mutating func readNull() throws { try literal("null") }

    /// Reads and drops the next value, whatever it is.
    package mutating func skipValue() throws {
        switch try peek() {
        case .object: try readObject { reader, _ in try reader.skipValue() }
        case .array: try readArray { reader in try reader.skipValue() }
        case .string: try skipString()
        case .number: _ = try numberText()
        case .bool: _ = try readBool()
        case .null: try readNull()
        }
    }

    /// Whether the next value is of `kind`; when it is not, it is skipped.
    package mutating func nextIs(_ kind: Kind) throws -> Bool {
        if try peek() == kind { return true }
        try skipValue()
        return false
    }

    /// The string at this point, or nil (the value skipped) when it is another kind.
    package mutating func stringOrSkip() throws -> String? {
        try nextIs(.string) ? try readString() : nil
    }

    /// The integer at this point, or nil (the value skipped) when it is another kind.
    package mutating func integerOrSkip() throws -> Int? {
        try nextIs(.number) ? try readInteger() : nil
    }

    /// After the top-level value: only white space may follow.
    package mutating func finish() throws {
        while true {
            while position < buffer.count {
                guard Self.isSpace(buffer[position]) else { throw Invalid() }
                position += 1
            }
            if try !refill() { return }
        }
    }

    // MARK: Bytes

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The next byte that is not white space (not consumed).
    private mutating func nonSpace() throws -> UInt8 {
        while true {
            while position < buffer.count {
                let byte = buffer[position]
                if !Self.isSpace(byte) { return byte }
                position += 1
            }
            if try !refill() { throw Invalid() }
        }
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard try nonSpace() == byte else { throw Invalid() }
        position += 1
    }

    /// The next byte (consumed).
    private mutating func byte() throws -> UInt8 {
        if position == buffer.count, try !refill() { throw Invalid() }
        defer { position += 1 }
        return buffer[position]
    }

    /// Replaces the consumed buffer with the next chunk; false at the end of the text.
    private mutating func refill() throws -> Bool {
        guard !ended else { return false }
        while true {
            guard let chunk = try next() else {
                ended = true
                buffer = []
                position = 0
                return false
            }
            if chunk.isEmpty { continue }
            buffer = chunk
            position = 0
            return true
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        _ = try nonSpace()
        let bytes = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for expected in bytes { guard try byte() == expected else { throw Invalid() } }
    }

    private mutating func numberText() throws -> [UInt8] {
        _ = try nonSpace()
        var text: [UInt8] = []
        while true {
            if position == buffer.count, try !refill() { break }
            let byte = buffer[position]
            guard
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
                    || byte == UInt8(ascii: "E")
            else { break }
            text.append(byte)
            position += 1
        }
        guard Self.isNumber(text) else { throw Invalid() }
        return text
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private static func isNumber(_ text: [UInt8]) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < text.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[index]) { index += 1 }
            return index - start
        }
        if index < text.count, text[index] == UInt8(ascii: "-") { index += 1 }
        guard index < text.count else { return false }
        if text[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return false
        }
        if index < text.count, text[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < text.count, text[index] == UInt8(ascii: "e") || text[index] == UInt8(ascii: "E") {
            index += 1
            if index < text.count, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == text.count
    }

    /// After a backslash in a string: appends what the escape stands for, as UTF-8.
    private mutating func readEscape() throws {
        let byte = try byte()
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(byte)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard try self.byte() == UInt8(ascii: "\\"), try self.byte() == UInt8(ascii: "u") else {
                    throw Invalid()
                }
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw Invalid() }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw Invalid()
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw Invalid() }
            scratch.append(contentsOf: Array(String(Character(unicode)).utf8))
        default: throw Invalid()
        }
    }

    private mutating func hex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = try byte()
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Invalid()
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
