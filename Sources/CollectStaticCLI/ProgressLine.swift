import CollectStatic

/// The text of a progress line: files and bytes done of the total, the rate of the real work, and for
/// compression the time left, estimated from the bytes of content still to compress (not from a count
/// of contents: the largest go first).
///
///     Compressing 115/2,439 files, 12.3/58.9 MB, 1.4 MB/s, 33 s left
///     Compressed 2,400 files (57.1 MB) in 61.0 s, 0.94 MB/s; 39 reused
enum ProgressLine {
    /// The line while the phase runs, `elapsed` seconds after it started.
    static func running(_ progress: CollectionProgress, elapsed: Double) -> String {
        var parts: [String] = []
        if let total = progress.totalFiles {
            parts.append("\(count(progress.files))/\(count(total)) files")
        } else {
            parts.append("\(count(progress.files)) files")
        }
        if let total = progress.totalBytes {
            parts.append(bytesOf(progress.bytes, total))
        } else {
            parts.append(bytes(progress.bytes))
        }
        let rate = self.rate(progress, elapsed: elapsed)
        if let rate, progress.phase != .finding { parts.append(bytes(Int(rate)) + "/s") }
        if progress.phase == .compressing, let rate, let total = progress.totalBytes {
            parts.append(duration(Double(max(0, total - progress.bytes)) / rate) + " left")
        }
        return progress.phase.rawValue + " " + parts.joined(separator: ", ")
    }

    /// The line that stays once a phase that did real work has finished.
    static func finished(_ progress: CollectionProgress, elapsed: Double) -> String {
        let verb: String
        let skippedWord: String
        switch progress.phase {
        case .finding: (verb, skippedWord) = ("Found", "")
        case .hashing: (verb, skippedWord) = ("Hashed", "")
        case .copying: (verb, skippedWord) = ("Copied", "unmodified")
        case .compressing: (verb, skippedWord) = ("Compressed", "reused")
        }
        var line = "\(verb) \(count(progress.workedFiles)) file\(progress.workedFiles == 1 ? "" : "s")"
        line += " (\(bytes(progress.workedBytes))) in \(duration(elapsed))"
        if let rate = rate(progress, elapsed: elapsed) { line += ", \(bytes(Int(rate)))/s" }
        let skipped = progress.files - progress.workedFiles
        if skipped > 0 && !skippedWord.isEmpty { line += "; \(count(skipped)) \(skippedWord)" }
        return line
    }

    /// Bytes of real work per second, once there is enough to tell.
    static func rate(_ progress: CollectionProgress, elapsed: Double) -> Double? {
        guard elapsed >= 0.2, progress.workedBytes > 0 else { return nil }
        return Double(progress.workedBytes) / elapsed
    }

    /// `2,439`.
    static func count(_ value: Int) -> String {
        let digits = Array(String(value.magnitude))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return (value < 0 ? "-" : "") + result
    }

    /// `532 B`, `12.3 KB`, `58.9 MB`, `1.2 GB` (decimal units, as `ls -h --si` and download tools show).
    static func bytes(_ value: Int) -> String {
        let units = ["KB", "MB", "GB", "TB"]
        guard value >= 1000 else { return "\(value) B" }
        var scaled = Double(value) / 1000
        var unit = 0
        while scaled >= 999.95 && unit < units.count - 1 {
            scaled /= 1000
            unit += 1
        }
        return oneDecimal(scaled) + " " + units[unit]
    }

    /// `12.3/58.9 MB` when both have the same unit, else `900 KB/1.2 MB`.
    static func bytesOf(_ done: Int, _ total: Int) -> String {
        let (doneText, totalText) = (bytes(done), bytes(total))
        let doneParts = doneText.split(separator: " ")
        let totalParts = totalText.split(separator: " ")
        if doneParts.count == 2, totalParts.count == 2, doneParts[1] == totalParts[1] {
            return "\(doneParts[0])/\(totalText)"
        }
        return "\(doneText)/\(totalText)"
    }

    /// `0.4 s`, `33 s`, `1:05`, `1:02:03`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        if seconds < 10 { return oneDecimal(max(0, seconds)) + " s" }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        let (hours, minutes, secs) = (whole / 3600, whole / 60 % 60, whole % 60)
        let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" : "\(minutes):\(twoDigits(secs))"
    }

    private static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
