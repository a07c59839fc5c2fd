import Foundation
import Logging

/// Human-readable log lines on the shared standard error (`Console`), in swift-log's usual
/// form: time, level, label, the metadata as `key=value`, then the message.
public struct TextLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let console: Console

    public init(label: String, level: Logger.Level, console: Console = .standardError) {
        self.label = label
        self.logLevel = level
        self.console = console
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let time = Date().formatted(Date.ISO8601FormatStyle())
        console.write(line: "\(time) \(event.level) \(label): \(fields.isEmpty ? "" : fields + " ")\(event.message)")
    }
}
