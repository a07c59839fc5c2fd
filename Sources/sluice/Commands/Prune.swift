import ArgumentParser
import SluiceApp
import SluiceCore

struct Prune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove the store's records of files that finished long ago and are no longer in the source.",
        discussion: """
            Keeps a stream's store small: a path's records go once all its versions finished (or \
            were archived or deleted) more than --older-than ago and the supplier directory no longer \
            holds it, in one transaction. A file still in the source is never pruned, since its record \
            is what keeps it from loading again; nor are a supplier whose directory is gone, a \
            quarantined file whose good rows stay staged, or the store's newest record. Of a pruned file that loaded, the store keeps its \
            name, size and fingerprint: the same file delivered again is not loaded twice, and other \
            content under its name meets source.on_change. Rows in the staging table and quarantine \
            entries stay. Takes the store's writer lock (exit 75 while a run or stream holds it; \
            --wait queues behind it).
            """
    )

    @OptionGroup var options: PipelineOptions

    @Option(help: ArgumentHelp("Prune files that finished longer ago than this (e.g. 30d, 12h).", valueName: "duration"))
    var olderThan: String

    @Flag(help: "Say what would be pruned and change nothing.")
    var dryRun = false

    @OptionGroup var lock: LockOptions

    func validate() throws {
        guard parseDuration(olderThan) != nil else {
            throw ValidationError("--older-than \(olderThan) is not a duration: use e.g. 30d, 12h or 90m")
        }
    }

    func run() async throws {
        let (definition, _) = try options.load()
        var runOptions = RunOptions()
        lock.apply(to: &runOptions)
        let age = parseDuration(olderThan) ?? .zero
        let result = try await withStoreExitCodes("prune", definition.name, lock: lock, detail: "; nothing was pruned") {
            [runOptions] in try await prunePipeline(definition, olderThan: age, dryRun: dryRun, options: runOptions)
        }
        let verb = dryRun ? "would prune" : "pruned"
        say("\(verb) \(result.records) records of \(result.paths) files that finished over \(olderThan) ago; "
              + "kept \(result.stillPresent) old enough but still in the source")
    }
}
