import ArgumentParser
import Foundation
import Logging
import SluiceApp
import SluiceCore

struct Stream: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch the supplier directories and load files as they arrive, until stopped.",
        discussion: """
            Files present at start are loaded first, in the limiter's fair order; a file half-loaded \
            when an earlier run stopped resumes at its last committed row. A file is taken once it is \
            complete: its name passes the filters, its modification time is at least source.min_age \
            old, it has not changed for source.stable_for, and its source.ready_marker exists when \
            one is declared. SIGTERM or SIGINT stop it cleanly: no new file starts, files in flight \
            commit and keep their checkpoint, and it exits 0 within --shutdown-timeout; a second \
            signal exits at once. One run writes a store at a time, as with `sluice run`.
            """
    )

    @OptionGroup var options: PipelineOptions

    @Option(help: "Seconds between progress lines on standard error (0 for none).")
    var progress: Double = 5

    @Option(help: ArgumentHelp("How long a clean stop may take before the stream exits anyway (e.g. 10s, 1m).",
                               valueName: "duration"))
    var shutdownTimeout = "30s"

    @OptionGroup var lock: LockOptions

    @OptionGroup var metrics: MetricsOptions

    func validate() throws {
        guard parseDuration(shutdownTimeout) != nil else {
            throw ValidationError("--shutdown-timeout \(shutdownTimeout) is not a duration: use e.g. 10s or 1m")
        }
    }

    func run() async throws {
        let (definition, plan) = try options.load()
        let timeout = parseDuration(shutdownTimeout) ?? .seconds(30)
        let stop = StopRequest()
        let signals = SignalHandling(stop: stop, shutdownTimeout: timeout)
        defer { withExtendedLifetime(signals) {} }
        var runOptions = RunOptions(progressInterval: progress > 0 ? .milliseconds(Int64(progress * 1000)) : nil,
                                    logger: options.logger(), stop: stop)
        runOptions.liveDisplay = standardErrorIsATerminal
        lock.apply(to: &runOptions)
        let registry = metrics.start(pipeline: definition.name, mode: "stream", defaultAddress: MetricsOptions.streamDefault, into: &runOptions)
        defer { metrics.write(registry) }
        let summary = try await withStoreExitCodes("stream", definition.name, lock: lock) { [runOptions] in
            try await streamPipeline(definition: definition, plan: plan, options: runOptions, shutdownTimeout: timeout)
        }
        say(summary.table())
        let total = summary.total
        say("")
        say("stopped: loaded \(total.rows.loaded) rows into \(definition.load.table) in \(definition.load.location); every checkpoint is committed")
        say("read \(total.rows.read) = loaded \(total.rows.loaded) + quarantined \(total.rows.quarantined) + filtered \(total.rows.filtered)"
              + (total.reconciles ? "" : "  (DOES NOT RECONCILE)"))
        for problem in summary.problems.prefix(20) { say("  \(problem)") }
    }
}
