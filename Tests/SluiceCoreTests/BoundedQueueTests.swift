import Foundation
import Synchronization
import Testing
@testable import SluiceCore

/// Runs every job at once on the thread that enqueues it.
///
/// A task started with this preference runs synchronously inside `Task.init` until it first
/// suspends, so when `Task.init` returns a `send` into a full queue is known to be parked in it,
/// and when a parked sender is resumed it finishes before `resume` returns. That makes "is this
/// sender blocked?" a question with a definite answer instead of a race.
private final class InlineExecutor: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        job.runSynchronously(on: asUnownedTaskExecutor())
    }
}

private struct Boom: Error, Equatable {
    let code: Int
}

private final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

private final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var current: Int { value.withLock { $0 } }
}

@Suite struct BoundedQueueTests {
    private let inline = InlineExecutor()

    /// Starts `send(element)` inline; returns the task and a flag set once `send` has returned.
    private func startSend(_ queue: BoundedQueue<Int>, _ element: Int) -> (Task<Void, any Error>, Flag) {
        let returned = Flag()
        let task = Task(executorPreference: inline) {
            try await queue.send(element)
            returned.set()
        }
        return (task, returned)
    }

    private func startReceive(_ queue: BoundedQueue<Int>) -> Task<Int?, Never> {
        Task(executorPreference: inline) { await queue.receive() }
    }

    // MARK: - Order and capacity

    @Test func elementsComeOutInTheOrderTheyWentIn() async throws {
        let queue = BoundedQueue<Int>(capacity: 10)
        for i in 0..<10 { try await queue.send(i) }
        var out: [Int] = []
        while let element = queue.tryReceive() { out.append(element) }
        #expect(out == Array(0..<10))
        #expect(queue.tryReceive() == nil)
    }

    @Test func tryReceiveOnAnEmptyQueueIsNil() {
        let queue = BoundedQueue<Int>(capacity: 1)
        #expect(queue.tryReceive() == nil)
    }

    @Test(arguments: [1, 2, 5])
    func senderSuspendsWhileTheQueueIsFull(capacity: Int) async throws {
        let queue = BoundedQueue<Int>(capacity: capacity)
        for i in 0..<capacity { try await queue.send(i) }
        let (task, returned) = startSend(queue, capacity)
        #expect(!returned.isSet, "send into a full queue of \(capacity) returned")
        // Taking one element makes room: the parked element moves in and its sender returns.
        #expect(queue.tryReceive() == 0)
        #expect(returned.isSet)
        try await task.value
        var out: [Int] = []
        while let element = queue.tryReceive() { out.append(element) }
        #expect(out == Array(1...capacity))
    }

    @Test func blockedSendersAreServedFirstComeFirstServed() async throws {
        let queue = BoundedQueue<Int>(capacity: 1)
        try await queue.send(0)
        let senders = (1...4).map { startSend(queue, $0) }
        #expect(senders.allSatisfy { !$0.1.isSet })
        var out: [Int] = []
        for _ in 0...4 { out.append(await queue.receive()!) }
        #expect(out == [0, 1, 2, 3, 4])
        for (task, returned) in senders {
            try await task.value
            #expect(returned.isSet)
        }
        #expect(queue.tryReceive() == nil)
    }

    @Test func weightedQueueHoldsUpToItsCapacityInWeight() async throws {
        // Each element weighs its own value: a queue of 10 takes 8, then 5 (it was below 10),
        // and then nothing until the weight drops below 10 again.
        let queue = BoundedQueue<Int>(capacity: 10, weight: { $0 })
        try await queue.send(8)
        try await queue.send(5)
        let (small, smallReturned) = startSend(queue, 1)
        #expect(!smallReturned.isSet, "the queue holds 13 of 10")
        #expect(queue.tryReceive() == 8)
        #expect(smallReturned.isSet, "5 of 10 leaves room")
        try await small.value
        #expect(queue.tryReceive() == 5)
        #expect(queue.tryReceive() == 1)
    }

    @Test func anElementHeavierThanTheCapacityStillGetsInAlone() async throws {
        let queue = BoundedQueue<Int>(capacity: 10, weight: { $0 })
        try await queue.send(50)
        let (next, returned) = startSend(queue, 1)
        #expect(!returned.isSet)
        #expect(queue.tryReceive() == 50)
        #expect(returned.isSet)
        try await next.value
        #expect(queue.tryReceive() == 1)
    }

    @Test func freeingWeightAdmitsEveryBlockedSenderThatFits() async throws {
        let queue = BoundedQueue<Int>(capacity: 10, weight: { $0 })
        try await queue.send(10)
        let senders = [3, 3, 3, 3].map { startSend(queue, $0) }
        #expect(senders.allSatisfy { !$0.1.isSet })
        #expect(queue.tryReceive() == 10)
        // 0, 3, 6 and 9 are each below 10: all four move in at once.
        #expect(senders.allSatisfy { $0.1.isSet })
        for (task, _) in senders { try await task.value }
    }

    @Test func receiveReleasesExactlyOneBlockedSender() async throws {
        let queue = BoundedQueue<Int>(capacity: 2)
        try await queue.send(0)
        try await queue.send(1)
        let a = startSend(queue, 2), b = startSend(queue, 3)
        #expect(await queue.receive() == 0)
        #expect(a.1.isSet)
        #expect(!b.1.isSet, "only one place was freed")
        #expect(await queue.receive() == 1)
        #expect(b.1.isSet)
        try await a.0.value
        try await b.0.value
        #expect(queue.tryReceive() == 2)
        #expect(queue.tryReceive() == 3)
    }

    @Test func sendHandsStraightToAWaitingReceiver() async throws {
        let queue = BoundedQueue<Int>(capacity: 1)
        let receiver = startReceive(queue)
        try await queue.send(42)
        #expect(await receiver.value == 42)
        #expect(queue.tryReceive() == nil, "the element went to the receiver, not into the buffer")
        try await queue.send(43)
        #expect(queue.tryReceive() == 43)
    }

    /// Many producers against a slow consumer: the number of sends that have returned never runs
    /// more than `capacity` (+1 for the element the consumer is holding) ahead of the receives.
    @Test func manyProducersNeverOverrunTheBound() async throws {
        let capacity = 3, producers = 4, perProducer = 150
        let queue = BoundedQueue<Int>(capacity: capacity)
        let sent = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for p in 0..<producers {
                group.addTask {
                    for i in 0..<perProducer {
                        try await queue.send(p * 10_000 + i)
                        sent.increment()
                    }
                }
            }
            var received = 0
            var worst = 0
            var lastFrom = Array(repeating: -1, count: producers)
            while received < producers * perProducer {
                guard let element = await queue.receive() else { Issue.record("queue ended early"); break }
                worst = max(worst, sent.current - received)
                let (p, i) = (element / 10_000, element % 10_000)
                #expect(i == lastFrom[p] + 1, "producer \(p) out of order")
                lastFrom[p] = i
                received += 1
                if received % 7 == 0 { await Task.yield() }
            }
            #expect(worst <= capacity + 1, "sends ran \(worst) ahead of receives")
            #expect(lastFrom == Array(repeating: perProducer - 1, count: producers))
            try await group.waitForAll()
        }
        #expect(queue.tryReceive() == nil)
    }

    // MARK: - Finish

    @Test func finishDrainsWhatIsLeftThenReturnsNil() async throws {
        let queue = BoundedQueue<Int>(capacity: 4)
        for i in 0..<3 { try await queue.send(i) }
        queue.finish()
        #expect(await queue.receive() == 0)
        #expect(queue.tryReceive() == 1)
        #expect(await queue.receive() == 2)
        #expect(await queue.receive() == nil)
        #expect(await queue.receive() == nil)
        #expect(queue.tryReceive() == nil)
    }

    @Test func sendAfterFinishThrowsCancellation() async throws {
        let queue = BoundedQueue<Int>(capacity: 4)
        queue.finish()
        await #expect(throws: CancellationError.self) { try await queue.send(1) }
        #expect(await queue.receive() == nil)
    }

    @Test func finishWakesAWaitingReceiverWithNil() async {
        let queue = BoundedQueue<Int>(capacity: 2)
        let receiver = startReceive(queue)
        queue.finish()
        #expect(await receiver.value == nil)
    }

    @Test func finishStillDeliversElementsOfBlockedSenders() async throws {
        let queue = BoundedQueue<Int>(capacity: 1)
        try await queue.send(1)
        let (task, returned) = startSend(queue, 2)
        #expect(!returned.isSet)
        queue.finish()
        #expect(await queue.receive() == 1)
        #expect(await queue.receive() == 2)
        #expect(await queue.receive() == nil)
        try await task.value
        #expect(returned.isSet)
    }

    // MARK: - Fail

    @Test func failWakesBlockedSendersAndReturnsWhatWasDropped() async throws {
        let queue = BoundedQueue<Int>(capacity: 2)
        try await queue.send(1)
        try await queue.send(2)
        let a = startSend(queue, 3), b = startSend(queue, 4)
        #expect(!a.1.isSet && !b.1.isSet)
        let dropped = queue.fail(Boom(code: 7))
        #expect(dropped == [1, 2, 3, 4])
        for (task, returned) in [a, b] {
            let result = await task.result
            #expect(throws: Boom(code: 7)) { try result.get() }
            #expect(!returned.isSet)
        }
        #expect(await queue.receive() == nil)
        #expect(queue.tryReceive() == nil)
    }

    @Test func sendAfterFailThrowsTheFailure() async throws {
        let queue = BoundedQueue<Int>(capacity: 2)
        try await queue.send(1)
        #expect(queue.fail(Boom(code: 1)) == [1])
        await #expect(throws: Boom(code: 1)) { try await queue.send(2) }
        #expect(queue.fail(Boom(code: 2)) == [], "nothing is left to drop")
        queue.finish()
        await #expect(throws: Boom.self) { try await queue.send(3) }
    }

    @Test func failWakesAWaitingReceiverWithNil() async {
        let queue = BoundedQueue<Int>(capacity: 2)
        let receiver = startReceive(queue)
        #expect(queue.fail(Boom(code: 3)).isEmpty)
        #expect(await receiver.value == nil)
    }

    @Test func failAfterFinishDropsTheUndrainedRest() async throws {
        let queue = BoundedQueue<Int>(capacity: 3)
        for i in 0..<3 { try await queue.send(i) }
        queue.finish()
        #expect(await queue.receive() == 0)
        #expect(queue.fail(Boom(code: 4)) == [1, 2])
        #expect(await queue.receive() == nil)
    }
}
