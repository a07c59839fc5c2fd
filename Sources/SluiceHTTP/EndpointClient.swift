import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SluiceCore
import Synchronization

/// One HTTP client for every endpoint supplier of a pipeline: their addresses, credentials and
/// request pacing, and the retry rules of `retry:` for requests that are retried here (listing
/// pages; a download is retried as a file attempt, from its checkpoint).
public final class EndpointClient: Sendable {
    struct Endpoint: Sendable {
        let url: URL
        /// `Bearer <token>`, read from the environment once; never logged or shown.
        let authorization: String?
        let pacer: RequestPacer
        /// The redirects its answers may be followed to.
        let redirects: RedirectPolicy
        let limits: EndpointLimits
    }

    let http: HTTPClient
    private let endpoints: [String: Endpoint]
    /// The endpoint suppliers in declaration order.
    public let suppliers: [String]
    let retry: RetryPolicy
    let logger: Logger
    private let random = Mutex(SplitMix64(seed: UInt64.random(in: 1...UInt64.max)))
    let counts = RequestCounts()
    /// Who hears each answer (metrics); set once the run's observers are known.
    private let events = Mutex(EngineEvents())

    /// - Throws: `EndpointSetupError` when a credential's variable is not set.
    public init(definition: PipelineDefinition, environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger) throws {
        var endpoints: [String: Endpoint] = [:]
        for supplier in definition.source.endpointSuppliers {
            guard let endpoint = supplier.endpoint else { continue }
            var authorization: String?
            if let variable = endpoint.bearerEnvironment {
                let token = environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                guard !token.isEmpty else {
                    throw EndpointSetupError("supplier \(supplier.name): the environment variable \(variable) (auth.bearer_env) is not set")
                }
                // A header value cannot hold these, and the client's error would quote it.
                guard !token.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) else {
                    throw EndpointSetupError("supplier \(supplier.name): the token in \(variable) holds spaces or control characters")
                }
                authorization = "Bearer \(token)"
            }
            let rate = supplier.rate ?? definition.limits.rate
            endpoints[supplier.name] = Endpoint(
                url: endpoint.url, authorization: authorization,
                pacer: RequestPacer(rate: rate, burst: supplier.burst ?? definition.limits.burst),
                redirects: endpoint.redirects, limits: endpoint.limits)
        }
        self.endpoints = endpoints
        suppliers = definition.source.endpointSuppliers.map(\.name)
        retry = definition.retry
        self.logger = logger
        // The read timeout also runs while a full buffer holds a body back: it is long.
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(10), read: .seconds(300)))
        // Every supplier may sit behind one host; the caps, not the pool, bound what is open.
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        configuration.decompression = .disabled
        // A 3xx comes back as an answer: the listing and downloads decide whether to follow it.
        configuration.redirectConfiguration = .disallow
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func endpoint(_ supplier: String) -> Endpoint? { endpoints[supplier] }

    /// The address of the supplier's file listing or of one file (its name percent-encoded).
    func url(_ supplier: String, file name: String? = nil) -> String {
        let base = endpoints[supplier]!.url.absoluteString + "/files"
        guard let name else { return base }
        let encoded = name.split(separator: "/", omittingEmptySubsequences: false).map {
            $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? String($0)
        }
        return base + "/" + encoded.joined(separator: "/")
    }

    /// Headers every request to `supplier` carries.
    func headers(_ supplier: String) -> HTTPHeaders {
        var headers = HTTPHeaders([("User-Agent", "sluice")])
        if let authorization = endpoints[supplier]?.authorization { headers.add(name: "Authorization", value: authorization) }
        return headers
    }

    /// Waits for the supplier's next request token and counts the request.
    func pace(_ supplier: String) async throws {
        try await endpoints[supplier]?.pacer.take()
        counts.sent(supplier)
    }

    /// Sends a request `pace` allowed; the supplier's pacer hears when its head is written.
    func execute<Delegate: HTTPClientResponseDelegate>(_ request: HTTPClient.Request, for supplier: String, delegate: Delegate,
                                                      deadline: NIODeadline? = nil) -> HTTPClient.Task<Delegate.Response> {
        http.execute(request: request, delegate: WireTimeDelegate(delegate, pacer: endpoints[supplier]?.pacer),
                     deadline: deadline, logger: logger)
    }

    /// Reports every answer to `events` from now on.
    public func report(to events: EngineEvents) { self.events.withLock { $0 = events } }

    /// An answer came (`status`), or none did (nil). A 429 or 503 holds the supplier's requests
    /// back for as long as it asks.
    func answered(_ supplier: String, _ answer: EndpointAnswer?, status: Int?) async {
        events.withLock { $0 }.emit(.endpointAnswered(supplier: supplier, status: status))
        guard case .throttled(let retryAfter) = answer else { return }
        counts.throttled(supplier)
        // A wait longer than the retry policy's longest is cut to it: the file's attempts end instead.
        if let retryAfter { await endpoints[supplier]?.pacer.holdOff(min(retryAfter, retry.maxDelay)) }
    }

    /// An error as messages show it; the client's own errors by their short description, which
    /// quotes no header.
    static func describe(_ error: any Error) -> String {
        (error as? HTTPClientError)?.shortDescription ?? "\(error)"
    }

    /// The backoff before attempt `attempt + 1`, honouring a longer `Retry-After`.
    func backoff(afterAttempt attempt: Int, retryAfter: Duration?) -> Duration {
        random.withLock { retry.delay(afterAttempt: attempt, retryAfter: retryAfter, random: &$0) }
    }

    /// Closes the connections; the client cannot be used after.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// Requests sent and throttling answers received, per supplier.
    public var requestCounts: [String: RequestCounts.Tally] { counts.snapshot }
}

/// A pipeline's endpoints cannot be used as declared.
public struct EndpointSetupError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Requests per supplier, for the run's log and the benchmark.
public final class RequestCounts: Sendable {
    public struct Tally: Sendable, Equatable {
        public var sent = 0
        public var throttled = 0
    }

    private let tallies = Mutex([String: Tally]())

    func sent(_ supplier: String) { tallies.withLock { $0[supplier, default: Tally()].sent += 1 } }
    func throttled(_ supplier: String) { tallies.withLock { $0[supplier, default: Tally()].throttled += 1 } }
    var snapshot: [String: Tally] { tallies.withLock { $0 } }
}
