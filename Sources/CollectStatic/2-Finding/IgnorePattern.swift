/// Shell-style patterns with Python's `fnmatch.fnmatchcase` semantics, as Django's
/// `matches_patterns` uses them: case-sensitive; `*` matches any run of characters (including
/// `/`), `?` one character, `[seq]` / `[!seq]` a set; a `[` without a closing `]` is literal.
package struct IgnorePattern: Sendable, Hashable {
    package let pattern: String
    private let scalars: [Unicode.Scalar]

    package init(_ pattern: String) {
        self.pattern = pattern
        self.scalars = Array(pattern.unicodeScalars)
    }

    package func matches(_ text: String) -> Bool {
        let subject = Array(text.unicodeScalars)
        var p = 0
        var s = 0
        var starP = -1
        var starS = 0
        while s < subject.count {
            if p < scalars.count {
                switch scalars[p] {
                case "*":
                    starP = p
                    starS = s
                    p += 1
                    continue
                case "?":
                    p += 1
                    s += 1
                    continue
                case "[":
                    if let (matched, next) = matchSet(at: p, subject[s]) {
                        if matched {
                            p = next
                            s += 1
                            continue
                        }
                    } else if subject[s] == "[" {
                        p += 1
                        s += 1
                        continue
                    }
                case let literal where literal == subject[s]:
                    p += 1
                    s += 1
                    continue
                default:
                    break
                }
            }
            guard starP >= 0 else { return false }
            starS += 1
            s = starS
            p = starP + 1
        }
        while p < scalars.count, scalars[p] == "*" { p += 1 }
        return p == scalars.count
    }

    /// Matches the set starting at `scalars[start] == "["`; nil if the set is not closed.
    private func matchSet(at start: Int, _ character: Unicode.Scalar) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < scalars.count, scalars[i] == "!" {
            negate = true
            i += 1
        }
        var first = true
        var matched = false
        while i < scalars.count {
            if scalars[i] == "]" && !first { return (matched != negate, i + 1) }
            first = false
            if i + 2 < scalars.count, scalars[i + 1] == "-", scalars[i + 2] != "]" {
                if scalars[i].value <= character.value && character.value <= scalars[i + 2].value { matched = true }
                i += 3
            } else {
                if scalars[i] == character { matched = true }
                i += 1
            }
        }
        return nil
    }

    /// Django's `list({os.path.normpath(p) for p in patterns})`, in a stable order.
    static func normalized(_ patterns: [String]) -> [String] {
        var seen = Set<String>()
        return patterns.map(normpath).filter { seen.insert($0).inserted }
    }

    /// Python's `posixpath.normpath`.
    static func normpath(_ path: String) -> String {
        if path.isEmpty { return "." }
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !absolute {
                    parts.append(part)
                }
            } else {
                parts.append(part)
            }
        }
        let body = parts.joined(separator: "/")
        if absolute { return (path.hasPrefix("//") && !path.hasPrefix("///") ? "//" : "/") + body }
        return body.isEmpty ? "." : body
    }
}

extension Array where Element == IgnorePattern {
    func anyMatches(_ text: String) -> Bool { contains { $0.matches(text) } }
}
