import StaticAssets
import StaticAssetsServer
import Testing

@Suite struct AcceptEncodingTests {
    let all: [ContentEncoding] = [.brotli, .gzip, .identity]

    func choice(_ header: String?, among available: [ContentEncoding]? = nil) -> ContentEncoding? {
        AcceptEncoding(header).preferred(among: available ?? all)
    }

    @Test func noFieldMeansIdentityAndEmptyFieldToo() {
        #expect(choice(nil) == .identity)
        #expect(choice("") == .identity)
        #expect(choice("  ") == .identity)
    }

    @Test func browsersGetBrotliThenGzip() {
        #expect(choice("gzip, deflate, br, zstd") == .brotli)
        #expect(choice("gzip, deflate") == .gzip)
        #expect(choice("gzip, deflate, br", among: [.gzip, .identity]) == .gzip)
        #expect(choice("br", among: [.gzip, .identity]) == .identity)
    }

    @Test func qValuesOrderAndServerBreaksTies() {
        #expect(choice("gzip;q=0.9, br;q=0.8") == .gzip)
        #expect(choice("gzip;q=0.5, br;q=0.8") == .brotli)
        #expect(choice("gzip;q=0.5, br;q=0.5") == .brotli)
        #expect(choice("identity;q=1, br;q=0.5") == .identity)
        #expect(choice("gzip;q=0.001") == .gzip)  // any listed coding beats implicit identity
        #expect(choice("gzip;q=1.000, br;q=0.999") == .gzip)
    }

    @Test func qZeroRefuses() {
        #expect(choice("br;q=0, gzip") == .gzip)
        #expect(choice("br;q=0, gzip;q=0") == .identity)
        #expect(choice("br;q=0.000") == .identity)
        #expect(choice("br;q=0.") == .identity)
    }

    @Test func starCountsForEverythingUnlisted() {
        #expect(choice("*") == .brotli)
        #expect(choice("*;q=0.5, br;q=0.1") == .gzip)
        #expect(choice("br;q=0, *") == .gzip)
        #expect(choice("*;q=0", among: [.identity]) == nil)
        #expect(choice("*;q=0") == nil)
        #expect(choice("*;q=0, identity") == .identity)
        #expect(choice("*;q=0, gzip") == .gzip)
    }

    @Test func identityRefusedLeadsTo406OnlyWithoutAlternative() {
        #expect(choice("identity;q=0", among: [.identity]) == nil)
        #expect(choice("identity;q=0") == nil)  // br/gzip are not listed either
        #expect(choice("identity;q=0, gzip") == .gzip)
        #expect(choice("identity;q=0, gzip", among: [.identity]) == nil)
        #expect(choice("identity;q=0, *") == .brotli)
    }

    @Test func tokensAndParametersAreCaseInsensitive() {
        #expect(choice("BR") == .brotli)
        #expect(choice("Gzip;Q=0.5, BR;q=0") == .gzip)
        #expect(choice("IDENTITY;Q=0, GZIP") == .gzip)
        #expect(choice("x-gzip") == .gzip)
        #expect(choice("gzip ; q=0.5 , br ;q=0.4") == .gzip)
        #expect(choice("gzip\t;\tq=0.5") == .gzip)
    }

    @Test func malformedMembersAreSkipped() {
        #expect(choice("gzip;q=abc, br") == .brotli)
        #expect(choice("br;q=2") == .identity)
        #expect(choice("br;q=1.5") == .identity)
        #expect(choice("br;q=0.5000") == .identity)
        #expect(choice("br;q=-1") == .identity)
        #expect(choice("br;q") == .identity)
        #expect(choice(";;;,,,") == .identity)
        #expect(choice("gz ip, br") == .brotli)
        #expect(choice("gzip;level=9") == .gzip)
        #expect(choice(",,br,,") == .brotli)
        #expect(choice("\"br\"") == .identity)
    }

    @Test func weightsAreThousandths() {
        let accept = AcceptEncoding("gzip;q=0.25, *;q=0.5")
        #expect(accept.weight(of: .gzip) == 250)
        #expect(accept.weight(of: .brotli) == 500)
        #expect(accept.weight(of: .identity) == 500)
        #expect(AcceptEncoding("gzip").weight(of: .identity) == 1)
        #expect(AcceptEncoding(nil).weight(of: .brotli) == 0)
    }
}
