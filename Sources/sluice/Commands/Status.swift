import ArgumentParser
import Foundation
import SluiceApp
import SluiceCore

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show files done, pending, failed and quarantined per supplier, from the checkpoint store.",
        discussion: """
            waiting: files in the supplier directory not registered yet (still being written, not yet \
            complete by source.min_age, source.stable_for or the ready marker, or not yet polled); \
            pending: registered, not started; loading: partly loaded; oldest queued: how long the \
            oldest pending or partly loaded file has been registered; last commit: when rows of the \
            supplier last committed. Reads the store only, so it works while a run or stream writes it.
            """
    )

    @OptionGroup var options: PipelineOptions

    func run() throws {
        let (definition, _) = try options.load()
        do {
            let statuses = try readStatus(definition)
            if statuses.isEmpty {
                say("no files recorded yet for \(definition.name) in \(definition.load.location)")
            } else {
                say(describeStatus(statuses))
            }
        } catch let error as StoreError {
            printError("cannot read the store: \(error)")
            throw ExitCode(4)
        }
    }
}
