import DequeModule
import Synchronization

/// A many-producer, one-consumer async queue bounded by `capacity` units of weight
/// (elements by default; rows for the loader, so many small files fit where few large ones do).
///
/// An element gets in while the weight held is below `capacity`, so the queue holds at most
/// `capacity` plus one element's weight, and an element heavier than the capacity still gets
/// in. `send` suspends while the queue is full, so a slow consumer slows the producers
/// (backpressure) instead of letting memory grow. `tryReceive` lets the consumer
/// drain what is ready without waiting, which is how the loader groups commits.
final class BoundedQueue<Element: Sendable>: Sendable {
    private struct State {
        var buffer: Deque<Element> = []
        /// The total weight of `buffer`.
        var weight = 0
        var blockedSenders: Deque<(Element, CheckedContinuation<Void, any Error>)> = []
        var waitingReceiver: CheckedContinuation<Element?, Never>?
        var finished = false
        var failure: (any Error)?
    }

    private let capacity: Int
    private let weigh: @Sendable (Element) -> Int
    private let state = Mutex(State())

    /// The weight held now.
    var heldWeight: Int { state.withLock { $0.weight } }

    init(capacity: Int, weight: @escaping @Sendable (Element) -> Int = { _ in 1 }) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.weigh = weight
    }

    /// Adds an element, waiting while the queue is full.
    /// - Throws: the error the queue was failed with, or `CancellationError` after `finish`.
    func send(_ element: Element) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let action: () -> Void = state.withLock { state in
                if let failure = state.failure { return { continuation.resume(throwing: failure) } }
                if state.finished { return { continuation.resume(throwing: CancellationError()) } }
                if let receiver = state.waitingReceiver {
                    state.waitingReceiver = nil
                    return { receiver.resume(returning: element); continuation.resume() }
                }
                if state.weight < capacity {
                    state.buffer.append(element)
                    state.weight += weigh(element)
                    return { continuation.resume() }
                }
                state.blockedSenders.append((element, continuation))
                return {}
            }
            action()
        }
    }

    /// The next element, waiting for one; nil once the queue is finished and empty.
    func receive() async -> Element? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
            let action: () -> Void = state.withLock { state in
                if let element = takeLocked(&state) {
                    return { continuation.resume(returning: element.0); element.1?() }
                }
                if state.finished || state.failure != nil { return { continuation.resume(returning: nil) } }
                state.waitingReceiver = continuation
                return {}
            }
            action()
        }
    }

    /// The next element if one is ready, without waiting.
    func tryReceive() -> Element? {
        let taken = state.withLock { takeLocked(&$0) }
        taken?.1?()
        return taken?.0
    }

    /// Whether no more elements will come: finished or failed.
    var isFinished: Bool { state.withLock { $0.finished || $0.failure != nil } }

    /// No more elements will be sent; the consumer drains what is left, then gets nil.
    func finish() {
        let receiver: CheckedContinuation<Element?, Never>? = state.withLock { state in
            state.finished = true
            guard state.buffer.isEmpty, state.blockedSenders.isEmpty else { return nil }
            defer { state.waitingReceiver = nil }
            return state.waitingReceiver
        }
        receiver?.resume(returning: nil)
    }

    /// Stops the queue: blocked and future senders throw `error`, the consumer gets nil.
    /// Returns the elements that were queued and will now never be received.
    @discardableResult
    func fail(_ error: any Error) -> [Element] {
        let (dropped, senders, receiver) = state.withLock { state in
            state.failure = error
            defer {
                state.buffer.removeAll()
                state.weight = 0
                state.blockedSenders.removeAll()
                state.waitingReceiver = nil
            }
            return (Array(state.buffer) + state.blockedSenders.map(\.0), Array(state.blockedSenders), state.waitingReceiver)
        }
        for (_, sender) in senders { sender.resume(throwing: error) }
        receiver?.resume(returning: nil)
        return dropped
    }

    /// Takes the oldest element; blocked senders move into the freed room, oldest first.
    private func takeLocked(_ state: inout State) -> (Element, (() -> Void)?)? {
        guard let element = state.buffer.popFirst() else {
            guard let (element, sender) = state.blockedSenders.popFirst() else { return nil }
            return (element, { sender.resume() })
        }
        state.weight -= weigh(element)
        var admitted: [CheckedContinuation<Void, any Error>] = []
        while state.weight < capacity, let (next, sender) = state.blockedSenders.popFirst() {
            state.buffer.append(next)
            state.weight += weigh(next)
            admitted.append(sender)
        }
        guard !admitted.isEmpty else { return (element, nil) }
        return (element, { for sender in admitted { sender.resume() } })
    }
}
