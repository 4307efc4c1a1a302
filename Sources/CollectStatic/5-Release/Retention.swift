import Foundation
import StaticAssets

/// Which previous releases stay in STATIC_ROOT: a release is kept while it is among the
/// `count` most recent previous ones *or* was replaced less than `maximumAge` seconds ago (the rule
/// of Sprockets' `clean(count, age)`, with the age counted from when a release stopped being current,
/// since that is when pages it rendered start to need its files from an older release).
public struct Retention: Sendable, Equatable {
    /// Previous releases kept at least (`--keep`).
    public var count: Int
    /// Seconds a replaced release stays kept at least (`--keep-age`).
    public var maximumAge: Double

    /// Keeps `count` previous releases, and any replaced less than `maximumAge` seconds ago.
    public init(count: Int = 2, maximumAge: Double = 3600) {
        self.count = count
        self.maximumAge = maximumAge
    }

    /// The releases of `previous` (newest first) that are kept at `now`.
    public func kept(_ previous: [ReleaseRecord], now: Date) -> [ReleaseRecord] {
        previous.enumerated().filter { index, release in
            if index < count { return true }
            guard let retired = release.retired.flatMap(ReleaseClock.date(from:)) else { return false }
            return now.timeIntervalSince(retired) < maximumAge
        }.map(\.element)
    }
}

/// ReleaseRecord ids and times: UTC, ISO 8601, sortable.
package enum ReleaseClock {
    package static func timestamp(_ date: Date) -> String {
        format(date, "yyyy-MM-dd'T'HH:mm:ss'Z'")
    }

    package static func date(from timestamp: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        return formatter.date(from: timestamp)
    }

    /// `20261122T153501Z-3f2a9c`: the time, then `tag` (the release's manifest hash) or random digits.
    package static func newID(_ date: Date, tag: String? = nil) -> String {
        format(date, "yyyyMMdd'T'HHmmss'Z'") + "-"
            + (tag.map { String($0.prefix(6)) } ?? String(UInt32.random(in: 0...UInt32.max), radix: 16))
    }

    private static func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}
