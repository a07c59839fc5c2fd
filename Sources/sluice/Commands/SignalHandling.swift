import Dispatch
import Foundation
import SluiceCore

/// SIGINT and SIGTERM ask the run to stop cleanly; a second signal exits at once.
///
/// Exiting at once is still safe: every commit is one SQLite transaction, so the store holds
/// whole batches only, and the next run resumes from the last one.
final class SignalHandling {
    private var sources: [any DispatchSourceSignal] = []

    init(stop: StopRequest) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                if stop.isRequested { _exit(128 + signalNumber) }
                stop.request(signal: signalNumber)
                FileHandle.standardError.write(Data("sluice: stopping: no new files start; files in flight commit and keep their checkpoint (signal again to exit now)\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }
}
