import StaticAssets

/// A `Range` field (RFC 9110 §14.2) applied to a representation of `size` bytes.
///
/// Only one `bytes` range is honoured (`a-b`, `a-`, `-n`); a malformed field, another unit or several
/// ranges are ignored (the whole representation is sent with 200, which RFC 9110 allows).
public enum ByteRange: Sendable, Equatable {
    /// Send the whole representation.
    case ignored
    /// Send these bytes with 206.
    case satisfiable(Range<Int>)
    /// Nothing of the representation overlaps the range: 416 with `Content-Range: bytes */size`.
    case unsatisfiable

    public init(_ header: String, size: Int) {
        let parts = Substring(header).split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].trimmingOWS().lowercased() == "bytes" else {
            self = .ignored
            return
        }
        let specs = parts[1].split(separator: ",").map { $0.trimmingOWS() }.filter { !$0.isEmpty }
        guard specs.count == 1 else {
            self = .ignored
            return
        }
        self = Self.single(specs[0], size: size)
    }

    /// The `Content-Range` value of a 206 or 416.
    public static func contentRange(_ range: Range<Int>?, size: Int) -> String {
        guard let range else { return "bytes */\(size)" }
        return "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
    }

    private static func single(_ spec: Substring, size: Int) -> ByteRange {
        let bounds = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2 else { return .ignored }
        let first = bounds[0].trimmingOWS()
        let last = bounds[1].trimmingOWS()
        if first.isEmpty {
            // Suffix range: the last n bytes.
            guard let count = number(last) else { return .ignored }
            guard count > 0, size > 0 else { return .unsatisfiable }
            return .satisfiable(max(0, size - count)..<size)
        }
        guard let start = number(first) else { return .ignored }
        var end = Int.max
        if !last.isEmpty {
            guard let parsed = number(last), parsed >= start else { return .ignored }
            end = parsed
        }
        guard start < size else { return .unsatisfiable }
        return .satisfiable(start..<(min(end, size - 1) + 1))
    }

    /// Decimal digits only; values past `Int.max` saturate.
    private static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        var value = 0
        for digit in text.utf8 {
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return Int.max }
            value = sum
        }
        return value
    }
}
