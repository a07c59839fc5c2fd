import Foundation
import Logging
import SluiceApp
import SluiceCSV
import SluiceCore
import SluiceSQLite
import Testing

/// Blank lines end to end: counted in the summary, `sluice_files` and `status`, `_row` keeps each
/// row's place in the file, and `blank_lines: record` loads or quarantines them as records.
@Suite struct BlankLineLoadTests {
    let dir: TemporaryDirectory

    init() throws { dir = try TemporaryDirectory() }

    var database: String { dir.path("db.sqlite") }

    func definition(columns: [String] = ["{ name: id, type: integer }"], overrides: [String] = []) throws
        -> (PipelineDefinition, OutputPlan) {
        let yaml = """
            pipeline: blank-lines
            source: { root: \(dir.path("suppliers")), batch_rows: 1 }
            retry: { max_attempts: 1 }
            schema:
              columns:
            \(columns.map { "    - \($0)" }.joined(separator: "\n"))
            load: { database: \(database), table: staged }
            """
        let definition = try DefinitionLoader.parse(yaml: yaml, baseDirectory: dir.url, overrides: overrides)
        return (definition, try OutputPlan.compile(schema: definition.schema, steps: definition.transform))
    }

    func rows(_ columns: String = "id, _row") throws -> [[String?]] {
        try query(database, "SELECT \(columns) FROM staged ORDER BY _row")
    }

    @Test func skippedBlankLinesAreCountedEverywhere() async throws {
        try writeSupplierFile(dir, "a.csv", "id\n1\n\n2\n\n")
        let (definition, plan) = try definition()
        let summary = try await runPipeline(definition: definition, plan: plan)
        #expect(summary.total.rows.read == 2)
        #expect(summary.total.rows.blankLinesSkipped == 2)
        #expect(summary.total.reconciles)
        #expect(summary.table().contains("blank lines"))
        #expect(try rows() == [["1", "1"], ["2", "3"]], "_row is the row's place: its line less the header")
        #expect(try query(database, "SELECT rows_read, blank_lines FROM sluice_files") == [["2", "2"]])
        let status = try readStatus(definition)
        #expect(status.map(\.rows.blankLinesSkipped) == [2])
        #expect(describeStatus(status).contains("blank lines"))
    }

    @Test func recordedBlankLinesLoadInAOneColumnSchema() async throws {
        try writeSupplierFile(dir, "a.csv", "id\n1\n\n2\n")
        let (definition, plan) = try definition(overrides: ["source.blank_lines=record"])
        let summary = try await runPipeline(definition: definition, plan: plan)
        #expect(summary.total.rows.read == 3)
        #expect(summary.total.rows.loaded == 3)
        #expect(summary.total.rows.blankLinesSkipped == 0)
        #expect(try rows() == [["1", "1"], [nil, "2"], ["2", "3"]])
    }

    @Test func recordedBlankLinesInAWiderSchemaAreQuarantinedAsShortRows() async throws {
        try writeSupplierFile(dir, "a.csv", "id,name\n1,a\n\n2,b\n")
        let (definition, plan) = try definition(columns: ["{ name: id, type: integer }", "{ name: name, type: string }"],
                                                overrides: ["source.blank_lines=record"])
        let summary = try await runPipeline(definition: definition, plan: plan)
        #expect(summary.total.rows.loaded == 2)
        #expect(summary.total.rows.quarantined == 1)
        let quarantined = try readQuarantine(definition, limit: nil)
        #expect(quarantined.map(\.reason) == ["expected 2 fields, found 1"])
        #expect(quarantined.map(\.line) == [3])
        #expect(quarantined.map(\.rowNumber) == [2])
        #expect(quarantined.map(\.byteOffset) == [12])
        #expect(try rows() == [["1", "1"], ["2", "3"]])
    }

    /// A file that failed part way resumes with its blank lines counted once and `_row` unchanged.
    @Test func aResumedFileKeepsItsCountAndRowNumbers() async throws {
        let text = "id\n1\n\n2\n\n\n3\n\n"
        try writeSupplierFile(dir, "a.csv", text)
        let (definition, plan) = try definition()
        let (first, _) = try await runBatch(definition, plan, readers: FailingReaders(failAfterRows: 2))
        #expect(try query(database, "SELECT state, rows_read, blank_lines FROM sluice_files") == [["failed", "2", "1"]])
        let (second, _) = try await runBatch(definition, plan)
        #expect(first.total.rows.blankLinesSkipped + second.total.rows.blankLinesSkipped == 4)
        #expect(first.total.rows.read + second.total.rows.read == 3)
        #expect(try rows() == [["1", "1"], ["2", "3"], ["3", "6"]])
        #expect(try query(database, "SELECT state, rows_read, blank_lines FROM sluice_files") == [["done", "3", "4"]])
    }

    @Test func anUnknownModeIsADefinitionError() throws {
        #expect(throws: DefinitionError.self) { try definition(overrides: ["source.blank_lines=ignore"]) }
    }
}
