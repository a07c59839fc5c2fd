import ArgumentParser
import Foundation
import SluiceApp
import SluiceCore

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report on a run from the store (the latest unless --run is given).",
        discussion: """
            Without a flag, prints the run, its reconcile line and the latency percentiles per \
            stage (slot wait, read, parse and validate, queue wait, commit, whole file). \
            --html writes one self-contained page: a timeline with a lane per supplier and a bar \
            per file, throughput over time, the latencies, the commonest quarantine reasons with \
            example rows and the reconcile table. --json prints the same data for machines. \
            --timeline prints, per supplier, how many files were open over the run (one digit per \
            time slice), the peak against the cap, the median wait for a slot and files that needed \
            more than one attempt.
            """
    )

    @OptionGroup var options: PipelineOptions

    @Option(name: .customLong("run"), help: "Which run (its id in the store); the latest by default.")
    var runID: Int64?

    @Option(help: ArgumentHelp("Write the report as one self-contained HTML page to this file.", valueName: "path"))
    var html: String?

    @Flag(help: "Print the report's data as JSON.")
    var json = false

    @Flag(help: "Show files open over time per supplier.")
    var timeline = false

    @Option(help: "Columns of the timeline.")
    var width = 60

    func validate() throws {
        guard (10...400).contains(width) else { throw ValidationError("--width takes 10 to 400 columns") }
        guard [html != nil, json, timeline].filter({ $0 }).count <= 1 else {
            throw ValidationError("choose one of --html, --json and --timeline")
        }
        if timeline && runID != nil { throw ValidationError("--timeline shows the latest run only") }
    }

    func run() throws {
        let (definition, _) = try options.load()
        do {
            if timeline {
                let timings = try readTimeline(definition)
                let caps = supplierCaps(definition, suppliers: Array(Set(timings.map(\.supplier))))
                say(describeTimeline(timings, caps: caps, globalCap: definition.limits.maxConcurrency, width: width))
                return
            }
            let report = try readRunReport(definition, run: runID)
            if let html {
                try Data(HTMLReport(report).render().utf8).write(to: URL(fileURLWithPath: html))
                say("wrote the report of run \(report.run.id) (\(report.files.count) files) to \(html)")
            } else if json {
                FileHandle.standardOutput.write(try reportJSON(report))
                say("")
            } else {
                say(describeReport(report))
            }
        } catch let error as StoreError {
            printError("cannot read the store: \(error)")
            throw ExitCode(4)
        } catch let error as ReportError {
            printError("\(error)")
            throw ExitCode(4)
        } catch let error as CocoaError {
            printError("cannot write \(html ?? "the report"): \(error.localizedDescription)")
            throw ExitCode(4)
        }
    }
}
