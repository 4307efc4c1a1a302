import StaticAssets
import TestSupport
import Testing

@testable import CollectStatic

// Property/fuzz tests: deterministic pseudo-random inputs must never crash or
// hang the scanner, every reported range must be sane, and rewriting with the
// identity mapping must return the input unchanged.

private let fragments: [String] = [
    "url(", "URL(", "url( ", ")", " )", "url(\"", "url('", "@import", "@IMPORT ", "@import \"", "@import '",
    "/*", "*/", "/*# sourceMappingURL=", "//# sourceMappingURL=", "//", "\"", "'", "`", "\\", "\\\n",
    "import", "import ", "import(", "import(\"./", "import('./", "import {", "import * as x ", "export ",
    "export * ", "export{", "from", " from ", " from './", " from \"/", "{", "}", ",", ";", "\n", "\r\n",
    "\r", " ", "\t", "./a.js", "../img/b.png", "a.png?v=1#x", "data:x", "é", "日本", "🎉", "#", "?", "${",
    "as", "default", "const ", ".", "$", "x", "*",
]

/// A pseudo-random input mixing raw bytes (including invalid UTF-8) with
/// syntax fragments.
private func randomInput(_ rng: inout SeededRandom) -> [UInt8] {
    var bytes: [UInt8] = []
    let pieces = Int.random(in: 0...48, using: &rng)
    for _ in 0..<pieces {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0:
            bytes.append(UInt8.random(in: 0...255, using: &rng))
        case 1:
            bytes.append(UInt8.random(in: 0x20...0x7E, using: &rng))
        default:
            bytes += fragments.randomElement(using: &rng)!.utf8
        }
    }
    return bytes
}

private let allSyntaxes: [ReferenceSyntax] = [.css, .javaScript(modules: false), .javaScript(modules: true)]

/// Checks the invariants for one input; returns the number of references.
@discardableResult
private func checkInvariants(_ bytes: [UInt8], _ syntax: ReferenceSyntax, seed: UInt64) -> Int {
    let refs = ReferenceScanner.scan(bytes, syntax: syntax)
    var previousEnd = 0
    for r in refs {
        let context = "seed \(seed) \(syntax): \(r)"
        #expect(r.matchRange.lowerBound >= previousEnd, "\(context) overlaps or is unsorted")
        #expect(r.matchRange.upperBound <= bytes.count, "\(context) out of bounds")
        #expect(r.matchRange.lowerBound < r.matchRange.upperBound, "\(context) empty match")
        #expect(
            r.urlRange.lowerBound >= r.matchRange.lowerBound && r.urlRange.upperBound <= r.matchRange.upperBound,
            "\(context) urlRange outside matchRange")
        #expect(r.clauseEnd >= r.matchRange.lowerBound && r.clauseEnd <= r.urlRange.lowerBound, "\(context)")
        #expect(r.line >= 1 && r.column >= 1, "\(context)")
        if r.matchRange.upperBound <= bytes.count {
            #expect(r.matchedText == String(decoding: bytes[r.matchRange], as: UTF8.self), "\(context)")
        }
        previousEnd = max(previousEnd, r.matchRange.upperBound)
    }
    let identity = ReferenceRewriter.rewrite(bytes, references: refs, newURL: { $0.url })
    #expect(identity == bytes, "seed \(seed) \(syntax): identity rewrite changed the input")
    // A rewrite that changes every url must not crash and must keep the bytes
    // between constructs.
    let changed = ReferenceRewriter.rewrite(bytes, references: refs, newURL: { $0.url + "!" })
    if let first = refs.first {
        #expect(Array(changed.prefix(first.matchRange.lowerBound)) == Array(bytes.prefix(first.matchRange.lowerBound)))
    } else {
        #expect(changed == bytes)
    }
    return refs.count
}

@Suite("ReferenceScanner — fuzz")
struct ReferenceScannerFuzzTests {
    @Test func randomInputsKeepInvariants() {
        var total = 0
        // 4,000 inputs: a CSS comment left open now hides the rest of its input (CSS Syntax).
        for seed in UInt64(1)...4000 {
            var rng = SeededRandom(seed: seed)
            let bytes = randomInput(&rng)
            for syntax in allSyntaxes {
                total += checkInvariants(bytes, syntax, seed: seed)
            }
        }
        // Make sure the generator actually produces references.
        #expect(total > 1000, "only \(total) references in the fuzz corpus")
    }

    @Test func edgeInputs() {
        let inputs: [[UInt8]] = [
            [], [0x2F], [0x5C], [0x27], [0x22], [0x60], Array("url(".utf8), Array("@import".utf8),
            Array("import".utf8), Array("export".utf8), Array("/*".utf8), Array("//".utf8),
            Array("/*# sourceMappingURL=".utf8), Array("//# sourceMappingURL=".utf8), Array("url(\"".utf8),
            Array("import(\"./".utf8), Array("import {".utf8), Array("import x from \"./".utf8),
            [0xFF, 0xFE, 0x80], Array("url(\u{FFFD})".utf8), [0xC3] + Array("url(a)".utf8), Array("\\".utf8) + [0xE6],
        ]
        for (index, bytes) in inputs.enumerated() {
            for syntax in allSyntaxes {
                checkInvariants(bytes, syntax, seed: UInt64(index))
            }
        }
    }

    @Test func pathologicalInputsStayFast() {
        // Unterminated constructs repeated many times must not go quadratic.
        let n = 200_000
        let inputs: [[UInt8]] = [
            Array(repeating: Array("/*".utf8), count: n).flatMap { $0 },
            Array(repeating: UInt8(ascii: "`"), count: n),
            Array(repeating: Array("'\\".utf8), count: n).flatMap { $0 },
            Array(repeating: Array("\"a".utf8), count: n).flatMap { $0 },
            Array(repeating: Array("url(".utf8), count: n).flatMap { $0 },
            Array(repeating: Array("import {".utf8), count: n / 4).flatMap { $0 },
            Array(repeating: Array("@import ".utf8), count: n).flatMap { $0 },
            Array(repeating: Array(".a{background:url(a.png)}".utf8), count: n / 10).flatMap { $0 },
        ]
        let clock = ContinuousClock()
        for bytes in inputs {
            for syntax in allSyntaxes {
                let elapsed = clock.measure { _ = ReferenceScanner.scan(bytes, syntax: syntax) }
                #expect(elapsed < .seconds(10), "\(bytes.prefix(12)) \(syntax): \(elapsed)")
            }
        }
    }
}
