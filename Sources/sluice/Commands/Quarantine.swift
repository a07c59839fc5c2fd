import ArgumentParser
import Foundation
import SluiceApp
import SluiceCore

struct Quarantine: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List or export the quarantined rows and files.",
        subcommands: [List.self, Export.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print quarantined rows and files: place and reason.")

        @OptionGroup var options: PipelineOptions

        @Option(help: "Show at most this many entries.")
        var limit = 50

        func run() throws {
            let (definition, _) = try options.load()
            let entries = try storeCall { try readQuarantine(definition, limit: limit) }
            for entry in entries {
                let place = [entry.line.map { "line \($0)" }, entry.byteOffset.map { "byte \($0)" }].compactMap { $0 }.joined(separator: ", ")
                say("\(entry.kind) \(entry.supplier)/\(entry.file)\(place.isEmpty ? "" : " (\(place))"): \(entry.reason)")
            }
            if entries.isEmpty { say("the quarantine of \(definition.name) is empty") }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the quarantine as CSV, with formula-like cells neutralised for spreadsheets."
        )

        @OptionGroup var options: PipelineOptions

        @Option(help: "File to write; standard output if absent.")
        var out: String?

        func run() throws {
            let (definition, _) = try options.load()
            let csv = quarantineCSV(try storeCall { try readQuarantine(definition, limit: nil) })
            if let out {
                try Data(csv.utf8).write(to: URL(fileURLWithPath: out))
            } else {
                print(csv, terminator: "")
            }
        }
    }
}

/// Runs a store call, turning a store failure into exit code 4 with the reason.
func storeCall<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as StoreError {
        printError("cannot read the store: \(error)")
        throw ExitCode(4)
    }
}
