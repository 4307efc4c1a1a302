import StaticAssets

/// One request for one known asset: negotiates the representation, then applies the conditional
/// fields and `Range`.
struct RepresentationResponder {
    let asset: Asset
    let request: StaticRequest
    let cachePolicy: CachePolicy

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

    private var hasVariants: Bool { asset.codings.count > 1 || !asset.deltas.isEmpty }

    /// `Vary` of every response for this asset: a delta depends on `Available-Dictionary` too.
    private var vary: String {
        asset.deltas.isEmpty ? "Accept-Encoding" : "Accept-Encoding, Available-Dictionary"
    }

    /// The `dcz` delta, when the client accepts `dcz`, names a dictionary we hold a delta against,
    /// and may read it (RFC 9842's cross-origin rule); nil otherwise (the normal negotiation follows).
    /// A client that weights `dcz` below another coding we have gets that coding instead.
    private func deltaResponse(_ accept: AcceptEncoding) -> StaticResponse? {
        let weight = accept.weight(ofToken: "dcz")
        guard !asset.deltas.isEmpty, weight > 0, asset.codings.allSatisfy({ accept.weight(of: $0) <= weight }),
            let dictionary = DictionaryTransport.availableDictionary(request.header("Available-Dictionary")),
            asset.deltas[dictionary] != nil, DictionaryTransport.allowsDelta(request),
            let file = asset.locateDelta(dictionary), let tag = asset.deltaTag(dictionary: dictionary, size: file.size)
        else { return nil }
        var validators: [(name: String, value: String)] = [
            ("ETag", tag.description), ("Last-Modified", HTTPDate.format(file.modifiedSeconds)),
            ("Cache-Control", asset.cacheControl), ("Vary", vary),
        ]
        if let useAsDictionary = asset.useAsDictionary { validators.append(("Use-As-Dictionary", useAsDictionary)) }
        if isNotModified(tag: tag, modifiedSeconds: file.modifiedSeconds) {
            return StaticResponse(status: 304, headers: validators + [("Content-Length", "\(file.size)")])
        }
        let headers =
            [("Content-Type", ContentTypes.contentType(for: asset.name)), ("Content-Encoding", "dcz")] + validators
            + [("Content-Length", "\(file.size)")]
        let body: StaticResponse.Body = request.method == "HEAD" ? .none : .file(path: file.path, range: 0..<file.size)
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
        var headers: [(name: String, value: String)] = [("Content-Type", ContentTypes.contentType(for: asset.name))]
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
        } else {
            body = .file(path: file.path, range: range)
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
