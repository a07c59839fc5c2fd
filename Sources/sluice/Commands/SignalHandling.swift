import Dispatch
import Foundation
import SluiceCore
import Synchronization

/// SIGINT and SIGTERM ask the run to stop cleanly; a second signal exits at once, and so does
/// a stop that takes longer than `shutdownTimeout`.
///
/// Exiting at once is still safe: every commit is one SQLite transaction, so the store holds
/// whole batches only, and the next run resumes from the last one.
final class SignalHandling {
    private var sources: [any DispatchSourceSignal] = []
    /// Signals seen; counted here, since a service group may already have asked the run to stop.
    private let received = SignalCount()

    init(stop: StopRequest, shutdownTimeout: Duration? = nil) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [received] in
                if received.count.add(1, ordering: .relaxed).oldValue > 0 { _exit(128 + signalNumber) }
                stop.request(signal: signalNumber)
                printError("stopping: no new files start; files in flight commit and keep their checkpoint (signal again to exit now)")
                guard let shutdownTimeout else { return }
                DispatchQueue.global().asyncAfter(deadline: .now() + shutdownTimeout.inSeconds) {
                    printError("the stop took longer than --shutdown-timeout; exiting now, with every commit already durable")
                    _exit(128 + signalNumber)
                }
            }
            source.resume()
            sources.append(source)
        }
    }
}

private final class SignalCount: Sendable {
    let count = Atomic<Int>(0)
}
