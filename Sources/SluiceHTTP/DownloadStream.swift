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
/// A resume beyond what arrives soon asks again with `Range: bytes=N-` and `If-Range: <etag>`;
/// a `200` in answer means the file changed, a `416` that the listing is stale. Bytes that
/// arrive slower than the endpoint's `RateFloor` fail the download, as a broken one.
final class DownloadStream: ByteStream, ArrivingBytes, @unchecked Sendable {
    let client: EndpointClient
    let file: DiscoveredFile
    private let address: String
    /// The strong ETag the file was listed with: its version, and the guard of a resumed range.
    private let etag: String?
    private let redirects: RedirectPolicy
    private var what: String { "\(file.supplier)/\(file.relativePath)" }

    /// Everything below is guarded by `condition`.
    private let condition = NSCondition()
    /// Received bytes from `position` on, not read yet.
    private var chunks = CircularBuffer<ByteBuffer>()
    private var buffered = 0
    private var bodyEnded = false
    private var failure: ReadError?
    private var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// Completed once the reader has drained the buffer enough for the body to flow again.
    private var demand: EventLoopPromise<Void>?
    private var task: HTTPClient.Task<Void>?
    /// How fast the current request's bytes arrive, and the timer that judges it every window.
    private var floor: RateFloor
    private var watchdog: RepeatedTask?
    /// Raised for every request, so that callbacks of a dropped one are ignored.
    private var generation = 0
    /// File offset of the next byte `read` returns.
    private var position: Int64 = 0
    /// File offset of the next byte to arrive.
    private var arrivedUntil: Int64 = 0
    /// Bytes arriving before this offset are dropped (a short skip ahead).
    private var discardUntil: Int64 = 0
    /// A skip further than what arrives soon: the next wait asks for a range from here.
    private var pendingRange: Int64?
    private var closed = false

    /// The buffer is full past this; the body flows again below `flowsAgainBelow`.
    static let highWater = 512 * 1024
    static let flowsAgainBelow = 128 * 1024
    /// A skip at most this far past what has arrived reads through instead of spending a request on a range.
    static let rangeThreshold: Int64 = 256 * 1024

    init(client: EndpointClient, file: DiscoveredFile) {
        self.client = client
        self.file = file
        address = client.url(file.supplier, file: file.relativePath)
        etag = RemoteVersion.etag(of: file.fingerprint)
        let endpoint = client.endpoint(file.supplier)!
        redirects = endpoint.redirects
        floor = RateFloor(bytesPerSecond: endpoint.limits.minBytesPerSecond, window: endpoint.limits.minRateWindow, now: .now)
    }

    var arriving: (any ArrivingBytes)? { self }

    // MARK: Requests

    /// Sends the request for the bytes from `offset` on and waits for its answer's head,
    /// following the redirects the endpoint's `follow_redirects` allows. A refused answer's
    /// bytes never reach the reader.
    /// - Throws: `ReadError` for an answer that is not the file's bytes from `offset`.
    func start(at offset: Int64) async throws {
        var target = address
        for _ in 0...Redirect.maxHops {
            let head = try await send(to: target, at: offset)
            let answer = EndpointAnswer(status: Int(head.status.code), retryAfter: head.headers.first(name: "Retry-After"),
                                        location: head.headers.first(name: "Location"))
            await client.answered(file.supplier, answer, status: Int(head.status.code))
            if case .redirected(let location) = answer, let next = Redirect.follow(location, from: target, policy: redirects) {
                condition.withLock { dropRequest() }?.cancel()
                target = next
                continue
            }
            if let problem = check(head, answer: answer, offset: offset) {
                condition.withLock { dropRequest() }?.cancel()
                throw problem
            }
            return
        }
        condition.withLock { dropRequest() }?.cancel()
        throw ReadError(.refused, "\(what): more than \(Redirect.maxHops) redirects", offset: offset)
    }

    /// Sends one request for the bytes from `offset` on to `target`, and waits for its head.
    private func send(to target: String, at offset: Int64) async throws -> HTTPResponseHead {
        try await client.pace(file.supplier)
        var headers = client.headers(file.supplier)
        if offset > 0 {
            headers.add(name: "Range", value: "bytes=\(offset)-")
            if let etag { headers.add(name: "If-Range", value: etag) }
        }
        let request = try HTTPClient.Request(url: target, method: .GET, headers: headers)
        let (delegate, dropped, sent) = condition.withLock { () -> (BodyDelegate, HTTPClient.Task<Void>?, Int) in
            let dropped = dropRequest()
            position = offset
            arrivedUntil = offset
            discardUntil = offset
            floor.restart(at: .now)
            return (BodyDelegate(stream: self, generation: self.generation), dropped, self.generation)
        }
        dropped?.cancel()
        let task = client.execute(request, for: file.supplier, delegate: delegate)
        // A client that is shutting down fails the task without telling the delegate.
        task.futureResult.whenFailure { delegate.failHead($0) }
        condition.withLock {
            self.task = task
            if sent == generation { watchdog = watch(on: task.eventLoop, generation: sent) }
        }
        do {
            return try await withTaskCancellationHandler {
                try await delegate.head.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            await client.answered(file.supplier, nil, status: nil)
            // The floor may have ended the request before its head came.
            throw condition.withLock { failure } ?? ReadError(.io, "\(what): \(EndpointClient.describe(error))", offset: offset)
        }
    }

    /// Called with the lock held: judges the request's rate at the end of every window.
    private func watch(on loop: any EventLoop, generation: Int) -> RepeatedTask? {
        guard floor.bytesPerSecond > 0 else { return nil }
        let components = floor.window.components
        let window = TimeAmount.nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
        return loop.scheduleRepeatedTask(initialDelay: window, delay: window) { [weak self] repeated in
            guard let self, self.judgeRate(generation: generation) else { repeated.cancel(); return }
        }
    }

    /// Fails the download if too few bytes came in the window that ended. False once there is
    /// nothing left to watch.
    private func judgeRate(generation: Int) -> Bool {
        let (watching, slow) = condition.withLock { () -> (Bool, HTTPClient.Task<Void>?) in
            guard generation == self.generation, !closed, !bodyEnded, failure == nil else { return (false, nil) }
            guard floor.isTooSlow(at: .now, holding: demand != nil) else { return (true, nil) }
            failure = ReadError(.io, "\(what): fewer than \(floor.bytesPerSecond) bytes a second arrived over \(floor.window.inSeconds) s"
                                + " (min_bytes_per_second); the download stopped at byte \(arrivedUntil)", offset: arrivedUntil)
            wakeWaiters()
            return (false, task)
        }
        slow?.cancel()
        return watching
    }

    /// Why the answer is not the bytes asked for, if it is not.
    private func check(_ head: HTTPResponseHead, answer: EndpointAnswer, offset: Int64) -> ReadError? {
        let status = Int(head.status.code)
        if status == 416 {
            return ReadError(.changed, "\(what): the endpoint has fewer than \(offset) bytes now (HTTP 416): the listing is stale", offset: offset)
        }
        if let error = answer.readError(status, what) { return ReadError(error.kind, error.message, offset: offset, retryAfter: error.retryAfter) }
        if offset > 0 && status != 206 {
            return ReadError(.changed, "\(what): asked for the bytes from \(offset) on and got the whole file (HTTP \(status)): it changed on the endpoint", offset: offset)
        }
        if offset > 0, head.headers.first(name: "Content-Range") != "bytes \(offset)-\(file.size - 1)/\(file.size)" {
            let range = head.headers.first(name: "Content-Range") ?? "none"
            return ReadError(.changed, "\(what): asked for bytes \(offset)-\(file.size - 1) of \(file.size), got Content-Range \(range)", offset: offset)
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

    func received(_ buffer: ByteBuffer, generation: Int, on loop: any EventLoop) -> EventLoopFuture<Void> {
        condition.withLock {
            guard generation == self.generation, !closed else { return loop.makeSucceededVoidFuture() }
            var buffer = buffer
            let unwanted = Int(min(Int64(buffer.readableBytes), max(0, discardUntil - arrivedUntil)))
            buffer.moveReaderIndex(forwardBy: unwanted)
            arrivedUntil += Int64(unwanted + buffer.readableBytes)
            floor.arrived(unwanted + buffer.readableBytes)
            guard buffer.readableBytes > 0 else { return loop.makeSucceededVoidFuture() }
            buffered += buffer.readableBytes
            chunks.append(buffer)
            wakeWaiters()
            guard buffered >= Self.highWater else { return loop.makeSucceededVoidFuture() }
            let promise = loop.makePromise(of: Void.self)
            demand = promise
            floor.holdBack()
            return promise.futureResult
        }
    }

    func ended(generation: Int, error: (any Error)?) {
        condition.withLock {
            guard generation == self.generation else { return }
            if let error, failure == nil {
                failure = ReadError(.io, "\(what): the download broke at byte \(arrivedUntil): \(EndpointClient.describe(error))",
                                    offset: arrivedUntil)
            }
            bodyEnded = true
            wakeWaiters()
        }
    }

    /// Called with the lock held.
    private func wakeWaiters() {
        condition.broadcast()
        let done = bodyEnded || failure != nil || closed
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
            } catch {
                let failure = error as? ReadError ?? ReadError(.io, "\(what): \(error)")
                condition.withLock {
                    self.failure = failure
                    bodyEnded = true
                    wakeWaiters()
                }
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
        if pendingRange != nil {
            throw ReadError(.io, "\(what): a resumed download was read before it was asked for")
        }
        while buffered == 0 && !bodyEnded && failure == nil && !closed { condition.wait() }
        guard buffered > 0 else {
            if let failure { throw failure }
            if arrivedUntil < file.size {
                throw ReadError(.io, "\(what): the download ended at byte \(arrivedUntil) of \(file.size)", offset: arrivedUntil)
            }
            return 0
        }
        var chunk = chunks.removeFirst()
        let count = min(buffer.count, chunk.readableBytes)
        chunk.withUnsafeReadableBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
        chunk.moveReaderIndex(forwardBy: count)
        if chunk.readableBytes > 0 { chunks.prepend(chunk) }
        buffered -= count
        position += Int64(count)
        if buffered < Self.flowsAgainBelow, let demand {
            self.demand = nil
            demand.succeed()
        }
        if position > file.size {
            throw ReadError(.changed, "\(what): the endpoint sent more than the \(file.size) bytes listed", offset: file.size)
        }
        return count
    }

    func skip(to offset: Int64) throws {
        let dropped = condition.withLock { () -> HTTPClient.Task<Void>? in
            guard offset > position else { return nil }
            if offset <= position + Int64(buffered) {
                dropBuffered(Int(offset - position))
                return nil
            }
            let far = offset > arrivedUntil + Self.rangeThreshold && etag != nil && !bodyEnded
            guard far else {
                // Near, or no ETag to guard a range: what arrives up to there is dropped.
                dropBuffered(buffered)
                position = offset
                discardUntil = offset
                return nil
            }
            // Far ahead: drop this request and ask for a range from `offset` at the next wait.
            let dropped = dropRequest()
            position = offset
            pendingRange = offset
            return dropped
        }
        dropped?.cancel()
    }

    /// Called with the lock held: drops the first `count` buffered bytes.
    private func dropBuffered(_ count: Int) {
        var left = count
        while left > 0 {
            var chunk = chunks.removeFirst()
            let taken = min(left, chunk.readableBytes)
            chunk.moveReaderIndex(forwardBy: taken)
            if chunk.readableBytes > 0 { chunks.prepend(chunk) }
            left -= taken
        }
        buffered -= count
        position += Int64(count)
    }

    /// Called with the lock held: forgets the current request and what it brought. Returns
    /// its task, to be cancelled once the lock is let go (cancelling calls back into `ended`).
    @discardableResult
    private func dropRequest() -> HTTPClient.Task<Void>? {
        generation += 1
        let dropped = task
        task = nil
        watchdog?.cancel()
        watchdog = nil
        chunks.removeAll()
        buffered = 0
        bodyEnded = false
        demand?.succeed()
        demand = nil
        return dropped
    }

    func close() {
        let dropped = condition.withLock { () -> HTTPClient.Task<Void>? in
            guard !closed else { return nil }
            closed = true
            let dropped = dropRequest()
            wakeWaiters()
            return dropped
        }
        dropped?.cancel()
    }

    deinit { close() }
}
