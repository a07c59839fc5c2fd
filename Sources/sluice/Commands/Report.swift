import ArgumentParser
import SluiceApp
import SluiceCore

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report on the latest run from the store.",
        discussion: """
            --timeline shows, per supplier, how many files were open over the run (one digit per \
            time slice), the peak against the cap, the median wait for a slot and files that needed \
            more than one attempt.
            """
    )

    @OptionGroup var options: PipelineOptions

    @Flag(help: "Show files open over time per supplier.")
    var timeline = false

    @Option(help: "Columns of the timeline.")
    var width = 60

    func validate() throws {
        guard timeline else { throw ValidationError("choose a report: --timeline") }
        guard (10...400).contains(width) else { throw ValidationError("--width takes 10 to 400 columns") }
    }

    func run() throws {
        let (definition, _) = try options.load()
        do {
            let timings = try readTimeline(definition)
            let caps = supplierCaps(definition, suppliers: Array(Set(timings.map(\.supplier))))
            print(describeTimeline(timings, caps: caps, globalCap: definition.limits.maxConcurrency, width: width))
        } catch let error as StoreError {
            printError("cannot read the store: \(error)")
            throw ExitCode(4)
        }
    }
}
