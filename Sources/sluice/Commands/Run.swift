import ArgumentParser
import Foundation
import Logging
import SluiceApp
import SluiceCore

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load every file available now, then exit (a nightly micro-batch).",
        discussion: """
            Files already loaded by an earlier run are skipped; a file a crashed run left half-loaded \
            resumes from its last committed row. Prints a summary per supplier where \
            read = loaded + quarantined + filtered.

            One run writes a store at a time. A run that finds the store held by another exits 75 \
            at once, naming the holder, unless --wait or --wait-timeout queues it behind the holder.
            """
    )

    @OptionGroup var options: PipelineOptions

    @Option(help: "Seconds between progress lines on standard error (0 for none).")
    var progress: Double = 5

    @Flag(help: "Read, parse, validate and transform every file, but store nothing: no rows, no checkpoints.")
    var dryRun = false

    @OptionGroup var lock: LockOptions

    @OptionGroup var metrics: MetricsOptions

    func run() async throws {
        let (definition, plan) = try options.load()
        let stop = StopRequest()
        let signals = SignalHandling(stop: stop)
        defer { withExtendedLifetime(signals) {} }
        let interval: Duration? = progress > 0 ? .milliseconds(Int64(progress * 1000)) : nil
        var runOptions = RunOptions(progressInterval: interval, logger: options.logger(), stop: stop)
        runOptions.dryRun = dryRun
        runOptions.liveDisplay = standardErrorIsATerminal
        lock.apply(to: &runOptions)
        let registry = metrics.start(pipeline: definition.name, mode: "run", defaultAddress: nil, into: &runOptions)
        defer { metrics.write(registry) }
        let summary = try await withStoreExitCodes("run", definition.name, lock: lock) { [runOptions] in
            try await runPipeline(definition: definition, plan: plan, options: runOptions)
        }
        say(summary.table())
        let total = summary.total
        say("")
        say(dryRun ? "dry run: \(total.rows.loaded) rows would load; nothing was stored"
                     : "loaded \(total.rows.loaded) rows into \(definition.load.table) in \(definition.load.location)")
        say("read \(total.rows.read) = loaded \(total.rows.loaded) + quarantined \(total.rows.quarantined) + filtered \(total.rows.filtered)"
              + (total.reconciles ? "" : "  (DOES NOT RECONCILE)")
              + (total.rows.blankLinesSkipped > 0 ? "; \(total.rows.blankLinesSkipped) blank \(total.rows.blankLinesSkipped == 1 ? "line" : "lines") skipped" : ""))
        for problem in summary.problems.prefix(20) { say("  \(problem)") }
        if summary.problems.count > 20 { say("  ... and \(summary.problems.count - 20) more") }
        if total.filesQuarantined + total.filesFailed > 0 {
            say("\(total.filesQuarantined) files quarantined, \(total.filesFailed) could not be read: see `sluice status` and the sluice_quarantine table")
        }
        if let signal = summary.stoppedBySignal {
            say("stopped by signal \(signal) with every checkpoint committed; \(total.filesInterrupted) files resume where they stopped")
        }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}
