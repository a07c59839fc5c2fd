import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Hands a request's events to `inner`, and tells the pacer when its head was written: the
/// time the server sees, which a new connection or a busy event loop can put well after the
/// moment the pacer allowed the request.
final class WireTimeDelegate<Inner: HTTPClientResponseDelegate>: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Inner.Response
    private let inner: Inner
    private let pacer: RequestPacer?

    init(_ inner: Inner, pacer: RequestPacer?) {
        self.inner = inner
        self.pacer = pacer
    }

    func didSendRequestHead(task: HTTPClient.Task<Response>, _ head: HTTPRequestHead) {
        pacer?.wentOut(at: .now)
        inner.didSendRequestHead(task: task, head)
    }

    func didSendRequestPart(task: HTTPClient.Task<Response>, _ part: IOData) { inner.didSendRequestPart(task: task, part) }
    func didSendRequest(task: HTTPClient.Task<Response>) { inner.didSendRequest(task: task) }

    func didVisitURL(task: HTTPClient.Task<Response>, _ request: HTTPClient.Request, _ head: HTTPResponseHead) {
        inner.didVisitURL(task: task, request, head)
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        inner.didReceiveHead(task: task, head)
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        inner.didReceiveBodyPart(task: task, buffer)
    }

    func didReceiveError(task: HTTPClient.Task<Response>, _ error: any Error) { inner.didReceiveError(task: task, error) }
    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response { try inner.didFinishRequest(task: task) }
}
