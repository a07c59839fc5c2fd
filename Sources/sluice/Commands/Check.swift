import ArgumentParser
import Foundation
import SluiceApp
import SluiceCore

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a pipeline definition and print the plan; exits 2 with the key path and line of the first problem.",
        discussion: """
            With --sample FILE (plain or .gz) it prints instead a supplier profile sniffed from the file, \
            ready to paste under profiles:, what the sample could not settle, how the header maps onto the schema, \
            and the file's rows as they would load. No store is opened. Exits 0 when every row would load, \
            3 when rows would not or the header cannot map.
            """
    )

    @OptionGroup var options: PipelineOptions

    @Option(help: ArgumentHelp("Sniff a supplier profile from this file and show how it would load.", valueName: "file"))
    var sample: String?

    @Option(help: ArgumentHelp("With --sample: the supplier the file comes from, to compare with how its files are read now.",
                               valueName: "name"))
    var supplier: String?

    func validate() throws {
        if supplier != nil && sample == nil { throw ValidationError("--supplier goes with --sample") }
    }

    func run() throws {
        let (definition, plan) = try options.load()
        guard let sample else {
            say(describePlan(definition, plan))
            say("\ndefinition is valid")
            return
        }
        if let supplier, !hasSupplier(supplier, in: definition) {
            let known = definition.source.suppliers.map(\.name)
            printError("--supplier \(supplier): \(definition.name) has no such supplier"
                       + (known.isEmpty ? "" : " (declared: \(known.joined(separator: ", ")))"))
            throw ExitCode(64)
        }
        let bytes: [UInt8]
        do {
            bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: sample)))
        } catch {
            printError("--sample \(sample): cannot read it: \((error as NSError).localizedDescription)")
            throw ExitCode(64)
        }
        let gzip = sample.hasSuffix(".gz") || bytes.starts(with: [0x1F, 0x8B])
        let check = SampleCheck.run(definition, plan, bytes: bytes, file: sample, gzip: gzip, supplier: supplier)
        say(describeSampleCheck(check))
        if !check.wouldLoad { throw ExitCode(3) }
    }
}
