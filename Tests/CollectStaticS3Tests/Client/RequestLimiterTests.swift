import Testing

@testable import CollectStaticS3

@Suite("Request limiter")
struct RequestLimiterTests {
    actor Gauge {
        var current = 0
        var highest = 0
        func enter() {
            current += 1
            highest = max(highest, current)
        }
        func leave() { current -= 1 }
    }

    @Test(arguments: [1, 3, 16])
    func neverMoreThanTheLimitInFlight(_ limit: Int) async throws {
        let limiter = RequestLimiter(limit: limit)
        let gauge = Gauge()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<60 {
                group.addTask {
                    try await limiter.run {
                        await gauge.enter()
                        try await Task.sleep(for: .milliseconds(5))
                        await gauge.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await gauge.highest == limit)
    }

    @Test func theClientDefaultIsSixteen() {
        let configuration = S3Configuration(
            bucket: "b-1", host: "h", region: "r", credentials: Credentials(accessKeyID: "a", secretAccessKey: "s"))
        #expect(configuration.concurrency == 16)
    }
}
