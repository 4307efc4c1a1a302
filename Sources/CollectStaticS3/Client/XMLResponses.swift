import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The few S3 XML documents we read and write, through FoundationXML.
enum XMLResponses {
    struct ErrorBody {
        var code: String?
        var message: String?
    }

    struct ListPage {
        var objects: [S3Client.ListedObject]
        var nextToken: String?
    }

    struct DeleteResult {
        var deleted: [String]
        var errors: [(key: String, code: String)]
    }

    /// Parsed only when it looks like an S3 XML document: libxml2 prints its complaints about
    /// anything else (an HTML error page from a proxy or a test server) on stderr, which must stay
    /// one line.
    static func document(_ data: Data) throws -> XMLElement {
        let start = String(decoding: data.prefix(64), as: UTF8.self).drop { $0.isWhitespace }
        guard start.hasPrefix("<?xml") || (start.hasPrefix("<") && start.dropFirst().first?.isLetter == true),
            !start.lowercased().hasPrefix("<html")
        else { throw XMLError.empty }
        let document = try XMLDocument(data: data, options: [])
        guard let root = document.rootElement() else { throw XMLError.empty }
        return root
    }

    enum XMLError: Error { case empty }

    /// The name of the document's root element, read without parsing the document (past an XML
    /// declaration, comments and white space); nil when there is none. A successful copy's answer is
    /// told from an error document this way: FoundationXML's `XMLDocument` is never freed on Linux,
    /// about 0.1 MB a document, which a copy of each of 140,000 originals made 1 GB.
    static func rootName(_ data: Data) -> String? {
        let bytes = data.prefix(4096)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "<") {
                let next = bytes.index(after: index)
                guard next < bytes.endIndex else { return nil }
                if bytes[next] == UInt8(ascii: "?") || bytes[next] == UInt8(ascii: "!") {
                    // A declaration or a comment: to its closing '>'.
                    guard let close = bytes[next...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
                    index = bytes.index(after: close)
                    continue
                }
                let name = bytes[next...].prefix {
                    $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: " ")
                        && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r")
                }
                return name.isEmpty ? nil : String(decoding: name, as: UTF8.self)
            }
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return nil }
            index = bytes.index(after: index)
        }
        return nil
    }

    static func error(_ data: Data) -> ErrorBody {
        guard let root = try? document(data) else { return ErrorBody() }
        return ErrorBody(code: text(root, "Code"), message: text(root, "Message"))
    }

    static func listPage(_ data: Data) throws -> ListPage {
        let root = try document(data)
        let objects = children(root, "Contents").compactMap { item -> S3Client.ListedObject? in
            guard let key = text(item, "Key") else { return nil }
            return S3Client.ListedObject(
                key: key, size: Int(text(item, "Size") ?? "") ?? 0, etag: text(item, "ETag") ?? "",
                lastModified: text(item, "LastModified").flatMap(timestamp))
        }
        let truncated = text(root, "IsTruncated") == "true"
        return ListPage(objects: objects, nextToken: truncated ? text(root, "NextContinuationToken") : nil)
    }

    /// `2026-12-03T13:00:00.000Z` (fractional seconds optional).
    static func timestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    static func deleteResult(_ data: Data) throws -> DeleteResult {
        let root = try document(data)
        return DeleteResult(
            deleted: children(root, "Deleted").compactMap { text($0, "Key") },
            errors: children(root, "Error").map { (text($0, "Key") ?? "", text($0, "Code") ?? "") })
    }

    static func deleteRequest(keys: [String]) -> Data {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete><Quiet>true</Quiet>"
        for key in keys { xml += "<Object><Key>\(escape(key))</Key></Object>" }
        xml += "</Delete>"
        return Data(xml.utf8)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    private static func children(_ element: XMLElement, _ name: String) -> [XMLElement] {
        (element.children ?? []).compactMap { $0 as? XMLElement }.filter { $0.localName == name || $0.name == name }
    }

    private static func text(_ element: XMLElement, _ name: String) -> String? {
        children(element, name).first?.stringValue
    }
}
