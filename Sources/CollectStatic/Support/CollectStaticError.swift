/// Every way a run can fail, with the message a user sees and the process exit code.
public enum CollectStaticError: Error, Equatable, CustomStringConvertible {
    /// Invalid settings (exit code 2), refused before anything is read or written.
    case configuration(String)
    /// A source tree problem: unreadable file, symlink loop, root that is a file...
    case source(path: String, reason: String)
    /// CSS/JS that is not valid UTF-8.
    case invalidUTF8(path: String, byteOffset: Int)
    /// References to files that do not exist, all of them at once (the first ones in full).
    case missingReferences(MissingReferences)
    /// Writing into STATIC_ROOT failed.
    case output(path: String, reason: String)
    /// A codec failed.
    case compression(path: String, reason: String)
    /// The user answered something other than `yes`.
    case cancelled
    /// STATIC_ROOT holds files but no manifest of ours; `--clear` refuses without `--force`.
    case clearRefused(path: String)
    /// Another run held the lock on STATIC_ROOT for longer than `--lock-timeout`.
    case locked(lockFile: String, pid: Int32?, waited: Double)
    /// `rollback` or `clean` cannot do what was asked (no previous release, its tree is gone...).
    case releases(String)
    /// A destination beyond STATIC_ROOT (a bucket) could not take the release; STATIC_ROOT has it,
    /// the destination serves what it served before.
    case destination(String)

    /// The process exit status for this error: 2 for invalid configuration, 1 for a failed run.
    public var exitCode: Int32 {
        switch self {
        case .configuration: return 2
        default: return 1
        }
    }

    /// The problem in one line (missing references: one line each, then a count).
    public var description: String {
        switch self {
        case .configuration(let message):
            return message
        case .source(let path, let reason):
            return "\(path): \(reason)"
        case .invalidUTF8(let path, let offset):
            return
                "\(path): not valid UTF-8 (first bad byte at offset \(offset)); fix the file or set COLLECTSTATIC_INVALID_UTF8=copy to copy it unrewritten"
        case .missingReferences(let missing):
            let count = missing.count == 1 ? "1 missing reference" : "\(missing.count) missing references"
            return missing.lines.joined(separator: "\n") + "\n\(count); nothing was published"
        case .output(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .compression(let path, let reason):
            return "cannot compress \(path): \(reason)"
        case .cancelled:
            return "Collecting static files cancelled."
        case .locked(let lockFile, let pid, let waited):
            let holder = pid.map { "the run with PID \($0)" } ?? "another run"
            return
                "gave up after waiting \(Int(waited)) s for \(holder) to finish (lock file \(lockFile)); nothing was published. Raise --lock-timeout to wait longer"
        case .releases(let message), .destination(let message):
            return message
        case .clearRefused(let path):
            return
                "refusing to clear '\(path)': it is not empty and holds no manifest written by collectstatic; pass --force to delete its contents anyway"
        }
    }
}

/// A reference from one asset to a file that is not among this run's sources.
public struct MissingReference: Sendable, Equatable, CustomStringConvertible {
    /// Logical path of the file holding the reference.
    public var source: String
    /// Line of the reference in `source`, from 1.
    public var line: Int
    /// Column of the reference, from 1.
    public var column: Int
    /// The construct as written, e.g. `url("../img/nope.png")`.
    public var text: String
    /// Logical path it resolves to.
    public var target: String

    /// `source:line:column: text → target not found`.
    public var description: String { "\(source):\(line):\(column): \(text) → \(target) not found" }
}

/// Missing references of a run, in the order of the files and of each file's text: the first
/// `shownLimit` in full, and how many there are in all. A report stays readable, and its memory
/// small, however many a tree holds.
public struct MissingReferences: Sendable, Equatable {
    /// How many are kept in full (for the report's lines).
    public static let shownLimit = 50

    /// The first ones, at most `shownLimit`.
    public private(set) var first: [MissingReference] = []
    /// How many there are in all.
    public private(set) var count = 0

    /// A list holding `references`.
    public init(_ references: [MissingReference] = []) { add(references, count: references.count) }

    /// Adds `count` references, of which `references` are the first.
    mutating func add(_ references: [MissingReference], count: Int) {
        first.append(contentsOf: references.prefix(Self.shownLimit - first.count))
        self.count += count
    }

    /// One line a reference, then how many more there are.
    public var lines: [String] {
        var lines = first.map(\.description)
        if count > first.count { lines.append("... and \(count - first.count) more") }
        return lines
    }
}

extension CollectStaticError {
    /// A source file whose bytes are no longer those fingerprinted: never a hashed name over the wrong bytes.
    static func changedDuringRun(path: String) -> CollectStaticError {
        .source(path: path, reason: "changed while collectstatic was running; run it again")
    }
}
