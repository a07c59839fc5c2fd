import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Hands one response's head and body to its stream, on the event loop.
final class BodyDelegate: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Void
    private let stream: DownloadStream
    private let generation: Int
    /// The answer's head, or the error that came first; completed once, on the event loop.
    let head: EventLoopPromise<HTTPResponseHead>
    private var headCompleted = false
    private var isBody = false

    init(stream: DownloadStream, generation: Int) {
        self.stream = stream
        self.generation = generation
        head = HTTPClient.defaultEventLoopGroup.next().makePromise()
    }

    func failHead(_ error: any Error) {
        guard !headCompleted else { return }
        headCompleted = true
        head.fail(error)
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        headCompleted = true
        isBody = (200..<300).contains(Int(head.status.code))
        self.head.succeed(head)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        // An error answer's body is read and dropped.
        guard isBody else { return task.eventLoop.makeSucceededVoidFuture() }
        return stream.received(buffer, generation: generation, on: task.eventLoop)
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        failHead(error)
        stream.ended(generation: generation, error: error)
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        failHead(EndpointSetupError("the answer ended before its head"))
        stream.ended(generation: generation, error: nil)
    }
}
