import ArgumentParser
import Logging
import SluiceApp
import SluiceCore
import SluiceObservability

/// The pipeline file and its overrides, shared by every command that reads one.
struct PipelineOptions: ParsableArguments {
    @Argument(help: "The pipeline definition (YAML). Relative paths in it resolve against its folder.")
    var pipeline: String

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a key of the definition, e.g. --set limits.per_supplier_concurrency=5 (repeatable).",
        valueName: "key.path=value"))
    var overrides: [String] = []

    @Flag(name: .shortAndLong, help: "Log discovery and progress details to standard error.")
    var verbose = false

    @Option(help: ArgumentHelp("Log lines as human-readable text or as one JSON object per line (text, json).",
                               valueName: "format"))
    var logFormat: LogFormat = .text

    /// The command's logger, once `load()` has set logging up.
    func logger() -> Logger { Logger(label: "sluice") }

    /// Loads the definition, turning its errors into exit code 2 with the key path and line.
    func load() throws -> (PipelineDefinition, OutputPlan) {
        LoggingSystem.bootstrapOnce(level: verbose ? .info : .warning, format: logFormat)
        do {
            return try loadDefinition(path: pipeline, overrides: overrides)
        } catch let error as DefinitionError {
            printError("\(pipeline): \(error)")
            throw ExitCode(2)
        }
    }
}

extension LoggingSystem {
    nonisolated(unsafe) private static var bootstrapped = false

    static func bootstrapOnce(level: Logger.Level, format: LogFormat) {
        guard !bootstrapped else { return }
        bootstrapped = true
        messagesAsJSON = format == .json
        bootstrap { label in
            switch format {
            case .json: JSONLogHandler(label: label, level: level)
            case .text: TextLogHandler(label: label, level: level)
            }
        }
    }
}

/// How log lines are written.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
