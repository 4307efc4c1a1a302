import Foundation
import StaticAssetsHummingbird
import StaticAssetsServer
import TestSupport
import Testing

/// One table of requests (Tests/TestSupport/Conformance/ConformanceTable.swift), the same expected
/// statuses, fields and bodies, for every way we serve: the responder called directly, the
/// Hummingbird middleware over real HTTP and the Vapor middleware over real HTTP. Each adapter must
/// answer every row as the table says, and the three must agree with each other on status, every
/// field the responder sets (all but `Date`, `Connection`, `Server`) and the body bytes.
@Suite(.serialized, .enabled(if: Requirement.tool("curl"), "needs curl"))
struct ConformanceTests {
    enum Adapter: String, CaseIterable, Sendable, CustomStringConvertible {
        /// `hummingbirdFileRegions`: the Hummingbird middleware with a `StaticAssetsFileRegionHandler` in
        /// the server's channel (file bodies as file regions, `sendfile`).
        case responder, hummingbird, hummingbirdFileRegions, vapor
        var description: String { rawValue }
    }

    static func exchanges(_ adapter: Adapter, _ responder: StaticFileResponder, _ rows: [ConformanceRow])
        async throws -> [ConformanceExchange]
    {
        let requests = rows.map(\.request)
        switch adapter {
        case .responder: return requests.map { ResponderAdapter.exchange(responder, $0) }
        case .hummingbird: return try await HummingbirdAdapter.exchanges(responder, requests)
        case .hummingbirdFileRegions:
            return try await HummingbirdAdapter.exchanges(responder, requests, fileRegions: FileRegionCounter())
        case .vapor: return try await VaporAdapter.exchanges(responder, requests)
        }
    }

    /// Every adapter's answers to the production table, made once.
    static let production = Task { () throws -> [Adapter: [ConformanceExchange]] in
        let site = try await ConformanceFixture.shared.value
        let rows = ConformanceTable.rows(site)
        var answers: [Adapter: [ConformanceExchange]] = [:]
        for adapter in Adapter.allCases { answers[adapter] = try await exchanges(adapter, try site.responder(), rows) }
        return answers
    }

    @Test(arguments: Adapter.allCases)
    func productionTable(adapter: Adapter) async throws {
        let site = try await ConformanceFixture.shared.value
        let rows = ConformanceTable.rows(site)
        #expect(rows.count >= 90)
        let answers = try #require(try await Self.production.value[adapter])
        for (row, answer) in zip(rows, answers) {
            let failures = row.failures(answer)
            #expect(failures.isEmpty, "\(adapter): \(row): \(failures.joined(separator: "; "))")
        }
    }

    /// The same rows with every body read from disk (no memory serving): the same answers.
    @Test(arguments: Adapter.allCases)
    func productionTableFromDisk(adapter: Adapter) async throws {
        let site = try await ConformanceFixture.shared.value
        let rows = ConformanceTable.rows(site)
        let responder = try site.responder(.init(memory: .disabled))
        let answers = try await Self.exchanges(adapter, responder, rows)
        let reference = try await Self.production.value[.responder] ?? []
        for (index, row) in rows.enumerated() {
            let failures = row.failures(answers[index])
            #expect(failures.isEmpty, "\(adapter): \(row): \(failures.joined(separator: "; "))")
            #expect(answers[index].responderFields == reference[index].responderFields, "\(adapter): \(row)")
        }
        #expect(responder.bytesInMemory == 0)
    }

    /// docs/guides/serving.md, "File bodies through sendfile": with the handler in the channel, every
    /// file body of the table (read from disk: no memory serving) went to the socket as a file region,
    /// and the answers are the table's (`productionTableFromDisk` checks them row by row).
    @Test func fileBodiesGoAsFileRegionsWithTheHandler() async throws {
        let site = try await ConformanceFixture.shared.value
        let rows = ConformanceTable.rows(site)
        let counter = FileRegionCounter()
        let answers = try await HummingbirdAdapter.exchanges(
            try site.responder(.init(memory: .disabled)), rows.map(\.request), fileRegions: counter)
        let withBodies = answers.filter { [200, 206].contains($0.status) && !$0.body.isEmpty }
        #expect(withBodies.count >= 20)
        #expect(counter.regions == withBodies.count)
        #expect(counter.bytes == withBodies.map(\.body.count).reduce(0, +))
        for (row, answer) in zip(rows, answers) {
            #expect(row.failures(answer).isEmpty, "\(row): \(row.failures(answer).joined(separator: "; "))")
        }
    }

    @Test func adaptersAgreeOnEveryRow() async throws {
        let site = try await ConformanceFixture.shared.value
        let rows = ConformanceTable.rows(site)
        let answers = try await Self.production.value
        Self.expectAgreement(rows, answers)
    }

    @Test(arguments: Adapter.allCases)
    func developmentTable(adapter: Adapter) async throws {
        let site = try await ConformanceFixture.shared.value
        let rows = ConformanceTable.developmentRows(site)
        let answers = try await Self.exchanges(adapter, site.developmentResponder(), rows)
        let reference = try await Self.exchanges(.responder, site.developmentResponder(), rows)
        for (index, row) in rows.enumerated() {
            let failures = row.failures(answers[index])
            #expect(failures.isEmpty, "\(adapter): \(row): \(failures.joined(separator: "; "))")
            #expect(answers[index].responderFields == reference[index].responderFields, "\(adapter): \(row)")
        }
    }

    /// WhiteNoise's serving options (root files, index file, max-age, MIME types, headers hook, CORS),
    /// set on the responder, answered alike by every adapter (docs/guides/serving.md, "WhiteNoise's
    /// settings").
    @Test func servingOptionsTable() async throws {
        let site = try await ConformanceFixture.shared.value
        let rows = ConformanceTable.servingOptionRows(site)
        var answers: [Adapter: [ConformanceExchange]] = [:]
        for adapter in Adapter.allCases {
            answers[adapter] = try await Self.exchanges(adapter, try site.servingOptionsResponder(), rows)
            for (row, answer) in zip(rows, answers[adapter] ?? []) {
                let failures = row.failures(answer)
                #expect(failures.isEmpty, "\(adapter): \(row): \(failures.joined(separator: "; "))")
            }
        }
        Self.expectAgreement(rows, answers)
    }

    /// `allowAllOrigins: false`: no `Access-Control-Allow-Origin` from any adapter.
    @Test func originsOffTable() async throws {
        let site = try await ConformanceFixture.shared.value
        let rows = ConformanceTable.originsOffRows(site)
        var answers: [Adapter: [ConformanceExchange]] = [:]
        for adapter in Adapter.allCases {
            answers[adapter] = try await Self.exchanges(
                adapter, try site.responder(.init(allowAllOrigins: false)), rows)
            for (row, answer) in zip(rows, answers[adapter] ?? []) {
                let failures = row.failures(answer)
                #expect(failures.isEmpty, "\(adapter): \(row): \(failures.joined(separator: "; "))")
            }
        }
        Self.expectAgreement(rows, answers)
    }

    static func expectAgreement(_ rows: [ConformanceRow], _ answers: [Adapter: [ConformanceExchange]]) {
        guard let reference = answers[.responder] else { return }
        for adapter in [Adapter.hummingbird, .hummingbirdFileRegions, .vapor] {
            guard let other = answers[adapter] else {
                Issue.record("no answers from \(adapter)")
                continue
            }
            for (index, row) in rows.enumerated() {
                #expect(other[index].status == reference[index].status, "\(adapter): \(row)")
                #expect(other[index].responderFields == reference[index].responderFields, "\(adapter): \(row)")
                #expect(other[index].body == reference[index].body, "\(adapter): \(row)")
            }
        }
    }
}
