/// What a run fetched from the shared compression cache before compressing, and how long that took:
/// the downloads on their own, so a fresh machine's run can be set against a `--no-compress` run plus
/// them (`--json`'s `sharedCacheFetch`; the tool prints it at verbosity 2).
public struct SharedCacheFetch: Sendable, Equatable, Codable {
    /// Records fetched (one per content the release needs that the local cache lacked).
    public var records: Int
    /// Variant files fetched, those the records name.
    public var files: Int
    /// Wall seconds from the first request to the last file written into the cache folder.
    public var seconds: Double

    public init(records: Int, files: Int, seconds: Double) {
        self.records = records
        self.files = files
        self.seconds = seconds
    }
}
