import ArgumentParser
import Foundation
import SluiceApp
import SluiceCore

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show files done, pending, failed and quarantined per supplier, from the checkpoint store."
    )

    @OptionGroup var options: PipelineOptions

    func run() throws {
        let (definition, _) = try options.load()
        do {
            let statuses = try readStatus(definition)
            if statuses.isEmpty {
                print("no files recorded yet for \(definition.name) in \(definition.load.database.path)")
            } else {
                print(describeStatus(statuses))
            }
        } catch let error as StoreError {
            printError("cannot read the store: \(error)")
            throw ExitCode(4)
        }
    }
}
