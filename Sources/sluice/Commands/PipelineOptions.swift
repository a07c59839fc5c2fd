import ArgumentParser
import Logging
import SluiceApp
import SluiceCore

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

    /// Loads the definition, turning its errors into exit code 2 with the key path and line.
    func load() throws -> (PipelineDefinition, OutputPlan) {
        LoggingSystem.bootstrapOnce(level: verbose ? .info : .warning)
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

    static func bootstrapOnce(level: Logger.Level) {
        guard !bootstrapped else { return }
        bootstrapped = true
        bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
