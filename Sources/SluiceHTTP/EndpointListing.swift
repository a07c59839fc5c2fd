import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SluiceCore

/// Lists one endpoint supplier page by page, each page paced and retried by the client's rules.
struct EndpointListing: Sendable {
    let client: EndpointClient
    let patterns: [String]
    /// What a query value may hold unescaped (RFC 3986 unreserved).
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    /// Entries per page asked for.
    static let pageSize = 1000
    /// A listing page larger than this is refused (1000 entries take about 150 KB).
    static let maxPageBytes = 32 << 20

    /// Every file listed after `cursor` (all of them when nil), in the endpoint's order.
    /// - Throws: `ReadError` once a page still fails after the retries, or breaks the
    ///   `ListingContract`; `CancellationError` once `stop` is requested.
    func list(_ supplier: String, after cursor: String? = nil, stop: StopRequest) async throws -> [ListingPage.Entry] {
        try await untilStopped(stop) { try await listAll(supplier, after: cursor) }
    }

    private func listAll(_ supplier: String, after cursor: String?) async throws -> [ListingPage.Entry] {
        let limits = client.endpoint(supplier)!.limits
        var contract = ListingContract(maxEntries: limits.maxListingEntries, pageSize: Self.pageSize, after: cursor)
        var entries: [ListingPage.Entry] = []
        repeat {
            let after = contract.cursor
            let page = try await fetchPage(supplier, after: after)
            if let breach = contract.admit(page) {
                let place = after.map { "the page after \(ListingContract.quoted($0))" } ?? "the first page"
                throw ReadError(.malformedHeader, "supplier \(supplier): the listing at \(client.url(supplier)) is refused at \(place): \(breach)")
            }
            entries += page.files
        } while contract.cursor != nil
        return entries
    }

    /// The listed files that match the patterns, as files the pipeline can register.
    func discovered(_ entries: [ListingPage.Entry], supplier: String) -> Discovery {
        var found = Discovery(files: [])
        let directory = client.url(supplier)
        for entry in entries {
            let parts = entry.name.split(separator: "/", omittingEmptySubsequences: false)
            guard let leaf = parts.last.map(String.init), !leaf.isEmpty, !DirectorySource.isHidden(leaf) else { continue }
            if let refusal = Self.refusal(of: entry.name) {
                found.problems.append(DiscoveryProblem(supplier: supplier, relativePath: ControlCharacters.escaped(entry.name),
                                                       reason: "refused: \(refusal)"))
                continue
            }
            guard DirectorySource.matches(leaf, patterns) else { continue }
            found.files.append(DiscoveredFile(supplier: supplier, relativePath: entry.name, directory: directory,
                                              size: entry.size, modified: entry.modified,
                                              fingerprint: RemoteVersion.fingerprint(entry), isGzip: entry.name.hasSuffix(".gz")))
        }
        return found
    }

    /// Why a listed name cannot be taken, if it cannot: a store, a log or a URL would read it
    /// otherwise than it is written.
    static func refusal(of name: String) -> String? {
        if ControlCharacters.contains(in: name) { return "a listed name must not hold a NUL or other control character" }
        // A backslash separates too, for a server that takes it as one.
        let parts = name.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }
        if parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            return "a listed name must be a relative path without empty, '.' or '..' parts"
        }
        return nil
    }

    private func fetchPage(_ supplier: String, after: String?) async throws -> ListingPage {
        var address = client.url(supplier) + "?limit=\(Self.pageSize)"
        if let after {
            address += "&after=" + (after.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? after)
        }
        let redirects = client.endpoint(supplier)!.redirects
        var attempt = 0
        var hops = 0
        while true {
            attempt += 1
            var failure: ReadError
            try await client.pace(supplier)
            let response: HTTPClient.Response
            do {
                let request = try HTTPClient.Request(url: address, method: .GET, headers: client.headers(supplier))
                let task = client.execute(request, for: supplier, delegate: ResponseAccumulator(request: request, maxBodySize: Self.maxPageBytes),
                                          deadline: .now() + .seconds(60))
                response = try await withTaskCancellationHandler { try await task.futureResult.get() } onCancel: { task.cancel() }
            } catch {
                try Task.checkCancellation()
                await client.answered(supplier, nil, status: nil)
                if let error = error as? ResponseAccumulator.ResponseTooBigError {
                    throw ReadError(.tooLarge, "supplier \(supplier): a listing page at \(address) is over \(Self.maxPageBytes) bytes (\(error))")
                }
                failure = ReadError(.io, "supplier \(supplier): listing \(address): \(EndpointClient.describe(error))")
                guard attempt < client.retry.maxAttempts else { throw failure }
                try await Task.sleep(for: client.backoff(afterAttempt: attempt, retryAfter: nil))
                continue
            }
            let status = Int(response.status.code)
            let answer = EndpointAnswer(status: status, retryAfter: response.headers.first(name: "Retry-After"),
                                        location: response.headers.first(name: "Location"))
            await client.answered(supplier, answer, status: status)
            if case .redirected(let location) = answer, hops < Redirect.maxHops,
               let target = Redirect.follow(location, from: address, policy: redirects) {
                // A redirect followed is no failed attempt.
                hops += 1
                attempt -= 1
                address = target
                continue
            }
            if answer == .ok {
                let body = response.body ?? ByteBuffer()
                do {
                    return try JSONDecoder().decode(ListingPage.self, from: Data(body.readableBytesView))
                } catch {
                    throw ReadError(.malformedHeader, "supplier \(supplier): the listing at \(address) is not a page of files (\(error))")
                }
            } else {
                failure = answer.readError(status, "supplier \(supplier): listing \(address)")!
            }
            guard failure.isRetryableNow, attempt < client.retry.maxAttempts else { throw failure }
            try await Task.sleep(for: client.backoff(afterAttempt: attempt, retryAfter: failure.retryAfter))
        }
    }
}

/// How an endpoint file's version is written into its fingerprint, and read back for `If-Range`.
enum RemoteVersion {
    /// `etag:"<etag>" <name>` with a strong ETag; otherwise the modification time, which cannot
    /// guard a resumed range. The name keeps equal ETags of two files from looking like duplicates.
    static func fingerprint(_ entry: ListingPage.Entry) -> String {
        if let etag = entry.strongETag { return "etag:\(etag) \(entry.name)" }
        return "modified:\(entry.modified) \(entry.name)"
    }

    /// The strong ETag a fingerprint holds, if any.
    static func etag(of fingerprint: String) -> String? {
        guard fingerprint.hasPrefix("etag:"), let space = fingerprint.firstIndex(of: " ") else { return nil }
        return String(fingerprint[fingerprint.index(fingerprint.startIndex, offsetBy: 5)..<space])
    }
}
