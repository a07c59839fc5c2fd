import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SluiceCore
import Synchronization

/// Answers every request: throttling, faults and contention first, then a listing or a file.
final class Suppliers: Sendable {
    private struct Load {
        /// When the requests admitted in the last second arrived.
        var admitted: [Double] = []
        var inFlight = 0
    }

    let root: URL
    let settings: Settings
    let log: RequestLog?
    private let loads = Mutex([String: Load]())
    /// Files whose first download was cut (with `cutFirstDownload`).
    private let cutOnce = Mutex(Set<String>())
    /// Files whose first download trickled (with `trickle`).
    private let trickledOnce = Mutex(Set<String>())
    private let random: Mutex<SplitMix64>
    private let clock = RequestLog.Clock()

    init(root: URL, settings: Settings, log: RequestLog?, seed: UInt64) {
        self.root = root
        self.settings = settings
        self.log = log
        random = Mutex(SplitMix64(seed: seed))
    }

    func answer(_ request: Request) async throws -> Response {
        let arrived = clock.now
        var path = request.uri.path
        if let base = settings.redirectTo {
            if base.hasPrefix("/"), path.hasPrefix(base + "/") {
                path = String(path.dropFirst(base.count))
            } else {
                return redirect(to: base + path + (request.uri.query.map { "?" + $0 } ?? ""), at: arrived, path: path)
            }
        }
        let parts = path.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        guard parts.count >= 2, parts[1] == "files", let supplier = parts[0].removingPercentEncoding,
              Self.isPlainName(supplier), !supplier.hasPrefix("."), isDirectory(root.appendingPathComponent(supplier)) else {
            return plain(.notFound, "no such supplier or path\n")
        }
        let range = request.headers[.range]
        func record(_ status: Int, _ length: Int64, cut: Bool = false) {
            log?.record(at: arrived, supplier: supplier, path: path, range: range, status: status, length: length, cut: cut)
        }
        if let token = settings.token, request.headers[.authorization] != "Bearer \(token)" {
            record(401, 0)
            return plain(.unauthorized, "a bearer token is required\n")
        }
        if let wait = admit(supplier, at: arrived) {
            record(429, 0)
            var response = plain(.tooManyRequests, "slow down\n")
            response.headers[.retryAfter] = "\(wait)"
            return response
        }
        let inFlight = loads.withLock { loads in
            loads[supplier, default: Load()].inFlight += 1
            return loads[supplier]!.inFlight
        }
        let slowdown = settings.slowdown(inFlight: inFlight)
        let done: @Sendable () -> Void = { [self] in loads.withLock { $0[supplier]!.inFlight -= 1 } }
        if settings.latency > 0 { try? await Task.sleep(for: .seconds(settings.latency * slowdown)) }
        if draw() < settings.errorShare {
            done()
            record(500, 0)
            return plain(.internalServerError, "a simulated failure\n")
        }
        let folder = root.appendingPathComponent(supplier)
        guard parts.count == 3 else {
            let response = listing(folder, request: request)
            done()
            record(Int(response.status.code), 0)
            return response
        }
        guard let name = parts[2].removingPercentEncoding, name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy(Self.isPlainName),
              let file = FileVersion(folder.appendingPathComponent(name).path) else {
            done()
            record(404, 0)
            return plain(.notFound, "no such file\n")
        }
        let first = settings.cutFirstDownload && cutOnce.withLock { $0.insert(file.path).inserted }
        let cut = first || draw() < settings.cutShare
        let trickle = settings.trickle.flatMap { rate in trickledOnce.withLock { $0.insert(file.path).inserted } ? rate : nil }
        let response = download(file, request: request, slowdown: slowdown, cut: cut, trickle: trickle, done: done)
        let status = Int(response.status.code)
        record(status, response.headers[HTTPField.Name.contentLength].flatMap { Int64($0) } ?? 0, cut: cut && status < 300)
        return response
    }

    /// Nil when the request is admitted; otherwise the seconds to ask the client to wait.
    private func admit(_ supplier: String, at time: Double) -> Int? {
        guard settings.rate > 0 else { return nil }
        return loads.withLock { loads in
            var load = loads[supplier, default: Load()]
            load.admitted.removeAll { $0 <= time - 1 }
            defer { loads[supplier] = load }
            guard Double(load.admitted.count) >= settings.rate, let oldest = load.admitted.first else {
                load.admitted.append(time)
                return nil
            }
            return max(1, Int((oldest + 1 - time).rounded(.up)))
        }
    }

    private func draw() -> Double { random.withLock { $0.unit() } }

    /// A supplier folder or path part that stays where it is: no separator, NUL, `.` or `..`,
    /// however it was percent-encoded.
    static func isPlainName(_ part: some StringProtocol) -> Bool {
        !part.isEmpty && part != "." && part != ".." && !part.contains(where: { $0 == "/" || $0 == "\\" || $0 == "\0" })
    }

    private func redirect(to location: String, at time: Double, path: String) -> Response {
        log?.record(at: time, supplier: String(path.split(separator: "/").first ?? ""), path: path, range: nil, status: 302, length: 0)
        var response = plain(.found, "moved\n")
        response.headers[.location] = location
        return response
    }

    private func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: Listing

    private func listing(_ folder: URL, request: Request) -> Response {
        let after = request.uri.queryParameters.get("after")
        let limit = max(1, min(settings.pageSize, request.uri.queryParameters.get("limit", as: Int.self) ?? 1000))
        let names = Self.names(in: folder)
        var page = ListingSlice(names, after: after, limit: limit)
        if let fault = settings.listingFault { page = fault.page(page, of: names, after: after, limit: limit) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let files: [[String: Any]] = page.names.compactMap { name in
            guard let version = FileVersion(folder.appendingPathComponent(name).path) else { return nil }
            return ["name": name, "size": version.size, "etag": version.etag,
                    "modified": formatter.string(from: Date(timeIntervalSince1970: version.modified))]
        }
        let next: Any = page.next ?? NSNull()
        let body = (try? JSONSerialization.data(withJSONObject: ["files": files, "next": next], options: [.sortedKeys])) ?? Data()
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Every file under the folder, as `/`-separated paths in byte-wise name order; names a supplier is
    /// still writing (`.tmp`, dot files) are left out.
    static func names(in folder: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        var names: [String] = []
        while let name = walker.nextObject() as? String {
            let leaf = (name as NSString).lastPathComponent
            if leaf.hasPrefix(".") || leaf.hasSuffix(".tmp") { continue }
            if FileVersion(folder.appendingPathComponent(name).path) != nil { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    // MARK: Download

    private func download(_ file: FileVersion, request: Request, slowdown: Double, cut: Bool, trickle: Double?,
                          done: @escaping @Sendable () -> Void) -> Response {
        var start: Int64 = 0
        var end = file.size
        var status = HTTPResponse.Status.ok
        // `bytes=N-` and `bytes=N-M`; If-Range with another ETag asks for the whole file.
        if let range = request.headers[.range], range.hasPrefix("bytes="),
           request.headers[.ifRange].map({ $0 == file.etag }) ?? true {
            let bounds = range.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
            if bounds.count == 2, let first = Int64(bounds[0]) {
                guard first < file.size else {
                    done()
                    var response = plain(.rangeNotSatisfiable, "range not satisfiable\n")
                    response.headers[.contentRange] = "bytes */\(file.size)"
                    return response
                }
                start = first
                if let last = Int64(bounds[1]) { end = min(file.size, max(first, last) + 1) }
                status = .partialContent
            }
        }
        let length = end - start
        let first = start, last = end
        var headers: HTTPFields = [.contentType: "text/csv", .eTag: file.etag, .acceptRanges: "bytes",
                                   .contentLength: "\(length)"]
        if status == .partialContent { headers[.contentRange] = "bytes \(start)-\(end - 1)/\(file.size)" }
        // A cut body stops somewhere in its middle part.
        let stopAt = cut ? start + Int64(Double(length) * (settings.cutAt ?? (0.1 + 0.8 * draw()))) : last
        let bandwidth = settings.bandwidth / slowdown
        let body = ResponseBody(contentLength: Int(length)) { writer in
            defer { done() }
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file.path))
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(first))
            var sent = first
            // A trickle sends a tenth of its rate ten times a second.
            let piece = trickle.map { Int64(max(1, $0 / 10)) } ?? 64 * 1024
            while sent < stopAt {
                let want = Int(min(piece, stopAt - sent))
                guard let data = try handle.read(upToCount: want), !data.isEmpty else { break }
                try await writer.write(ByteBuffer(bytes: data))
                sent += Int64(data.count)
                if let trickle {
                    try await Task.sleep(for: .seconds(Double(data.count) / trickle))
                } else if bandwidth > 0 {
                    try await Task.sleep(for: .seconds(Double(data.count) / bandwidth))
                }
            }
            if sent < last { throw CutShort() }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }
}

/// Ends a body early: the connection closes with the body short of its length.
struct CutShort: Error {}

/// A file's size, modification time and strong ETag (from both, as web servers make it).
struct FileVersion: Sendable {
    let path: String
    let size: Int64
    let modified: Double
    let etag: String

    init?(_ path: String) {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        self.path = path
        size = Int64(status.st_size)
        let nanoseconds = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        modified = Double(nanoseconds) / 1e9
        etag = "\"\(String(size, radix: 16))-\(String(nanoseconds, radix: 16))\""
    }
}
