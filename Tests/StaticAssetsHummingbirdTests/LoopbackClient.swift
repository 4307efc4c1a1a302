import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal HTTP/1.1 client over one kept-alive connection to 127.0.0.1 (blocking: run it on its
/// own thread). It trusts nothing: the body is read to the length the response announces, and a
/// response that does not arrive within `timeout` seconds is reported as stalled.
final class LoopbackClient {
    struct Response: Sendable {
        var status: Int
        /// Names lowercased.
        var headers: [String: String]
        var body: Data
    }

    enum Failure: Error, Equatable {
        /// Nothing (or not all of the announced body) arrived within the timeout.
        case stalled
        /// The server closed the connection before the response was complete.
        case closed
        case malformed(String)
    }

    private let port: Int
    private let timeout: Int
    private var socket: Int32 = -1
    private var buffered: [UInt8] = []

    init(port: Int, timeout: Int = 5) {
        self.port = port
        self.timeout = timeout
    }

    deinit { disconnect() }

    private func disconnect() {
        if socket >= 0 { close(socket) }
        socket = -1
        buffered = []
    }

    private func connect() throws {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.malformed("socket: \(errno)") }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure.malformed("connect: \(errno)")
        }
        socket = fd
    }

    /// One request; the connection is kept for the next one (and made again when the server closed it).
    func send(_ path: String, method: String = "GET", headers: [(String, String)] = []) throws -> Response {
        if socket < 0 { try connect() }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else {
            // The server closed an idle kept-alive connection: once more on a new one.
            disconnect()
            try connect()
            return try send(path, method: method, headers: headers)
        }
        do {
            return try readResponse(bodyless: method == "HEAD")
        } catch {
            disconnect()
            throw error
        }
    }

    private func readResponse(bodyless: Bool) throws -> Response {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = find([13, 10, 13, 10], in: buffered)
            if headEnd == nil { try fill() }
        }
        let head = String(decoding: buffered[..<headEnd!], as: UTF8.self)
        buffered.removeFirst(headEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw Failure.malformed("status line: \(head.prefix(80))")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        guard headers["transfer-encoding"] == nil else { throw Failure.malformed("chunked response") }
        let length = bodyless || status == 304 || status == 204 ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        while buffered.count < length { try fill() }
        let body = Data(buffered[..<length])
        buffered.removeFirst(length)
        if headers["connection"]?.lowercased() == "close" { disconnect() }
        return Response(status: status, headers: headers, body: body)
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let got = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw Failure.stalled }
        guard got > 0 else { throw Failure.closed }
        buffered += chunk[..<got]
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
