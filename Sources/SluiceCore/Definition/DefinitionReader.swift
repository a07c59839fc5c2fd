import Yams
import Foundation

/// Turns checked YAML nodes into a `PipelineDefinition`, one section at a time.
struct DefinitionReader {
    let baseDirectory: URL

    func pipeline(_ root: ConfigNode) throws -> PipelineDefinition {
        let top = try root.mapping(allowed: ["pipeline", "source", "limits", "retry", "breaker", "schema", "transform", "load", "settle",
                                             "workers", "profiles"])
        let name = try top.require("pipeline").string()
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw try top.require("pipeline").error("use letters, digits, '-', '_' or '.' in the pipeline name")
        }
        let schema = try self.schema(try top.require("schema"))
        let transform = try top["transform"].map(self.transform) ?? []
        let profiles = try ProfileReader(schema: schema, profiles: top["profiles"])
        return PipelineDefinition(
            name: name,
            fileURL: nil,
            source: try source(try top.require("source"), profiles: profiles),
            limits: try limits(top["limits"]),
            retry: try retry(top["retry"]),
            breaker: try breaker(top["breaker"]),
            schema: schema,
            transform: transform,
            load: try load(try top.require("load")),
            settle: try settle(top["settle"]),
            workers: try workers(top["workers"])
        )
    }

    private func workers(_ node: ConfigNode?) throws -> WorkersDefinition {
        var workers = WorkersDefinition()
        guard let node else { return workers }
        let map = try node.mapping(allowed: ["lease_ttl"])
        if let ttl = map["lease_ttl"] {
            workers.leaseTTL = try ttl.duration()
            guard workers.leaseTTL >= .seconds(1) else { throw ttl.error("a lease must last at least 1s: it is renewed every third of it") }
        }
        return workers
    }

    func resolve(_ path: String) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded).standardizedFileURL }
        return baseDirectory.appendingPathComponent(expanded).standardizedFileURL
    }

    private func source(_ node: ConfigNode, profiles: ProfileReader) throws -> SourceDefinition {
        let map = try node.mapping(allowed: ["root", "suppliers", "endpoints", "patterns", "batch_rows", "on_change",
                                             "profile", "max_field_bytes", "max_record_bytes", "max_inflated_bytes", "max_compression_ratio",
                                             "on_corrupt", "on_duplicate", "blank_lines", "max_delay", "poll_interval",
                                             "min_age", "stable_for", "ready_marker", "rescan_interval", "inotify"]
                                             + Self.endpointLimitKeys + ProfileReader.keys)
        let root = try map["root"].map { resolve(try $0.string()) }
        let defaultProfile = try profiles.profile(map, over: SupplierProfile())
        // The source's endpoint limits are the defaults of each endpoint's own.
        let limits = try endpointLimits(map, defaults: EndpointLimits())
        let context = SupplierContext(root: root, limits: limits, profiles: profiles, defaultProfile: defaultProfile)
        var suppliers = try map["suppliers"]?.sequence().map { try supplier($0, context) } ?? []
        suppliers += try map["endpoints"]?.sequence().map { try supplier($0, context, endpointOnly: true) } ?? []
        if root == nil && suppliers.isEmpty {
            throw node.error("declare a 'root' whose subdirectories are suppliers, a 'suppliers' list or an 'endpoints' list")
        }
        let duplicates = Dictionary(grouping: suppliers, by: \.name).filter { $0.value.count > 1 }.keys
        if let duplicate = duplicates.first {
            throw try (map["suppliers"] ?? map.require("endpoints")).error("supplier '\(duplicate)' is listed twice")
        }
        let patterns = try map["patterns"]?.stringList() ?? ["*.csv", "*.csv.gz"]
        let delimiter = defaultProfile.delimiter
        let batchRows = try map["batch_rows"]?.int(min: 1) ?? 8192
        var source = SourceDefinition(root: root, suppliers: suppliers, patterns: patterns,
                                      delimiter: delimiter, batchRows: batchRows,
                                      onChange: try map["on_change"]?.oneOf(ChangePolicy.self) ?? .fail)
        source.profile = defaultProfile
        source.reader.delimiter = delimiter
        source.reader.encoding = defaultProfile.encoding
        source.reader.maxFieldBytes = try map["max_field_bytes"]?.byteSize() ?? source.reader.maxFieldBytes
        if let node = map["max_record_bytes"] {
            source.reader.maxRecordBytes = try node.byteSize()
            guard source.reader.maxRecordBytes >= source.reader.maxFieldBytes else {
                throw node.error("must be at least max_field_bytes (\(source.reader.maxFieldBytes))")
            }
        } else {
            // A raised field cap raises the record cap with it.
            source.reader.maxRecordBytes = max(source.reader.maxRecordBytes, source.reader.maxFieldBytes)
        }
        source.reader.maxInflatedBytes = Int64(try map["max_inflated_bytes"]?.byteSize() ?? Int(source.reader.maxInflatedBytes))
        if let ratio = map["max_compression_ratio"] {
            source.reader.maxCompressionRatio = try ratio.double()
            guard source.reader.maxCompressionRatio >= 1 else { throw ratio.error("must be at least 1") }
        }
        source.onCorrupt = try map["on_corrupt"]?.oneOf(CorruptFilePolicy.self) ?? .reject
        source.onDuplicate = try map["on_duplicate"]?.oneOf(DuplicatePolicy.self) ?? .load
        source.reader.blankLines = try map["blank_lines"]?.oneOf(BlankLinePolicy.self) ?? .skip
        source.maxDelay = try map["max_delay"]?.duration() ?? source.maxDelay
        source.watch.pollInterval = try map["poll_interval"]?.duration() ?? source.watch.pollInterval
        if let node = map["poll_interval"], source.watch.pollInterval < .milliseconds(10) {
            throw node.error("must be at least 10ms")
        }
        source.watch.minAge = try map["min_age"]?.duration() ?? source.watch.minAge
        source.watch.stableFor = try map["stable_for"]?.duration() ?? source.watch.stableFor
        source.watch.rescanInterval = try map["rescan_interval"]?.duration() ?? source.watch.rescanInterval
        source.watch.inotify = try map["inotify"]?.bool() ?? source.watch.inotify
        if let node = map["ready_marker"] {
            let marker = try node.string()
            guard !marker.isEmpty, !marker.contains("/"), marker != "{name}" else {
                throw node.error("a marker is a file name such as '{name}.done' or '_SUCCESS', without a folder")
            }
            source.watch.readyMarker = marker
        }
        return source
    }

    /// A supplier with either a `path` (a directory) or a `url` (an endpoint).
    /// What every supplier entry is read against.
    private struct SupplierContext {
        let root: URL?
        let limits: EndpointLimits
        let profiles: ProfileReader
        let defaultProfile: SupplierProfile
    }

    private func supplier(_ node: ConfigNode, _ context: SupplierContext, endpointOnly: Bool = false) throws -> SupplierDefinition {
        let limits = context.limits
        let map = try node.mapping(allowed: ["name", "path", "url", "auth", "concurrency", "rate", "burst", "profile"]
                                   + Self.endpointKeys + Self.endpointLimitKeys + ProfileReader.keys)
        let name = try map.require("name").string()
        guard isSafeName(name) else { throw node.error("supplier name '\(name)' must be a plain folder-safe name") }
        var path: URL?
        var endpoint: EndpointDefinition?
        switch (map["path"], map["url"]) {
        case (let pathNode?, nil) where !endpointOnly:
            path = resolve(try pathNode.string())
            if let key = (Self.endpointKeys + Self.endpointLimitKeys).first(where: { map[$0] != nil }) {
                throw try map.require(key).error("\(key) is for suppliers with a url")
            }
        case (nil, let urlNode?):
            endpoint = try self.endpoint(map, url: urlNode, limits: limits)
        case (nil, nil) where !endpointOnly && context.root != nil:
            // An entry without a path refines the supplier of that name under the root.
            path = context.root!.appendingPathComponent(name)
        default:
            throw node.error(endpointOnly ? "an endpoint needs a 'url' (and no 'path')"
                                          : "a supplier has either a 'path' (a directory) or a 'url' (an HTTP endpoint)")
        }
        let profile = try context.profiles.profile(map, over: context.defaultProfile)
        return SupplierDefinition(name: name, path: path, endpoint: endpoint,
                                  concurrency: try map["concurrency"]?.int(min: 1),
                                  rate: try map["rate"]?.rate(),
                                  burst: try map["burst"]?.int(min: 1),
                                  encoding: profile.encoding, profile: profile)
    }

    private func limits(_ node: ConfigNode?) throws -> LimitsDefinition {
        var limits = LimitsDefinition(maxConcurrency: 8, perSupplierConcurrency: 3, groupSize: 1, stagger: .zero)
        guard let node else { return limits }
        let map = try node.mapping(allowed: ["max_concurrency", "per_supplier_concurrency", "group_size", "groups",
                                             "stagger", "start_spacing", "rate", "burst", "order"])
        limits.maxConcurrency = try map["max_concurrency"]?.int(min: 1) ?? limits.maxConcurrency
        limits.perSupplierConcurrency = try map["per_supplier_concurrency"]?.int(min: 1) ?? limits.perSupplierConcurrency
        limits.groupSize = try map["group_size"]?.int(min: 1) ?? limits.groupSize
        limits.groups = try map["groups"]?.sequence().map { try $0.stringList() } ?? []
        limits.stagger = try map["stagger"]?.duration() ?? limits.stagger
        limits.startSpacing = try map["start_spacing"]?.duration() ?? limits.startSpacing
        limits.rate = try map["rate"]?.rate()
        limits.burst = try map["burst"]?.int(min: 1) ?? limits.burst
        limits.order = try map["order"]?.oneOf(FileOrder.self) ?? limits.order
        return limits
    }

    private func retry(_ node: ConfigNode?) throws -> RetryPolicy {
        var policy = RetryPolicy()
        guard let node else { return policy }
        let map = try node.mapping(allowed: ["max_attempts", "initial_delay", "max_delay"])
        policy.maxAttempts = try map["max_attempts"]?.int(min: 1) ?? policy.maxAttempts
        policy.initialDelay = try map["initial_delay"]?.duration() ?? policy.initialDelay
        policy.maxDelay = try map["max_delay"]?.duration() ?? policy.maxDelay
        return policy
    }

    private func breaker(_ node: ConfigNode?) throws -> BreakerPolicy? {
        guard let node else { return BreakerPolicy() }
        if case .scalar = node.node, try node.string() == "off" { return nil }
        let map = try node.mapping(allowed: ["failures", "cool_down"])
        var policy = BreakerPolicy()
        policy.failures = try map["failures"]?.int(min: 1) ?? policy.failures
        policy.coolDown = try map["cool_down"]?.duration() ?? policy.coolDown
        return policy
    }

    private func schema(_ node: ConfigNode) throws -> SchemaDefinition {
        let map = try node.mapping(allowed: ["columns", "on_invalid", "max_invalid_ratio"])
        let columnsNode = try map.require("columns")
        let items = try columnsNode.sequence()
        let columns = try items.map(column)
        guard !columns.isEmpty else { throw columnsNode.error("declare at least one column") }
        var seen = Set<String>()
        for (index, column) in columns.enumerated() where !seen.insert(column.name).inserted {
            throw items[index].error("column '\(column.name)' is declared twice")
        }
        let ratio = try map["max_invalid_ratio"]?.double() ?? 1.0
        guard (0...1).contains(ratio) else {
            throw try map.require("max_invalid_ratio").error("must be between 0 and 1 (a share of rows), found \(ratio)")
        }
        return SchemaDefinition(columns: columns,
                                onInvalid: try map["on_invalid"]?.oneOf(InvalidRowPolicy.self) ?? .quarantine,
                                maxInvalidRatio: ratio)
    }

    private func column(_ node: ConfigNode) throws -> ColumnDefinition {
        let map = try node.mapping(allowed: ["name", "type", "required", "minimum", "maximum",
                                             "min_length", "max_length", "pattern", "enum", "format"])
        let name = try map.require("name").string()
        guard isSafeName(name) else { throw node.error("column name '\(name)' must be letters, digits and '_'") }
        let typeNode = try map.require("type")
        guard let type = ColumnType(parsing: try typeNode.string()) else {
            throw typeNode.error("unknown type; use string, integer, decimal(p,s) with p <= 15 (stored exactly as REAL), boolean, date or timestamp")
        }
        var column = ColumnDefinition(name: name, type: type, required: try map["required"]?.bool() ?? false)
        column.minimum = try map["minimum"]?.double()
        column.maximum = try map["maximum"]?.double()
        column.minLength = try map["min_length"]?.int(min: 0)
        column.maxLength = try map["max_length"]?.int(min: 0)
        if let patternNode = map["pattern"] {
            let pattern = try patternNode.string()
            guard (try? NSRegularExpression(pattern: pattern)) != nil else {
                throw patternNode.error("not a valid regular expression")
            }
            column.pattern = pattern
        }
        column.allowed = try map["enum"]?.stringList()
        if let formatNode = map["format"] {
            let format = try formatNode.string()
            guard type == .date else { throw formatNode.error("only date columns take a format") }
            let counts = ["YYYY", "MM", "DD"].map { format.components(separatedBy: $0).count - 1 }
            guard counts == [1, 1, 1], format.filter({ "YMD".contains($0) }).count == 8 else {
                throw formatNode.error("a date format has YYYY, MM and DD once each, with fixed separators, e.g. DD/MM/YYYY")
            }
            column.format = format
        }
        let numeric: Bool = switch type { case .integer, .decimal: true; default: false }
        if !numeric, let key = ["minimum", "maximum"].first(where: { map[$0] != nil }) {
            throw try map.require(key).error("only integer and decimal columns take \(key)")
        }
        if type != .string, let key = ["min_length", "max_length", "pattern"].first(where: { map[$0] != nil }) {
            throw try map.require(key).error("only string columns take \(key); \(type) values are checked by their type")
        }
        return column
    }

    private func transform(_ node: ConfigNode) throws -> [TransformStep] {
        try node.sequence().map { item in
            let map = try item.mapping(allowed: ["rename", "trim", "upper", "lower", "set", "filter"])
            guard map.entries.count == 1, let (kind, body) = map.entries.first else {
                throw item.error("each transform step has exactly one of rename, trim, upper, lower, set, filter")
            }
            switch kind {
            case "rename":
                guard case .mapping(let pairs) = body.node else { throw body.error("expected old_name: new_name pairs") }
                return .rename(try pairs.map { key, value in
                    guard let from = key.string, let to = value.string, isSafeName(to) else {
                        throw body.error("expected old_name: new_name pairs of column names")
                    }
                    return (from, to)
                })
            case "trim": return .trim(try body.stringList())
            case "upper": return .upper(try body.stringList())
            case "lower": return .lower(try body.stringList())
            case "set":
                let fields = try body.mapping(allowed: ["column", "value"])
                let column = try fields.require("column").string()
                guard isSafeName(column) else { throw body.error("column name '\(column)' must be letters, digits and '_'") }
                return .set(column: column, template: try fields.require("value").string())
            default:
                let fields = try body.mapping(allowed: ["column", "in", "not_in"])
                let column = try fields.require("column").string()
                switch (fields["in"], fields["not_in"]) {
                case (let values?, nil): return .filter(column: column, values: try values.stringList(), negate: false)
                case (nil, let values?): return .filter(column: column, values: try values.stringList(), negate: true)
                default: throw body.error("a filter takes exactly one of 'in' or 'not_in'")
                }
            }
        }
    }

    private func load(_ node: ConfigNode) throws -> LoadDefinition {
        let map = try node.mapping(allowed: ["kind", "database", "table", "host", "port", "user", "sslmode", "password_env",
                                             "reconnect_for"])
        let table = try map["table"]?.string() ?? "staging"
        guard isSafeName(table) else { throw try map.require("table").error("table name must be letters, digits and '_'") }
        guard table.utf8.count <= 63 else {
            throw try map.require("table").error("table name is \(table.utf8.count) bytes; PostgreSQL allows 63 and would cut it")
        }
        switch try map["kind"]?.string() ?? "sqlite" {
        case "sqlite":
            for key in ["host", "port", "user", "sslmode", "password_env", "reconnect_for"] where map[key] != nil {
                throw try map.require(key).error("'\(key)' is a PostgreSQL setting; add kind: postgres")
            }
            return LoadDefinition(database: resolve(try map.require("database").string()), table: table)
        case "postgres":
            let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
            let sslmode = try map["sslmode"]?.string()
            if let sslmode, !sslModes.contains(sslmode) {
                throw try map.require("sslmode").error("sslmode must be one of \(sslModes.joined(separator: ", "))")
            }
            let port = try map["port"].map { node -> Int in
                guard let port = Int(try node.string()), (1...65_535).contains(port) else { throw node.error("port must be 1 to 65535") }
                return port
            }
            let settings = PostgresSettings(host: try map["host"]?.string(), port: port, database: try map["database"]?.string(),
                                            user: try map["user"]?.string(), sslmode: sslmode,
                                            passwordEnvironment: try map["password_env"]?.string(),
                                            reconnectFor: try map["reconnect_for"]?.duration())
            return LoadDefinition(database: URL(fileURLWithPath: "/dev/null"), table: table, postgres: settings)
        case let other:
            throw try map.require("kind").error("unknown load kind '\(other)'; use sqlite or postgres")
        }
    }

    private func settle(_ node: ConfigNode?) throws -> SettleDefinition {
        guard let node else { return SettleDefinition(afterLoad: .keep, archiveDirectory: nil) }
        let map = try node.mapping(allowed: ["after_load", "archive_to"])
        let action = try map["after_load"]?.oneOf(SettleDefinition.Action.self) ?? .keep
        let archive = try map["archive_to"].map { resolve(try $0.string()) }
        if action == .archive && archive == nil {
            throw try map.require("after_load").error("after_load: archive needs settle.archive_to")
        }
        return SettleDefinition(afterLoad: action, archiveDirectory: archive)
    }
}

/// Names that are safe as SQL identifiers and folder names: letters, digits, `_`, `-`.
func isSafeName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
    return name.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) || $0 == "_" || $0 == "-" }
}
