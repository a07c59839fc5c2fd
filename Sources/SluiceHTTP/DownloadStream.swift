import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SluiceCSV
import SluiceCore

/// One file's body as it downloads: a bounded buffer that the event loop fills and the reader
/// drains, so a body is never held whole. The server is asked to wait (TCP backpressure) while
/// the buffer is full.
///
/// A resume beyond what has arrived asks again with `Range: bytes=N-` and `If-Range: <etag>`;
/// a `200` in answer means the file changed, a `416` that the listing is stale.
final class DownloadStream: ByteStream, ArrivingBytes, @unchecked Sendable {
    let client: EndpointClient
    let file: DiscoveredFile
    private let address: String
    /// The strong ETag the file was listed with: its version, and the guard of a resumed range.
    private let etag: String?

    /// Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var chunks = CircularBuffer<ByteBuffer>()
    private var buffered = 0
    private var bodyEnded = false
    private var failure: ReadError?
    private var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// Completed once the reader has drained the buffer enough for the body to flow again.
    private var demand: EventLoopPromise<Void>?
    private var task: HTTPClient.Task<Void>?
    /// Raised for every request, so that callbacks of a cancelled one are ignored.
    private var generation = 0
    /// File offset of the next byte `read` returns.
    private var position: Int64 = 0
    /// Bytes before this offset are dropped as they are read (a short skip).
    private var discardUntil: Int64 = 0
    /// A skip further than what arrives soon: the next wait asks for a range from here.
    private var pendingRange: Int64?
    private var closed = false

    /// The buffer is full past this; the body flows again below `lowWater`.
    static let highWater = 512 * 1024
    static let lowWater = 128 * 1024
    /// A skip at most this far ahead reads through instead of spending a request on a range.
    static let rangeThreshold: Int64 = 256 * 1024

    init(client: EndpointClient, file: DiscoveredFile) {
        self.client = client
        self.file = file
        address = client.url(file.supplier, file: file.relativePath)
        etag = RemoteVersion.etag(of: file.fingerprint)
    }

    var arriving: (any ArrivingBytes)? { self }

    // MARK: Requests

    /// Sends the request for the bytes from `offset` on and waits for its answer's head.
    /// - Throws: `ReadError` for an answer that is not the file's bytes from `offset`.
    func start(at offset: Int64) async throws {
        try await client.pace(file.supplier)
        var headers = client.headers(file.supplier)
        if offset > 0 {
            headers.add(name: "Range", value: "bytes=\(offset)-")
            if let etag { headers.add(name: "If-Range", value: etag) }
        }
        let request = try HTTPClient.Request(url: address, method: .GET, headers: headers)
        let delegate = condition.withLock { () -> BodyDelegate in
            generation += 1
            position = offset
            return BodyDelegate(stream: self, generation: generation)
        }
        let task = client.http.execute(request: request, delegate: delegate, logger: client.logger)
        condition.withLock { self.task = task }
        let head: HTTPResponseHead
        do {
            head = try await delegate.head.futureResult.get()
        } catch {
            await client.answered(file.supplier, nil, status: nil)
            throw ReadError(.io, "\(file.supplier)/\(file.relativePath): \(error)", offset: offset)
        }
        let answer = EndpointAnswer(status: Int(head.status.code), retryAfter: head.headers.first(name: "Retry-After"))
        await client.answered(file.supplier, answer, status: Int(head.status.code))
        if let problem = check(head, answer: answer, offset: offset) {
            task.cancel()
            throw problem
        }
    }

    /// Why the answer is not the bytes asked for, if it is not.
    private func check(_ head: HTTPResponseHead, answer: EndpointAnswer, offset: Int64) -> ReadError? {
        let status = Int(head.status.code)
        let what = "\(file.supplier)/\(file.relativePath)"
        if status == 416 {
            return ReadError(.changed, "\(what): the endpoint has fewer than \(offset) bytes now (HTTP 416): the listing is stale", offset: offset)
        }
        if let error = answer.readError(status, "\(what)") { return ReadError(error.kind, error.message, offset: offset, retryAfter: error.retryAfter) }
        if offset > 0 && status != 206 {
            return ReadError(.changed, "\(what): asked for the bytes from \(offset) on and got the whole file (HTTP \(status)): it changed on the endpoint", offset: offset)
        }
        if offset > 0, let range = head.headers.first(name: "Content-Range"), !range.hasPrefix("bytes \(offset)-") {
            return ReadError(.changed, "\(what): asked for bytes from \(offset), got \(range)", offset: offset)
        }
        if let served = head.headers.first(name: "ETag"), let etag, served != etag {
            return ReadError(.changed, "\(what): the endpoint serves another version (ETag \(served), listed \(etag))", offset: offset)
        }
        if offset == 0, let length = head.headers.first(name: "Content-Length").flatMap({ Int64($0) }), length != file.size {
            return ReadError(.changed, "\(what): the endpoint serves \(length) bytes, the listing said \(file.size)", offset: offset)
        }
        return nil
    }

    // MARK: What the event loop hands in

    fileprivate func received(_ buffer: ByteBuffer, generation: Int, on loop: any EventLoop) -> EventLoopFuture<Void> {
        condition.withLock {
            guard generation == self.generation, !closed else { return loop.makeSucceededVoidFuture() }
            buffered += buffer.readableBytes
            chunks.append(buffer)
            wakeWaiters()
            guard buffered >= Self.highWater else { return loop.makeSucceededVoidFuture() }
            let promise = loop.makePromise(of: Void.self)
            demand = promise
            return promise.futureResult
        }
    }

    fileprivate func ended(generation: Int, error: (any Error)?) {
        condition.withLock {
            guard generation == self.generation else { return }
            if let error, failure == nil {
                failure = ReadError(.io, "\(file.supplier)/\(file.relativePath): the download broke after byte \(position + Int64(buffered)): \(error)")
            }
            bodyEnded = true
            wakeWaiters()
        }
    }

    /// Called with the lock held.
    private func wakeWaiters() {
        condition.broadcast()
        let done = bodyEnded || failure != nil
        waiters.removeAll { waiter in
            guard done || buffered >= waiter.count else { return false }
            waiter.continuation.resume()
            return true
        }
    }

    // MARK: ArrivingBytes

    func waitForBytes(_ count: Int) async {
        let range = condition.withLock { () -> Int64? in
            defer { pendingRange = nil }
            return pendingRange
        }
        if let range {
            do {
                try await start(at: range)
            } catch let error as ReadError {
                condition.withLock { failure = error; bodyEnded = true }
            } catch {
                condition.withLock { failure = ReadError(.io, "\(error)"); bodyEnded = true }
            }
        }
        await withCheckedContinuation { continuation in
            condition.withLock {
                if closed || bodyEnded || failure != nil || buffered >= count {
                    continuation.resume()
                } else {
                    waiters.append((count, continuation))
                }
            }
        }
    }

    // MARK: ByteStream

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if pendingRange != nil {
                throw ReadError(.io, "\(file.supplier)/\(file.relativePath): a resumed download was read before it was asked for")
            }
            while buffered == 0 && !bodyEnded && failure == nil && !closed { condition.wait() }
            if buffered == 0 {
                if let failure { throw failure }
                if position < file.size {
                    throw ReadError(.io, "\(file.supplier)/\(file.relativePath): the download ended at byte \(position) of \(file.size)", offset: position)
                }
                return 0
            }
            var chunk = chunks.removeFirst()
            if position < discardUntil {
                let dropped = Int(min(Int64(chunk.readableBytes), discardUntil - position))
                chunk.moveReaderIndex(forwardBy: dropped)
                consumed(dropped)
            }
            let count = min(buffer.count, chunk.readableBytes)
            if count > 0 {
                chunk.withUnsafeReadableBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
                chunk.moveReaderIndex(forwardBy: count)
                consumed(count)
            }
            if chunk.readableBytes > 0 { chunks.prepend(chunk) }
            if position > file.size {
                throw ReadError(.changed, "\(file.supplier)/\(file.relativePath): the endpoint sent more than the \(file.size) bytes listed", offset: file.size)
            }
            if count > 0 { return count }
        }
    }

    /// Called with the lock held: `count` bytes left the buffer.
    private func consumed(_ count: Int) {
        buffered -= count
        position += Int64(count)
        if buffered < Self.lowWater, let demand {
            self.demand = nil
            demand.succeed()
        }
    }

    func skip(to offset: Int64) throws {
        condition.withLock {
            let arrived = position + Int64(buffered)
            guard offset > arrived + Self.rangeThreshold, etag != nil, !bodyEnded else {
                discardUntil = max(discardUntil, offset)
                return
            }
            // Far ahead: drop this request and ask for a range from `offset` at the next wait.
            dropRequest()
            position = offset
            pendingRange = offset
        }
    }

    /// Called with the lock held.
    private func dropRequest() {
        generation += 1
        task?.cancel()
        task = nil
        chunks.removeAll()
        buffered = 0
        demand?.succeed()
        demand = nil
    }

    func close() {
        condition.withLock {
            guard !closed else { return }
            closed = true
            dropRequest()
            wakeWaiters()
            for waiter in waiters { waiter.continuation.resume() }
            waiters.removeAll()
        }
    }

    deinit { close() }
}

/// Hands one response's head and body to its stream, on the event loop.
private final class BodyDelegate: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Void
    private let stream: DownloadStream
    private let generation: Int
    /// The answer's head, or the error that came first; completed once.
    let head: EventLoopPromise<HTTPResponseHead>
    private var headSeen = false
    private var isBody = false

    init(stream: DownloadStream, generation: Int) {
        self.stream = stream
        self.generation = generation
        head = HTTPClient.defaultEventLoopGroup.next().makePromise()
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        headSeen = true
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
        if !headSeen { head.fail(error) }
        stream.ended(generation: generation, error: error)
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        if !headSeen { head.fail(EndpointSetupError("the answer ended before its head")) }
        stream.ended(generation: generation, error: nil)
    }
}
