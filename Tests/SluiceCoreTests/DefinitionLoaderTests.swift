import Foundation
import Testing
@testable import SluiceCore

/// A pipeline file assembled from sections, each replaceable by a test.
private struct PipelineYAML {
    var pipeline = "pipeline: nightly"
    var source = """
        source:
          root: ../data/suppliers
        """
    var limits = ""
    var schema = """
        schema:
          columns:
            - { name: id, type: integer, required: true }
        """
    var transform = ""
    var load = """
        load:
          database: ../data/staging.sqlite
        """
    var settle = ""

    /// Schema with the given column lines (each one flow mapping).
    static func columns(_ lines: String...) -> String {
        "schema:\n  columns:\n" + lines.map { "    - \($0)" }.joined(separator: "\n")
    }

    var text: String {
        [pipeline, source, limits, schema, transform, load, settle].filter { !$0.isEmpty }.joined(separator: "\n") + "\n"
    }
}

private let baseDirectory = URL(fileURLWithPath: "/srv/sluice/pipelines", isDirectory: true)

private func parse(_ yaml: String, overrides: [String] = []) throws -> PipelineDefinition {
    try DefinitionLoader.parse(yaml: yaml, baseDirectory: baseDirectory, overrides: overrides)
}

private func parse(_ doc: PipelineYAML, overrides: [String] = []) throws -> PipelineDefinition {
    try parse(doc.text, overrides: overrides)
}

@Suite struct DefinitionLoaderTests {
    // MARK: - Unknown keys

    @Test func unknownKeyNamesKeyPathSuggestionAndLine() throws {
        let yaml = """
            pipeline: nightly
            source:
              root: ../data/suppliers
            limits:
              max_concurrency: 4
              per_supplier_concurency: 2
            schema:
              columns:
                - { name: id, type: integer }
            load:
              database: out.sqlite
            """
        let error = #expect(throws: DefinitionError.self) { try parse(yaml) }
        #expect(error?.keyPath == "limits.per_supplier_concurency")
        #expect(error?.message.contains("did you mean per_supplier_concurrency") == true)
        #expect(error?.line == 6)
        #expect(error?.description.contains("limits.per_supplier_concurency") == true)
        #expect(error?.description.contains("line 6") == true)
    }

    @Test func unknownTopLevelKeySuggestsNearestSection() throws {
        let yaml = """
            pipeline: nightly
            shema:
              columns: []
            """
        let error = #expect(throws: DefinitionError.self) { try parse(yaml) }
        #expect(error?.keyPath == "shema")
        #expect(error?.message.contains("did you mean schema") == true)
        #expect(error?.line == 2)
    }

    @Test func unknownKeyFarFromEveryAllowedKeyHasNoSuggestion() throws {
        var doc = PipelineYAML()
        doc.limits = "limits:\n  completely_unrelated_setting: 1"
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "limits.completely_unrelated_setting")
        #expect(error?.message.contains("unknown key") == true)
        #expect(error?.message.contains("did you mean") == false)
    }

    @Test func unknownKeyInsideAColumnHasFullKeyPath() throws {
        var doc = PipelineYAML()
        doc.schema = PipelineYAML.columns("{ name: id, type: integer }", "{ name: sku, type: string, max_lenght: 10 }")
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "schema.columns.1.max_lenght")
        #expect(error?.message.contains("did you mean max_length") == true)
        #expect(error?.line == 7)
    }

    @Test func duplicateYAMLKeyIsRejected() throws {
        var doc = PipelineYAML()
        doc.limits = "limits:\n  max_concurrency: 4\n  max_concurrency: 5"
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.message.contains("max_concurrency") == true)
    }

    @Test func invalidYAMLIsADefinitionError() throws {
        let error = #expect(throws: DefinitionError.self) { try parse("pipeline: [unclosed\n") }
        #expect(error?.keyPath == "")
        #expect(error?.message.hasPrefix("not valid YAML") == true)
    }

    // MARK: - Wrong types and values

    @Test(arguments: [
        ("max_concurrency: many", "limits.max_concurrency", "expected a whole number, found 'many'"),
        ("max_concurrency: 2.5", "limits.max_concurrency", "expected a whole number"),
        ("max_concurrency: 0", "limits.max_concurrency", "must be at least 1, found 0"),
        ("per_supplier_concurrency: -3", "limits.per_supplier_concurrency", "must be at least 1"),
        ("group_size: [1, 2]", "limits.group_size", "expected a whole number, found a list"),
        ("stagger: soon", "limits.stagger", "expected a duration"),
        ("stagger: -5s", "limits.stagger", "expected a duration"),
        ("stagger: 5 parsecs", "limits.stagger", "expected a duration"),
        ("stagger: ms", "limits.stagger", "expected a duration"),
    ])
    func badLimitValues(line: String, keyPath: String, message: String) throws {
        var doc = PipelineYAML()
        doc.limits = "limits:\n  \(line)"
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == keyPath)
        #expect(error?.message.contains(message) == true, "message was: \(error?.message ?? "-")")
        #expect(error?.line == 5, "the limits value sits on line 5")
    }

    @Test func sectionOfWrongShapeIsRejected() throws {
        var doc = PipelineYAML()
        doc.source = "source: somewhere"
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "source")
        #expect(error?.message.contains("expected a mapping") == true)

        var listDoc = PipelineYAML()
        listDoc.schema = "schema:\n  columns: id"
        let listError = #expect(throws: DefinitionError.self) { try parse(listDoc) }
        #expect(listError?.keyPath == "schema.columns")
        #expect(listError?.message.contains("expected a list") == true)
    }

    @Test func requiredMustBeABoolean() throws {
        var doc = PipelineYAML()
        doc.schema = PipelineYAML.columns("{ name: id, type: integer, required: maybe }")
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "schema.columns.0.required")
        #expect(error?.message.contains("expected true or false") == true)
    }

    @Test(arguments: ["pipeline: \"night ly\"", "pipeline: \"a/b\"", "pipeline: \"\""])
    func badPipelineNameIsRejected(line: String) throws {
        var doc = PipelineYAML()
        doc.pipeline = line
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "pipeline")
    }

    @Test func aLeaseLastsThirtySecondsUnlessSetAndNeverUnderOne() throws {
        #expect(try parse(PipelineYAML()).workers.leaseTTL == .seconds(30))
        #expect(try parse(PipelineYAML(), overrides: ["workers.lease_ttl=2m"]).workers.leaseTTL == .seconds(120))
        let error = #expect(throws: DefinitionError.self) { try parse(PipelineYAML(), overrides: ["workers.lease_ttl=500ms"]) }
        #expect(error?.keyPath == "workers.lease_ttl")
        #expect(error?.message.contains("at least 1s") == true)
    }

    @Test func theRecordCapIsFourMiBFollowsARaisedFieldCapAndIsNeverBelowIt() throws {
        #expect(try parse(PipelineYAML()).source.reader.maxRecordBytes == 4 << 20)
        #expect(try parse(PipelineYAML(), overrides: ["source.max_record_bytes=64KiB", "source.max_field_bytes=16KiB"])
            .source.reader.maxRecordBytes == 64 << 10)
        #expect(try parse(PipelineYAML(), overrides: ["source.max_field_bytes=64MiB"]).source.reader.maxRecordBytes == 64 << 20)
        let error = #expect(throws: DefinitionError.self) { try parse(PipelineYAML(), overrides: ["source.max_record_bytes=512KiB"]) }
        #expect(error?.keyPath == "source.max_record_bytes")
        #expect(error?.message.contains("must be at least max_field_bytes (1048576)") == true)
    }

    @Test func ratioOutOfRangeIsRejected() throws {
        var doc = PipelineYAML()
        doc.schema = "schema:\n  max_invalid_ratio: 1.5\n  columns:\n    - { name: id, type: integer }"
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "schema.max_invalid_ratio")
        #expect(error?.message.contains("between 0 and 1") == true)
    }

    @Test func unknownInvalidPolicyListsChoices() throws {
        var doc = PipelineYAML()
        doc.schema = "schema:\n  on_invalid: explode\n  columns:\n    - { name: id, type: integer }"
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "schema.on_invalid")
        #expect(error?.message.contains("quarantine, drop, fail") == true)
        #expect(error?.message.contains("'explode'") == true)
    }

    @Test(arguments: ["\"ab\"", "'\"'", "\"\""])
    func badDelimiterIsRejected(value: String) throws {
        var doc = PipelineYAML()
        doc.source = "source:\n  root: x\n  delimiter: \(value)"
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "source.delimiter")
    }

    @Test(arguments: [(";", UInt8(ascii: ";")), ("\\t", UInt8(9)), ("\"\\t\"", UInt8(9)), ("\"|\"", UInt8(ascii: "|"))])
    func delimiterSpellings(value: String, byte: UInt8) throws {
        var doc = PipelineYAML()
        doc.source = "source:\n  root: x\n  delimiter: \(value)"
        #expect(try parse(doc).source.delimiter == byte)
    }

    @Test func sourceNeedsRootOrSuppliers() throws {
        var doc = PipelineYAML()
        doc.source = "source:\n  patterns: ['*.csv']"
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "source")
        #expect(error?.message.contains("root") == true)
    }

    @Test func supplierListedTwiceIsRejected() throws {
        var doc = PipelineYAML()
        doc.source = """
            source:
              suppliers:
                - { name: acme, path: a }
                - { name: acme, path: b }
            """
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "source.suppliers")
        #expect(error?.message.contains("acme") == true)
    }

    @Test func archiveWithoutArchiveDirectoryIsRejected() throws {
        var doc = PipelineYAML()
        doc.settle = "settle:\n  after_load: archive"
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "settle.after_load")
        #expect(error?.message.contains("archive_to") == true)
    }

    // MARK: - Missing required keys

    @Test func emptyDocumentIsMissingPipeline() throws {
        let error = #expect(throws: DefinitionError.self) { try parse("") }
        #expect(error?.keyPath == "")
        #expect(error?.message.contains("missing required key 'pipeline'") == true)
    }

    @Test(arguments: ["pipeline", "schema", "load", "source"])
    func missingRequiredSection(section: String) throws {
        var doc = PipelineYAML()
        switch section {
        case "pipeline": doc.pipeline = ""
        case "schema": doc.schema = ""
        case "load": doc.load = ""
        default: doc.source = ""
        }
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "")
        #expect(error?.message.contains("missing required key '\(section)'") == true, "message: \(error?.message ?? "-")")
    }

    @Test func missingDatabaseNamesTheLoadSection() throws {
        var doc = PipelineYAML()
        doc.load = "load:\n  table: staging_orders"
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "load")
        #expect(error?.message.contains("missing required key 'database'") == true)
    }

    @Test(arguments: ["{ type: integer }", "{ name: id }"])
    func columnMissingNameOrType(column: String) throws {
        var doc = PipelineYAML()
        doc.schema = PipelineYAML.columns(column)
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "schema.columns.0")
        #expect(error?.message.contains("missing required key") == true)
    }

    @Test func emptyColumnListIsRejected() throws {
        var doc = PipelineYAML()
        doc.schema = "schema:\n  columns: []"
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "schema.columns")
        #expect(error?.message.contains("at least one column") == true)
    }

    // MARK: - Columns

    @Test(arguments: ["varchar", "decimal(16,2)", "decimal(19,2)", "decimal(5,6)", "decimal(0,0)", "decimal(10)", "decimal(a,b)", "decimal(10,-1)"])
    func badColumnType(type: String) throws {
        var doc = PipelineYAML()
        doc.schema = PipelineYAML.columns("{ name: id, type: integer }", "{ name: x, type: \"\(type)\" }")
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "schema.columns.1.type")
        #expect(error?.message.contains("unknown type") == true)
        #expect(error?.line == 7)
    }

    @Test(arguments: [
        ("string", ColumnType.string), ("text", .string), ("integer", .integer), ("int", .integer),
        ("boolean", .boolean), ("bool", .boolean), ("date", .date), ("timestamp", .timestamp),
        ("decimal(12,2)", .decimal(precision: 12, scale: 2)), ("DECIMAL( 15 , 0 )", .decimal(precision: 15, scale: 0)),
        ("decimal(3,3)", .decimal(precision: 3, scale: 3)),
    ])
    func columnTypeSpellings(text: String, type: ColumnType) throws {
        var doc = PipelineYAML()
        doc.schema = PipelineYAML.columns("{ name: x, type: \"\(text)\" }")
        #expect(try parse(doc).schema.columns[0].type == type)
    }

    @Test(arguments: ["\"[a-\"", "\"(unclosed\"", "\"a{2,1}\""])
    func invalidRegexPattern(pattern: String) throws {
        var doc = PipelineYAML()
        doc.schema = PipelineYAML.columns("{ name: sku, type: string, pattern: \(pattern) }")
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "schema.columns.0.pattern")
        #expect(error?.message.contains("regular expression") == true)
    }

    @Test(arguments: ["string", "boolean", "date", "timestamp"], ["minimum", "maximum"])
    func boundsOnlyOnNumericColumns(type: String, key: String) throws {
        var doc = PipelineYAML()
        doc.schema = PipelineYAML.columns("{ name: x, type: \(type), \(key): 3 }")
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "schema.columns.0.\(key)")
        #expect(error?.message.contains("only integer and decimal columns take \(key)") == true)
    }

    @Test(arguments: ["integer", "\"decimal(6,2)\""])
    func boundsOnNumericColumnsAreKept(type: String) throws {
        var doc = PipelineYAML()
        doc.schema = PipelineYAML.columns("{ name: x, type: \(type), minimum: -2.5, maximum: 100 }")
        let column = try parse(doc).schema.columns[0]
        #expect(column.minimum == -2.5)
        #expect(column.maximum == 100)
    }

    @Test func duplicateColumnIsRejected() throws {
        var doc = PipelineYAML()
        doc.schema = PipelineYAML.columns(
            "{ name: id, type: integer }", "{ name: sku, type: string }", "{ name: id, type: string }")
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "schema.columns.2")
        #expect(error?.message.contains("column 'id' is declared twice") == true)
    }

    /// The error for a duplicate column should point at the duplicate's own line, like every other error.
    @Test func duplicateColumnErrorPointsAtTheDuplicatesLine() throws {
        var doc = PipelineYAML()
        doc.schema = PipelineYAML.columns(
            "{ name: id, type: integer }", "{ name: sku, type: string }", "{ name: id, type: string }")
        // Lines: 1 pipeline, 2-3 source, 4 schema, 5 columns, 6/7/8 the three columns.
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.line == 8)
    }

    @Test(arguments: ["\"order id\"", "1abc", "\"-abc\"", "\"a.b\"", "\"é\""])
    func unsafeColumnNameIsRejected(name: String) throws {
        var doc = PipelineYAML()
        doc.schema = PipelineYAML.columns("{ name: \(name), type: string }")
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "schema.columns.0")
        #expect(error?.message.contains("column name") == true)
    }

    @Test func columnRulesAreRead() throws {
        var doc = PipelineYAML()
        doc.schema = PipelineYAML.columns(
            "{ name: sku, type: string, required: true, min_length: 3, max_length: 10, pattern: \"^[A-Z]+$\" }",
            "{ name: currency, type: string, enum: [EUR, USD] }",
            "{ name: flag, type: string, enum: only }")
        let columns = try parse(doc).schema.columns
        #expect(columns.map(\.name) == ["sku", "currency", "flag"])
        #expect(columns[0].required)
        #expect(columns[0].minLength == 3)
        #expect(columns[0].maxLength == 10)
        #expect(columns[0].pattern == "^[A-Z]+$")
        #expect(columns[0].allowed == nil)
        #expect(columns[1].allowed == ["EUR", "USD"])
        #expect(columns[1].required == false)
        #expect(columns[2].allowed == ["only"])
    }

    @Test func negativeLengthIsRejected() throws {
        var doc = PipelineYAML()
        doc.schema = PipelineYAML.columns("{ name: sku, type: string, max_length: -1 }")
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == "schema.columns.0.max_length")
    }

    // MARK: - Transform section

    @Test func transformStepsAreReadInOrder() throws {
        var doc = PipelineYAML()
        doc.schema = PipelineYAML.columns("{ name: id, type: integer }", "{ name: name, type: string }")
        doc.transform = """
            transform:
              - trim: [name]
              - rename: { name: title, id: ident }
              - upper: title
              - lower: [title]
              - set: { column: feed, value: "${pipeline}/${supplier}" }
              - filter: { column: title, in: [A, B] }
              - filter: { column: title, not_in: C }
            """
        let steps = try parse(doc).transform
        #expect(steps.count == 7)
        guard steps.count == 7 else { return }
        if case .trim(let names) = steps[0] { #expect(names == ["name"]) } else { Issue.record("step 0: \(steps[0])") }
        if case .rename(let pairs) = steps[1] {
            #expect(pairs.map(\.from) == ["name", "id"])
            #expect(pairs.map(\.to) == ["title", "ident"])
        } else { Issue.record("step 1: \(steps[1])") }
        if case .upper(let names) = steps[2] { #expect(names == ["title"]) } else { Issue.record("step 2: \(steps[2])") }
        if case .lower(let names) = steps[3] { #expect(names == ["title"]) } else { Issue.record("step 3: \(steps[3])") }
        if case .set(let column, let template) = steps[4] {
            #expect(column == "feed")
            #expect(template == "${pipeline}/${supplier}")
        } else { Issue.record("step 4: \(steps[4])") }
        if case .filter(let column, let values, let negate) = steps[5] {
            #expect(column == "title"); #expect(values == ["A", "B"]); #expect(!negate)
        } else { Issue.record("step 5: \(steps[5])") }
        if case .filter(let column, let values, let negate) = steps[6] {
            #expect(column == "title"); #expect(values == ["C"]); #expect(negate)
        } else { Issue.record("step 6: \(steps[6])") }
    }

    @Test(arguments: [
        ("- { trim: [id], upper: [id] }", "transform.0", "exactly one"),
        ("- { trimm: [id] }", "transform.0.trimm", "did you mean trim"),
        ("- filter: { column: id, in: [1], not_in: [2] }", "transform.0.filter", "exactly one of 'in' or 'not_in'"),
        ("- filter: { column: id }", "transform.0.filter", "exactly one of 'in' or 'not_in'"),
        ("- set: { column: feed }", "transform.0.set", "missing required key 'value'"),
        ("- set: { column: \"bad name\", value: x }", "transform.0.set", "column name"),
        ("- rename: [id]", "transform.0.rename", "old_name: new_name"),
        ("- rename: { id: \"new id\" }", "transform.0.rename", "old_name: new_name"),
    ])
    func badTransformSteps(step: String, keyPath: String, message: String) throws {
        var doc = PipelineYAML()
        doc.transform = "transform:\n  \(step)"
        let error = #expect(throws: DefinitionError.self) { try parse(doc) }
        #expect(error?.keyPath == keyPath)
        #expect(error?.message.contains(message) == true, "message was: \(error?.message ?? "-")")
    }

    // MARK: - Overrides

    @Test func overrideChangesAnExistingValue() throws {
        var doc = PipelineYAML()
        doc.limits = "limits:\n  per_supplier_concurrency: 2\n  max_concurrency: 6"
        let plain = try parse(doc)
        #expect(plain.limits.perSupplierConcurrency == 2)
        let overridden = try parse(doc, overrides: ["limits.per_supplier_concurrency=5"])
        #expect(overridden.limits.perSupplierConcurrency == 5)
        #expect(overridden.limits.maxConcurrency == 6)
    }

    @Test func overrideCreatesAMissingSection() throws {
        let definition = try parse(PipelineYAML(), overrides: ["limits.per_supplier_concurrency=5", "limits.stagger=250ms"])
        #expect(definition.limits.perSupplierConcurrency == 5)
        #expect(definition.limits.stagger == .milliseconds(250))
        #expect(definition.limits.maxConcurrency == 8, "untouched limits keep their defaults")
    }

    @Test func laterOverrideWins() throws {
        let definition = try parse(PipelineYAML(), overrides: ["limits.group_size=2", "limits.group_size=7"])
        #expect(definition.limits.groupSize == 7)
    }

    @Test func overrideWithTypoIsRejectedAsUnknown() throws {
        var doc = PipelineYAML()
        doc.limits = "limits:\n  per_supplier_concurrency: 2"
        let error = #expect(throws: DefinitionError.self) {
            try parse(doc, overrides: ["limits.per_supplier_concurency=5"])
        }
        #expect(error?.keyPath == "limits.per_supplier_concurency")
        #expect(error?.message.contains("did you mean per_supplier_concurrency") == true)
    }

    @Test func overrideValueIsTypeChecked() throws {
        let error = #expect(throws: DefinitionError.self) {
            try parse(PipelineYAML(), overrides: ["limits.max_concurrency=lots"])
        }
        #expect(error?.keyPath == "limits.max_concurrency")
        #expect(error?.message.contains("'lots'") == true)
    }

    @Test func overrideIntoAListItem() throws {
        var doc = PipelineYAML()
        doc.schema = PipelineYAML.columns("{ name: id, type: integer }", "{ name: note, type: string }")
        let definition = try parse(doc, overrides: ["schema.columns.1.max_length=40", "schema.columns.0.required=true"])
        #expect(definition.schema.columns[1].maxLength == 40)
        #expect(definition.schema.columns[0].required)

        let error = #expect(throws: DefinitionError.self) {
            try parse(doc, overrides: ["schema.columns.5.required=true"])
        }
        #expect(error?.keyPath == "schema.columns.5")
    }

    @Test(arguments: ["limits.max_concurrency", "=5", "..=5"])
    func malformedOverrideIsRejected(text: String) throws {
        #expect(throws: DefinitionError.self) { try parse(PipelineYAML(), overrides: [text]) }
    }

    @Test func overrideCannotDescendIntoAScalar() throws {
        let error = #expect(throws: DefinitionError.self) {
            try parse(PipelineYAML(), overrides: ["pipeline.name=x"])
        }
        #expect(error?.keyPath == "pipeline")
    }

    @Test func overrideOfTheDatabaseResolvesRelativeToBase() throws {
        let definition = try parse(PipelineYAML(), overrides: ["load.database=other.sqlite"])
        #expect(definition.load.database.path == "/srv/sluice/pipelines/other.sqlite")
    }

    // MARK: - Paths

    @Test func relativePathsResolveAgainstTheBaseDirectory() throws {
        var doc = PipelineYAML()
        doc.source = """
            source:
              root: ../data/suppliers
              suppliers:
                - { name: acme, path: inbox/acme, concurrency: 2 }
                - { name: globex, path: /abs/globex }
            """
        doc.settle = "settle:\n  after_load: archive\n  archive_to: ./archive/../done"
        let definition = try parse(doc)
        #expect(definition.source.root?.path == "/srv/sluice/data/suppliers")
        #expect(definition.source.suppliers.map(\.name) == ["acme", "globex"])
        #expect(definition.source.suppliers.map { $0.path?.path } == ["/srv/sluice/pipelines/inbox/acme", "/abs/globex"])
        #expect(definition.source.suppliers.map(\.concurrency) == [2, nil])
        #expect(definition.load.database.path == "/srv/sluice/data/staging.sqlite")
        #expect(definition.settle.afterLoad == .archive)
        #expect(definition.settle.archiveDirectory?.path == "/srv/sluice/pipelines/done")
    }

    @Test func absolutePathIgnoresTheBaseDirectory() throws {
        var doc = PipelineYAML()
        doc.load = "load:\n  database: /var/lib/sluice/db.sqlite"
        #expect(try parse(doc).load.database.path == "/var/lib/sluice/db.sqlite")
    }

    @Test func tildeExpandsToHome() throws {
        var doc = PipelineYAML()
        doc.load = "load:\n  database: ~/db.sqlite"
        let path = try parse(doc).load.database.path
        #expect(!path.contains("~"))
        #expect(path.hasPrefix("/"))
        #expect(path.hasSuffix("/db.sqlite"))
        #expect(!path.hasPrefix("/srv/sluice"))
    }

    @Test func loadFromFileResolvesAgainstTheFilesFolder() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let pipelines = dir.url.appendingPathComponent("pipelines", isDirectory: true)
        try FileManager.default.createDirectory(at: pipelines, withIntermediateDirectories: true)
        let file = pipelines.appendingPathComponent("nightly.yaml")
        try PipelineYAML().text.write(to: file, atomically: true, encoding: .utf8)

        let definition = try DefinitionLoader.load(from: file, overrides: ["pipeline=renamed"])
        #expect(definition.name == "renamed")
        #expect(definition.fileURL == file)
        let expected = dir.url.appendingPathComponent("data/staging.sqlite").standardizedFileURL.path
        #expect(definition.load.database.standardizedFileURL.path == expected)
    }

    @Test func loadingAMissingFileIsADefinitionError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let error = #expect(throws: DefinitionError.self) {
            try DefinitionLoader.load(from: dir.url.appendingPathComponent("absent.yaml"))
        }
        #expect(error?.message.contains("cannot read pipeline file") == true)
    }

    // MARK: - Defaults

    @Test func defaultsApplyWhenSectionsAreOmitted() throws {
        let definition = try parse(PipelineYAML())
        #expect(definition.name == "nightly")
        #expect(definition.fileURL == nil)
        #expect(definition.limits.maxConcurrency == 8)
        #expect(definition.limits.perSupplierConcurrency == 3)
        #expect(definition.limits.groupSize == 1)
        #expect(definition.limits.stagger == .zero)
        #expect(definition.source.patterns == ["*.csv", "*.csv.gz"])
        #expect(definition.source.delimiter == UInt8(ascii: ","))
        #expect(definition.source.batchRows == 8192)
        #expect(definition.source.suppliers.isEmpty)
        #expect(definition.schema.onInvalid == .quarantine)
        #expect(definition.schema.maxInvalidRatio == 1.0)
        #expect(definition.transform.isEmpty)
        #expect(definition.load.table == "staging")
        #expect(definition.settle.afterLoad == .keep)
        #expect(definition.settle.archiveDirectory == nil)
        let column = definition.schema.columns[0]
        #expect(column.minimum == nil && column.maximum == nil && column.pattern == nil && column.allowed == nil)
    }

    @Test func explicitValuesReplaceDefaults() throws {
        var doc = PipelineYAML()
        doc.source = "source:\n  root: x\n  patterns: '*.txt'\n  batch_rows: 100"
        doc.limits = "limits:\n  max_concurrency: 2\n  per_supplier_concurrency: 1\n  group_size: 4\n  stagger: 1.5s"
        doc.schema = "schema:\n  on_invalid: drop\n  max_invalid_ratio: 0.05\n  columns:\n    - { name: id, type: integer }"
        doc.load = "load:\n  database: db.sqlite\n  table: staging_orders"
        doc.settle = "settle:\n  after_load: delete"
        let definition = try parse(doc)
        #expect(definition.source.patterns == ["*.txt"])
        #expect(definition.source.batchRows == 100)
        #expect(definition.limits.maxConcurrency == 2)
        #expect(definition.limits.perSupplierConcurrency == 1)
        #expect(definition.limits.groupSize == 4)
        #expect(definition.limits.stagger == .milliseconds(1500))
        #expect(definition.schema.onInvalid == .drop)
        #expect(definition.schema.maxInvalidRatio == 0.05)
        #expect(definition.load.table == "staging_orders")
        #expect(definition.settle.afterLoad == .delete)
    }

    @Test func referencePipelineFileParses() throws {
        // The committed reference pipeline, read as text so nothing outside the test writes.
        let here = URL(fileURLWithPath: #filePath)
        let file = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Pipelines/supplier-nightly.yaml")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record("reference pipeline not found at \(file.path)")
            return
        }
        let definition = try DefinitionLoader.parse(yaml: text, baseDirectory: baseDirectory)
        #expect(definition.name == "supplier-nightly")
        #expect(definition.schema.columns.count == 11)
        #expect(definition.schema.columns.first { $0.name == "unit_price" }?.type == .decimal(precision: 12, scale: 2))
        #expect(definition.limits.stagger == .milliseconds(200))
        #expect(definition.limits.groupSize == 4)
        #expect(definition.schema.maxInvalidRatio == 0.05)
        #expect(definition.transform.count == 4)
        #expect(definition.load.table == "staging_orders")
    }

    // MARK: - Durations and suggestions

    @Test(arguments: [
        ("200ms", Duration.milliseconds(200)), ("1.5s", .milliseconds(1500)), ("2m", .seconds(120)),
        ("1h", .seconds(3600)), ("3", .seconds(3)), ("0", .zero), ("0.25", .milliseconds(250)), ("10 ms", .milliseconds(10)),
    ])
    func durationSpellings(text: String, expected: Duration) throws {
        var doc = PipelineYAML()
        doc.limits = "limits:\n  stagger: \(text)"
        #expect(try parse(doc).limits.stagger == expected)
        #expect(parseDuration(text) == expected)
    }

    @Test(arguments: ["", "abc", "-1", "1x", "s", "1.2.3s", "nan"])
    func unparsableDurations(text: String) {
        #expect(parseDuration(text) == nil)
    }

    /// A huge or infinite stagger must be rejected as a `DefinitionError`, not crash the process.
    /// `parseDuration` converts with `Int64(Double)`, which traps on infinity and out-of-range values.
    /// ("soon" is the control case: an ordinary bad duration, which already passes.)
    @Test(arguments: ["inf", "1e300s", "1e16", "soon"])
    func hugeOrInfiniteStaggerIsAnErrorNotACrash(value: String) async {
        await #expect(processExitsWith: .success) { [value] in
            let yaml = """
                pipeline: p
                source: { root: x }
                limits: { stagger: \(value) }
                schema: { columns: [{ name: id, type: integer }] }
                load: { database: db.sqlite }
                """
            do {
                _ = try DefinitionLoader.parse(yaml: yaml, baseDirectory: URL(fileURLWithPath: "/tmp"))
                exit(3)  // accepted an unusable duration
            } catch is DefinitionError {
                return
            }
        }
    }

    @Test func editDistanceAndClosestMatch() {
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(editDistance("", "abc") == 3)
        #expect(editDistance("abc", "") == 3)
        #expect(editDistance("same", "same") == 0)
        #expect(closestMatch(to: "per_supplier_concurency", in: ["max_concurrency", "per_supplier_concurrency"])
                == "per_supplier_concurrency")
        #expect(closestMatch(to: "zzzz", in: ["max_concurrency", "group_size"]) == nil)
        #expect(closestMatch(to: "x", in: []) == nil)
    }
}
