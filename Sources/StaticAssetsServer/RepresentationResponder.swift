import StaticAssets

/// One request for one known asset: negotiates the representation, then applies the conditional
/// fields and `Range`.
struct RepresentationResponder {
    let asset: Asset
    let request: StaticRequest
    let cachePolicy: CachePolicy
    /// `Content-Type` by file name (``ServingRules/contentType(for:)``).
    var contentType: (String) -> String = ContentTypes.contentType(for:)

    func response() -> StaticResponse {
        let accept = AcceptEncoding(request.header("Accept-Encoding"))
        if let delta = deltaResponse(accept) { return delta }
        var available = asset.codings
        while true {
            guard let coding = accept.preferred(among: available) else {
                var refusal: [(name: String, value: String)] = [("Cache-Control", cachePolicy.uncached)]
                if hasVariants { refusal.append(("Vary", vary)) }
                return bare(406, refusal)
            }
            guard let located = asset.locate(coding) else {
                // A variant the manifest lists but the disk lacks: fall back to the next one.
                guard coding != .identity else { return bare(404, [("Cache-Control", cachePolicy.uncached)]) }
                available.removeAll { $0 == coding }
                continue
            }
            return response(coding: coding, located: located)
        }
    }

    private var hasVariants: Bool { asset.codings.count > 1 || asset.hasDeltas }

    /// `Vary` of every response for this asset: a delta depends on `Available-Dictionary` too.
    private var vary: String {
        asset.hasDeltas ? "Accept-Encoding, Available-Dictionary" : "Accept-Encoding"
    }

    /// A delta (`dcz` or `dcb`), when the client accepts its coding, names a dictionary we hold a
    /// delta against, and may read it (RFC 9842's cross-origin rule); nil otherwise (the normal
    /// negotiation follows). A client that weights the delta codings below another coding we have
    /// gets that coding instead. Between `dcz` and `dcb` the higher weight wins, then the smaller
    /// delta, then `dcz`.
    private func deltaResponse(_ accept: AcceptEncoding) -> StaticResponse? {
        guard asset.hasDeltas,
            let dictionary = DictionaryTransport.availableDictionary(request.header("Available-Dictionary")),
            DictionaryTransport.allowsDelta(request)
        else { return nil }
        let plain = asset.codings.map { accept.weight(of: $0) }.max() ?? 0
        let candidates = DeltaCoding.allCases.compactMap { coding -> (coding: DeltaCoding, weight: Int, size: Int)? in
            let weight = accept.weight(ofToken: coding.token)
            guard weight > 0, weight >= plain, let size = asset.deltas[coding]?[dictionary] else { return nil }
            return (coding, weight, size)
        }.sorted { ($1.weight, $0.size, $0.coding) < ($0.weight, $1.size, $1.coding) }
        for candidate in candidates {
            guard let opened = asset.locateDelta(candidate.coding, dictionary),
                let tag = asset.deltaTag(candidate.coding, dictionary: dictionary, size: opened.size)
            else { continue }
            return deltaResponse(candidate.coding, opened: opened, tag: tag)
        }
        return nil
    }

    private func deltaResponse(_ coding: DeltaCoding, opened: OpenFile, tag: EntityTag) -> StaticResponse {
        let file = opened.file
        var validators: [(name: String, value: String)] = [
            ("ETag", tag.description), ("Last-Modified", HTTPDate.format(file.modifiedSeconds)),
            ("Cache-Control", asset.cacheControl), ("Vary", vary),
        ]
        if let useAsDictionary = asset.useAsDictionary { validators.append(("Use-As-Dictionary", useAsDictionary)) }
        if isNotModified(tag: tag, modifiedSeconds: file.modifiedSeconds) {
            return StaticResponse(status: 304, headers: validators + [("Content-Length", "\(file.size)")])
        }
        let headers =
            [("Content-Type", contentType(asset.name)), ("Content-Encoding", coding.token)]
            + validators
            + [("Content-Length", "\(file.size)")]
        let body: StaticResponse.Body = request.method == "HEAD" ? .none : .file(opened, range: 0..<file.size)
        return StaticResponse(status: 200, headers: headers, body: body)
    }

    /// The same status and fields whether the body is in memory or on disk: both come from `file`.
    private func response(coding: ContentEncoding, located: LocatedFile) -> StaticResponse {
        let file = located.file
        let tag = located.validators?.entityTag ?? asset.entityTag(for: coding, file: file)
        let lastModified = located.validators?.lastModified ?? HTTPDate.format(file.modifiedSeconds)
        var validators: [(name: String, value: String)] = [
            ("ETag", tag.description), ("Last-Modified", lastModified), ("Cache-Control", asset.cacheControl),
        ]
        if hasVariants { validators.append(("Vary", vary)) }
        if let useAsDictionary = asset.useAsDictionary { validators.append(("Use-As-Dictionary", useAsDictionary)) }

        if isNotModified(tag: tag, modifiedSeconds: file.modifiedSeconds) {
            return StaticResponse(status: 304, headers: validators + [("Content-Length", "\(file.size)")])
        }
        var headers: [(name: String, value: String)] = [("Content-Type", contentType(asset.name))]
        if let token = coding.token { headers.append(("Content-Encoding", token)) }
        headers += validators
        headers.append(("Accept-Ranges", "bytes"))

        var range = 0..<file.size
        var status = 200
        if coding == .identity, request.method == "GET", let rangeField = request.header("Range"),
            rangeApplies(tag: tag, lastModified: lastModified)
        {
            switch ByteRange(rangeField, size: file.size) {
            case .ignored:
                break
            case .unsatisfiable:
                var refusal: [(name: String, value: String)] = [
                    ("Content-Range", ByteRange.contentRange(nil, size: file.size)),
                    ("Cache-Control", cachePolicy.uncached),
                ]
                if hasVariants { refusal.append(("Vary", vary)) }
                return bare(416, refusal)
            case .satisfiable(let part):
                range = part
                status = 206
                headers.append(("Content-Range", ByteRange.contentRange(part, size: file.size)))
            }
        }
        headers.append(("Content-Length", "\(range.count)"))
        let body: StaticResponse.Body
        if request.method == "HEAD" {
            body = .none
        } else if let bytes = located.bytes {
            body = .memory(bytes, range: range)
        } else if let opened = located.opened {
            body = .file(opened, range: range)
        } else {
            body = .none
        }
        return StaticResponse(status: status, headers: headers, body: body)
    }

    /// If-None-Match (weak comparison, `*`) wins over If-Modified-Since, as RFC 9110 §13.2.2 orders them.
    private func isNotModified(tag: EntityTag, modifiedSeconds: Int) -> Bool {
        if let noneMatch = request.header("If-None-Match") {
            return EntityTag.noneMatchCondition(noneMatch, matches: tag)
        }
        if let since = request.header("If-Modified-Since"), let date = HTTPDate.parse(since) {
            return modifiedSeconds <= date
        }
        return false
    }

    /// `If-Range`: the range applies only if the client's validator is still current (a strong ETag
    /// match, or the exact Last-Modified date).
    private func rangeApplies(tag: EntityTag, lastModified: String) -> Bool {
        guard let ifRange = request.header("If-Range") else { return true }
        if ifRange.hasPrefix("\"") || ifRange.hasPrefix("W/") {
            return EntityTag.parseList(ifRange).tags.first.map { $0.stronglyMatches(tag) } ?? false
        }
        return HTTPDate.parse(ifRange) == HTTPDate.parse(lastModified)
    }

    private func bare(_ status: Int, _ headers: [(name: String, value: String)]) -> StaticResponse {
        StaticResponse(status: status, headers: [("Content-Length", "0")] + headers)
    }
}
