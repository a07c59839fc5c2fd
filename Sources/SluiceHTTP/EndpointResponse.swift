import SluiceCore

/// What an endpoint's answer means for the request that got it.
enum EndpointAnswer: Equatable {
    case ok
    /// Throttled or unavailable (429, 503): wait at least `retryAfter`, then try again.
    case throttled(retryAfter: Duration?)
    /// Any other 5xx, or 408 and 425: try again after a backoff.
    case serverError
    /// 404 or 410: gone.
    case gone
    /// A 3xx, to `location`: refused unless the endpoint's `follow_redirects` allows following it.
    case redirected(location: String?)
    /// Any other 4xx: trying again will not help.
    case refused

    init(status: Int, retryAfter: String?, location: String? = nil) {
        switch status {
        case 200..<300: self = .ok
        case 300..<400: self = .redirected(location: location)
        case 429, 503: self = .throttled(retryAfter: RetryAfter.parse(retryAfter))
        case 500..<600, 408, 425: self = .serverError
        case 404, 410: self = .gone
        default: self = .refused
        }
    }

    /// The error a download reports for this answer; nil when the answer is good.
    func readError(_ status: Int, _ what: String) -> ReadError? {
        switch self {
        case .ok: nil
        case .throttled(let wait): ReadError(.io, "\(what): HTTP \(status)", retryAfter: wait)
        case .serverError: ReadError(.io, "\(what): HTTP \(status)")
        case .gone: ReadError(.notFound, "\(what): HTTP \(status)")
        case .redirected(let location):
            ReadError(.refused, "\(what): HTTP \(status) redirects to \(location.map(Redirect.shown) ?? "no Location"), which is not followed"
                      + " (follow_redirects: same-origin follows one to the same scheme, host and port)")
        case .refused: ReadError(.refused, "\(what): HTTP \(status)")
        }
    }
}
