import StaticAssets
import Testing

@Suite struct SafeNameTests {
    @Test func acceptsOrdinaryRelativeNames() {
        for name in ["a", "css/app.css", "odd/café au lait.txt", "a..b/c", "x/y.z.", "100%.txt"] {
            #expect(SafeName.isSafe(name), "\(name)")
        }
    }

    @Test func refusesEverythingThatCouldLeaveTheRootOrIsHidden() {
        for name in [
            "", "/etc/passwd", "..", "../x", "a/../b", "a/..", ".", "./a", "a/./b", ".env", "a/.git/config",
            "a//b", "a/", "a\\b", "..\\x", "a\u{0}b",
        ] {
            #expect(!SafeName.isSafe(name), "\(name)")
        }
    }
}
