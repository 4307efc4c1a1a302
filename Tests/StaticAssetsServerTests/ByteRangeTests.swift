import StaticAssetsServer
import Testing

@Suite struct ByteRangeTests {
    @Test func singleRanges() {
        #expect(ByteRange("bytes=0-9", size: 100) == .satisfiable(0..<10))
        #expect(ByteRange("bytes=90-", size: 100) == .satisfiable(90..<100))
        #expect(ByteRange("bytes=-10", size: 100) == .satisfiable(90..<100))
        #expect(ByteRange("bytes=-1000", size: 100) == .satisfiable(0..<100))
        #expect(ByteRange("bytes=50-5000", size: 100) == .satisfiable(50..<100))
        #expect(ByteRange("bytes=99-99", size: 100) == .satisfiable(99..<100))
        #expect(ByteRange("Bytes = 1-2", size: 100) == .satisfiable(1..<3))
        #expect(ByteRange("bytes=0-99999999999999999999999", size: 100) == .satisfiable(0..<100))
    }

    @Test func unsatisfiable() {
        #expect(ByteRange("bytes=100-", size: 100) == .unsatisfiable)
        #expect(ByteRange("bytes=100-200", size: 100) == .unsatisfiable)
        #expect(ByteRange("bytes=-0", size: 100) == .unsatisfiable)
        #expect(ByteRange("bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRange("bytes=-5", size: 0) == .unsatisfiable)
        #expect(ByteRange("bytes=99999999999999999999999-", size: 100) == .unsatisfiable)
    }

    @Test func ignoredWhenMalformedOrSeveral() {
        #expect(ByteRange("bytes=5-1", size: 100) == .ignored)
        #expect(ByteRange("bytes=0-1,5-6", size: 100) == .ignored)
        #expect(ByteRange("items=0-1", size: 100) == .ignored)
        #expect(ByteRange("bytes=a-b", size: 100) == .ignored)
        #expect(ByteRange("bytes=-", size: 100) == .ignored)
        #expect(ByteRange("bytes=", size: 100) == .ignored)
        #expect(ByteRange("bytes 0-1", size: 100) == .ignored)
        #expect(ByteRange("bytes=+1-2", size: 100) == .ignored)
    }

    @Test func contentRangeValues() {
        #expect(ByteRange.contentRange(0..<10, size: 100) == "bytes 0-9/100")
        #expect(ByteRange.contentRange(nil, size: 100) == "bytes */100")
    }
}
