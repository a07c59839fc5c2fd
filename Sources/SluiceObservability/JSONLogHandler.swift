import Foundation
import Logging

/// One JSON object per line on standard error, for log shippers: `time`, `level`, `label`,
/// `message`, and the metadata's dotted keys as they are (`run.id`, `supplier`, `file.id`).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let write: @Sendable (Data) -> Void

    public init(label: String, level: Logger.Level,
                write: @escaping @Sendable (Data) -> Void = { Console.standardError.write(line: String(decoding: $0.dropLast(), as: UTF8.self)) }) {
        self.label = label
        self.logLevel = level
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        if let error = event.error { all["error"] = "\(error)" }
        guard var data = Self.line(level: event.level, label: label, message: event.message.description, metadata: all)
        else { return }
        data.append(UInt8(ascii: "\n"))
        write(data)
    }

    /// One log line as a JSON object, without its newline.
    public static func line(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata = [:]) -> Data? {
        var fields: [String: Any] = metadata.mapValues(json)
        fields["time"] = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        fields["level"] = level.rawValue
        fields["label"] = label
        fields["message"] = message
        return try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    private static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let value): value.description
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }
}
