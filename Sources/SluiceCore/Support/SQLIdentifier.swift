import Foundation

/// An identifier in double quotes, a quote inside doubled: SQLite and PostgreSQL then take any
/// name literally, never as SQL.
public func sqlIdentifier(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
