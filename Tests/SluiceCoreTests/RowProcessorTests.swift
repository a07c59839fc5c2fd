import Foundation
import Testing
@testable import SluiceCore

/// A cell read back out of a batch, text resolved through the arena.
enum CellValue: Equatable, CustomStringConvertible {
    case null, int(Int64), real(Double), text(String)

    var description: String {
        switch self {
        case .null: "null"
        case .int(let v): "\(v)"
        case .real(let v): "\(v)"
        case .text(let t): "'\(t)'"
        }
    }
}

/// The batch's rows, cells resolved; also checks every text slice lies inside the arena.
func rows(of batch: RowBatch) -> [[CellValue]] {
    precondition(batch.columnCount > 0)
    #expect(batch.cells.count == batch.rowCount * batch.columnCount, "cells and row numbers disagree")
    let values: [CellValue] = batch.cells.map { cell in
        switch cell {
        case .null: return .null
        case .integer(let v): return .int(v)
        case .real(let v): return .real(v)
        case .text(let start, let count):
            let range = Int(start)..<Int(start + count)
            guard range.lowerBound >= 0, range.upperBound <= batch.arena.count else {
                Issue.record("text slice \(range) outside arena of \(batch.arena.count) bytes")
                return .null
            }
            return .text(String(decoding: batch.arena[range], as: UTF8.self))
        }
    }
    return stride(from: 0, to: values.count, by: batch.columnCount).map {
        Array(values[$0..<min($0 + batch.columnCount, values.count)])
    }
}

func schema(_ columns: ColumnDefinition...) -> SchemaDefinition {
    SchemaDefinition(columns: columns, onInvalid: .quarantine, maxInvalidRatio: 1)
}

func col(_ name: String, _ type: ColumnType, required: Bool = false) -> ColumnDefinition {
    ColumnDefinition(name: name, type: type, required: required)
}

private let templateValues = ["supplier": "acme", "file": "2026/orders-0314.csv", "pipeline": "nightly"]

/// A processor and an empty batch for `schema` with `steps`, reading files with `header`.
private struct Harness {
    var processor: RowProcessor
    var batch: RowBatch
    let plan: OutputPlan
    var nextRow = 1

    init(_ schema: SchemaDefinition, header: [String], steps: [TransformStep] = []) throws {
        plan = try OutputPlan.compile(schema: schema, steps: steps)
        processor = try RowProcessor(schema: schema, plan: plan, header: header, templateValues: templateValues)
        batch = RowBatch(columnCount: plan.columns.count)
    }

    mutating func process(_ fields: [String]) -> RowOutcome {
        process(rawRow(fields))
    }

    mutating func process(_ row: RawRow) -> RowOutcome {
        defer { nextRow += 1 }
        return processor.process(row, rowNumber: nextRow, into: &batch)
    }

    var rows: [[CellValue]] { SluiceCoreTests.rows(of: batch) }
}

@Suite struct RowProcessorTests {
    private let orders = schema(
        col("id", .integer, required: true), col("name", .string), col("price", .decimal(precision: 6, scale: 2)),
        col("active", .boolean), col("day", .date))

    // MARK: - Header mapping

    @Test func headerMayListColumnsInAnyOrder() throws {
        var h = try Harness(orders, header: ["day", "price", "active", "name", "id"])
        #expect(h.process(["2024-02-29", "9.50", "yes", "Bob", "7"]) == .loaded)
        #expect(h.rows == [[.int(7), .text("Bob"), .real(9.5), .int(1), .text("2024-02-29")]])
        #expect(h.batch.rowNumbers == [1])
    }

    @Test func everyPermutationOfTheHeaderGivesTheSameRow() throws {
        let names = ["id", "name", "price"]
        let values = ["id": "12", "name": "Zoë", "price": "-3.25"]
        let small = schema(col("id", .integer, required: true), col("name", .string), col("price", .decimal(precision: 6, scale: 2)))
        for order in [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            let header = order.map { names[$0] }
            var h = try Harness(small, header: header)
            #expect(h.process(header.map { values[$0]! }) == .loaded)
            #expect(h.rows == [[.int(12), .text("Zoë"), .real(-3.25)]], "header \(header)")
        }
    }

    /// Lengths count characters: an ASCII row takes a shortcut, and a row with any other
    /// byte anywhere must not take it for any of its fields.
    @Test func lengthsCountCharactersInASCIIAndOtherRows() throws {
        var name = col("name", .string)
        name.maxLength = 4
        var code = col("code", .string)
        code.minLength = 3
        var h = try Harness(schema(name, code), header: ["name", "code"])
        #expect(h.process(["Zoë!", "abc"]) == .loaded, "4 characters in 5 bytes")
        #expect(h.process(["Ann", "ééé"]) == .loaded, "the other field is not ASCII")
        #expect(h.process(["Annie", "abc"]) == .invalid("column name: 'Annie' is longer than 4 characters"))
        #expect(h.process(["Zoë", "ab"]) == .invalid("column code: 'ab' is shorter than 3 characters"))
        #expect(h.process(["Zoëëë", "abc"]) == .invalid("column name: 'Zoëëë' is longer than 4 characters"))
    }

    @Test func extraHeaderColumnsAreIgnored() throws {
        var h = try Harness(schema(col("id", .integer), col("name", .string)), header: ["id", "comment", "name", "x"])
        #expect(h.process(["1", "ignored, even if not a number", "Ann", "z"]) == .loaded)
        #expect(h.rows == [[.int(1), .text("Ann")]])
    }

    @Test func absentOptionalColumnIsNull() throws {
        var h = try Harness(orders, header: ["id", "name"])
        #expect(h.process(["3", "Cy"]) == .loaded)
        #expect(h.rows == [[.int(3), .text("Cy"), .null, .null, .null]])
    }

    @Test func missingRequiredColumnIsAMalformedHeader() throws {
        let error = #expect(throws: ReadError.self) {
            try Harness(orders, header: ["name", "price"])
        }
        #expect(error?.kind == .malformedHeader)
        #expect(error?.message.contains("missing required column id") == true)
        #expect(error?.line == 1)
        #expect(error?.isTransient == false)
    }

    @Test func severalMissingRequiredColumnsAreAllNamed() throws {
        let s = schema(col("a", .string, required: true), col("b", .string), col("c", .string, required: true))
        let error = #expect(throws: ReadError.self) { try Harness(s, header: ["b"]) }
        #expect(error?.kind == .malformedHeader)
        #expect(error?.message.contains("missing required columns a, c") == true)
    }

    @Test func duplicateHeaderNameIsMalformed() throws {
        let error = #expect(throws: ReadError.self) { try Harness(orders, header: ["id", "name", "id"]) }
        #expect(error?.kind == .malformedHeader)
        #expect(error?.message.contains("'id' twice") == true)
    }

    @Test func duplicateUnknownHeaderNameIsAlsoMalformed() throws {
        let error = #expect(throws: ReadError.self) { try Harness(orders, header: ["id", "x", "x"]) }
        #expect(error?.kind == .malformedHeader)
    }

    @Test func emptyHeaderNameIsMalformed() throws {
        let error = #expect(throws: ReadError.self) { try Harness(orders, header: ["id", "", "name"]) }
        #expect(error?.kind == .malformedHeader)
        #expect(error?.message.contains("header field 2 is empty") == true)
    }

    @Test func headerMatchingIsCaseSensitive() throws {
        let error = #expect(throws: ReadError.self) { try Harness(orders, header: ["ID", "name"]) }
        #expect(error?.kind == .malformedHeader)
    }

    // MARK: - Field counts and invalid rows

    @Test(arguments: [["1"], ["1", "a", "b"], [String]()])
    func wrongFieldCountIsInvalid(fields: [String]) throws {
        var h = try Harness(schema(col("id", .integer), col("name", .string)), header: ["id", "name"])
        #expect(h.process(fields) == .invalid("expected 2 fields, found \(fields.count)"))
        #expect(h.batch.cells.isEmpty && h.batch.arena.isEmpty && h.batch.rowNumbers.isEmpty)
    }

    @Test func invalidRowLeavesTheBatchUntouched() throws {
        var h = try Harness(orders, header: ["id", "name", "price", "active", "day"])
        #expect(h.process(["1", "Ann", "1.50", "y", "2026-01-01"]) == .loaded)
        let before = (h.batch.arena, h.batch.cells, h.batch.rowNumbers)
        // The text column passes before the date fails: nothing of the row may stay behind.
        let outcome = h.process(["2", "A long name that passed", "2.00", "n", "2026-02-29"])
        #expect(outcome == .invalid("column day: '2026-02-29' is not a date (YYYY-MM-DD)"))
        #expect(h.batch.arena == before.0)
        #expect(h.batch.cells == before.1)
        #expect(h.batch.rowNumbers == before.2)
        #expect(h.process(["3", "Cy", "", "", ""]) == .loaded)
        #expect(h.rows == [[.int(1), .text("Ann"), .real(1.5), .int(1), .text("2026-01-01")],
                           [.int(3), .text("Cy"), .null, .null, .null]])
        #expect(h.batch.rowNumbers == [1, 3])
    }

    @Test func firstFailingColumnIsReported() throws {
        var h = try Harness(orders, header: ["id", "name", "price", "active", "day"])
        #expect(h.process(["x", "Ann", "bad", "maybe", "never"]) == .invalid("column id: 'x' is not an integer"))
        #expect(h.process(["", "Ann", "1", "y", "2026-01-01"]) == .invalid("column id: '' is required but empty"))
    }

    @Test func nulByteIsInvalidAndNamesTheField() throws {
        var h = try Harness(schema(col("a", .string), col("b", .string), col("c", .string)), header: ["a", "b", "c"])
        let row = rawRow([Array("ok".utf8), [0x61, 0x00, 0x62], Array("z".utf8)])
        #expect(h.process(row) == .invalid("field 2 contains a NUL byte (NUL is rejected so every sink stores the same text)"))
        #expect(h.batch.arena.isEmpty && h.batch.cells.isEmpty)
    }

    @Test func invalidUTF8IsInvalidAndNamesTheByte() throws {
        var h = try Harness(schema(col("a", .string), col("b", .string)), header: ["a", "b"])
        #expect(h.process(rawRow([[0x41, 0xFF], Array("z".utf8)])) == .invalid("field 1 contains invalid UTF-8 (byte 0xFF at byte 1 of the file; declare encoding: latin1 if the supplier sends Latin-1)"))
        #expect(h.process(rawRow([Array("ok".utf8), [0xC3, 0x28]])) == .invalid("field 2 contains invalid UTF-8 (byte 0xC3 at byte 3 of the file; declare encoding: latin1 if the supplier sends Latin-1)"))
        #expect(h.process(rawRow([Array("".utf8), [0xED, 0xA0, 0x80]])) == .invalid("field 2 contains invalid UTF-8 (byte 0xED at byte 1 of the file; declare encoding: latin1 if the supplier sends Latin-1)"))
        #expect(h.batch.rowCount == 0)
    }

    @Test func invalidUTF8InAnIgnoredColumnStillRejectsTheRow() throws {
        var h = try Harness(schema(col("a", .string)), header: ["a", "extra"])
        #expect(h.process(rawRow([Array("x".utf8), [0xFE]])) == .invalid("field 2 contains invalid UTF-8 (byte 0xFE at byte 2 of the file; declare encoding: latin1 if the supplier sends Latin-1)"))
    }

    /// Each field must be valid UTF-8 on its own. A two-byte sequence split across a field
    /// boundary (`C3` ending field 1, `A9` starting field 2) is valid only when the fields are
    /// concatenated, which is how the row's bytes are checked.
    @Test func multiByteSequenceSplitAcrossFieldsIsInvalid() throws {
        var h = try Harness(schema(col("a", .string), col("b", .string)), header: ["a", "b"])
        let outcome = h.process(rawRow([[0x61, 0xC3], [0xA9, 0x62]]))
        #expect(outcome == .invalid("field 1 contains invalid UTF-8 (byte 0xC3 at byte 1 of the file; declare encoding: latin1 if the supplier sends Latin-1)"))
        #expect(h.batch.rowCount == 0, "bytes that are not UTF-8 must not reach the staging table as text")
    }

    @Test func rowsAccumulateWithTheirRowNumbers() throws {
        var h = try Harness(schema(col("id", .integer), col("name", .string)), header: ["id", "name"])
        var expected: [[CellValue]] = []
        for i in 1...50 {
            let name = String(repeating: "é", count: i % 7)
            #expect(h.process(["\(i)", name]) == .loaded)
            expected.append([.int(Int64(i)), name.isEmpty ? .null : .text(name)])
        }
        #expect(h.rows == expected)
        #expect(h.batch.rowNumbers == (1...50).map(Int64.init))
        #expect(h.batch.arena.count == expected.reduce(0) { if case .text(let t) = $1[1] { $0 + t.utf8.count } else { $0 } })
    }

    // MARK: - Transforms

    @Test func renameKeepsTheValues() throws {
        var h = try Harness(orders, header: ["id", "name"], steps: [.rename([(from: "name", to: "customer"), (from: "id", to: "order_id")])])
        #expect(h.plan.columns.map(\.name) == ["order_id", "customer", "price", "active", "day"])
        #expect(h.process(["5", "Dee"]) == .loaded)
        #expect(h.rows == [[.int(5), .text("Dee"), .null, .null, .null]])
    }

    @Test(arguments: [
        ("  Bob  ", "Bob"), ("\tBob\r\n", "Bob"), ("Bob", "Bob"), ("B o b", "B o b"), ("   ", ""), (" é ", "é"),
    ])
    func trimStripsWhiteSpaceAtBothEnds(value: String, expected: String) throws {
        var h = try Harness(schema(col("name", .string), col("note", .string)), header: ["name", "note"], steps: [.trim(["name"])])
        #expect(h.process([value, value]) == .loaded)
        #expect(h.rows == [[.text(expected), .text(value)]], "only the named column is trimmed")
    }

    @Test func trimAllTouchesEveryTextColumn() throws {
        let s = schema(col("a", .string), col("n", .integer), col("d", .date), col("b", .string))
        var h = try Harness(s, header: ["a", "n", "d", "b"], steps: [.trim(["all"])])
        #expect(h.process([" x ", "4", "2026-01-02", "\ty\t"]) == .loaded)
        #expect(h.rows == [[.text("x"), .int(4), .text("2026-01-02"), .text("y")]])
    }

    @Test(arguments: [
        ("tools", "TOOLS", "tools"), ("MiXeD 42", "MIXED 42", "mixed 42"), ("straße", "STRASSE", "straße"),
        ("éclair", "ÉCLAIR", "éclair"), ("ÅNGSTRÖM", "ÅNGSTRÖM", "ångström"), ("日本 abc", "日本 ABC", "日本 abc"),
        ("", "", ""),
    ])
    func upperAndLower(value: String, upper: String, lower: String) throws {
        let s = schema(col("u", .string), col("l", .string), col("k", .string))
        var h = try Harness(s, header: ["u", "l", "k"], steps: [.upper(["u"]), .lower(["l"])])
        #expect(h.process([value, value, value]) == .loaded)
        let text: (String) -> CellValue = { $0.isEmpty ? .null : .text($0) }
        #expect(h.rows == [[text(upper), text(lower), text(value)]])
    }

    @Test func trimThenUpper() throws {
        var h = try Harness(schema(col("c", .string)), header: ["c"], steps: [.trim(["c"]), .upper(["c"])])
        #expect(h.process(["  garden \t"]) == .loaded)
        #expect(h.rows == [[.text("GARDEN")]])
    }

    @Test func laterCaseStepWins() throws {
        var h = try Harness(schema(col("c", .string)), header: ["c"], steps: [.upper(["c"]), .lower(["c"])])
        #expect(h.process(["MiXed"]) == .loaded)
        #expect(h.rows == [[.text("mixed")]])
    }

    @Test func setExpandsTemplatesForEveryRow() throws {
        let steps: [TransformStep] = [
            .set(column: "origin", template: "${pipeline}:${supplier}/${file}"),
            .set(column: "constant", template: "v1"),
        ]
        var h = try Harness(schema(col("id", .integer)), header: ["id"], steps: steps)
        #expect(h.plan.columns.map(\.name) == ["id", "origin", "constant"])
        #expect(h.plan.columns.map(\.type) == [.integer, .text, .text])
        #expect(h.process(["1"]) == .loaded)
        #expect(h.process(["2"]) == .loaded)
        let origin = CellValue.text("nightly:acme/2026/orders-0314.csv")
        #expect(h.rows == [[.int(1), origin, .text("v1")], [.int(2), origin, .text("v1")]])
    }

    @Test func setReplacesAnExistingColumnInPlace() throws {
        var h = try Harness(schema(col("id", .integer), col("src", .string)), header: ["id", "src"],
                            steps: [.set(column: "src", template: "${supplier}")])
        #expect(h.plan.columns.map(\.name) == ["id", "src"])
        #expect(h.process(["1", "from the file"]) == .loaded)
        #expect(h.rows == [[.int(1), .text("acme")]])
    }

    @Test func filterInKeepsListedValues() throws {
        var h = try Harness(schema(col("id", .integer), col("cat", .string)), header: ["id", "cat"],
                            steps: [.filter(column: "cat", values: ["tools", "toys"], negate: false)])
        #expect(h.process(["1", "tools"]) == .loaded)
        #expect(h.process(["2", "garden"]) == .filtered)
        #expect(h.process(["3", "toys"]) == .loaded)
        #expect(h.process(["4", "Tools"]) == .filtered)
        #expect(h.process(["5", ""]) == .filtered)
        #expect(h.rows == [[.int(1), .text("tools")], [.int(3), .text("toys")]])
        #expect(h.batch.rowNumbers == [1, 3])
        #expect(h.batch.arena == Array("toolstoys".utf8), "filtered rows leave no bytes in the arena")
    }

    @Test func filterNotInDropsListedValues() throws {
        var h = try Harness(schema(col("id", .integer), col("cat", .string)), header: ["id", "cat"],
                            steps: [.filter(column: "cat", values: ["tools"], negate: true)])
        #expect(h.process(["1", "tools"]) == .filtered)
        #expect(h.process(["2", "garden"]) == .loaded)
        #expect(h.process(["3", ""]) == .loaded)
        #expect(h.rows == [[.int(2), .text("garden")], [.int(3), .null]])
    }

    @Test func filterMatchesEmptyAsNull() throws {
        var h = try Harness(schema(col("id", .integer), col("cat", .string)), header: ["id", "cat"],
                            steps: [.filter(column: "cat", values: [""], negate: true)])
        #expect(h.process(["1", ""]) == .filtered)
        #expect(h.process(["2", "x"]) == .loaded)
    }

    @Test func filterOnNumbersComparesValues() throws {
        let s = schema(col("n", .integer), col("p", .decimal(precision: 6, scale: 2)), col("b", .boolean))
        var ints = try Harness(s, header: ["n", "p", "b"], steps: [.filter(column: "n", values: ["1", "-2"], negate: false)])
        #expect(ints.process(["1", "", ""]) == .loaded)
        #expect(ints.process(["-2", "", ""]) == .loaded)
        #expect(ints.process(["3", "", ""]) == .filtered)
        #expect(ints.process(["01", "", ""]) == .loaded, "01 is the integer 1")

        var reals = try Harness(s, header: ["n", "p", "b"], steps: [.filter(column: "p", values: ["1.5"], negate: false)])
        #expect(reals.process(["", "1.50", ""]) == .loaded)
        #expect(reals.process(["", "1.5", ""]) == .loaded)
        #expect(reals.process(["", "1.51", ""]) == .filtered)

        var bools = try Harness(s, header: ["n", "p", "b"], steps: [.filter(column: "b", values: ["1"], negate: false)])
        #expect(bools.process(["", "", "yes"]) == .loaded)
        #expect(bools.process(["", "", "no"]) == .filtered)
    }

    @Test func allFiltersMustPass() throws {
        let steps: [TransformStep] = [
            .filter(column: "a", values: ["x", "y"], negate: false),
            .filter(column: "b", values: ["bad"], negate: true),
        ]
        var h = try Harness(schema(col("a", .string), col("b", .string)), header: ["a", "b"], steps: steps)
        #expect(h.process(["x", "ok"]) == .loaded)
        #expect(h.process(["x", "bad"]) == .filtered)
        #expect(h.process(["z", "ok"]) == .filtered)
        #expect(h.process(["y", "fine"]) == .loaded)
        #expect(h.rows == [[.text("x"), .text("ok")], [.text("y"), .text("fine")]])
    }

    @Test func filterAfterRenameUsesTheNewName() throws {
        var h = try Harness(schema(col("cat", .string)), header: ["cat"],
                            steps: [.rename([(from: "cat", to: "category")]), .filter(column: "category", values: ["toys"], negate: false)])
        #expect(h.process(["toys"]) == .loaded)
        #expect(h.process(["tools"]) == .filtered)
    }

    @Test func filterAfterLowerSeesTheLoweredValue() throws {
        var h = try Harness(schema(col("cat", .string)), header: ["cat"],
                            steps: [.lower(["cat"]), .filter(column: "cat", values: ["toys"], negate: false)])
        #expect(h.process(["TOYS"]) == .loaded)
        #expect(h.rows == [[.text("toys")]])
    }

    @Test func filterOnASetColumnSeesTheTemplate() throws {
        var h = try Harness(schema(col("id", .integer)), header: ["id"],
                            steps: [.set(column: "src", template: "${supplier}"), .filter(column: "src", values: ["acme"], negate: true)])
        #expect(h.process(["1"]) == .filtered)
    }

    @Test func filteredRowsThenLoadedRowsStayConsistent() throws {
        var rng = SplitMix64(seed: 42)
        var h = try Harness(schema(col("k", .string), col("v", .string)), header: ["k", "v"],
                            steps: [.trim(["v"]), .upper(["v"]), .filter(column: "k", values: ["keep"], negate: false)])
        var expected: [[CellValue]] = []
        var numbers: [Int64] = []
        for i in 1...300 {
            let keep = Bool.random(using: &rng)
            let value = " v\(i)é "
            let outcome = h.process([keep ? "keep" : "drop", value])
            #expect(outcome == (keep ? .loaded : .filtered))
            if keep {
                expected.append([.text("keep"), .text("V\(i)É")])
                numbers.append(Int64(i))
            }
        }
        #expect(h.rows == expected)
        #expect(h.batch.rowNumbers == numbers)
    }

    @Test func filterBeforeTrimSeesTheUntrimmedValue() throws {
        var before = try Harness(schema(col("cat", .string)), header: ["cat"],
                                 steps: [.filter(column: "cat", values: ["tools"], negate: false), .trim(["cat"])])
        #expect(before.process([" tools "]) == .filtered)
        #expect(before.process(["tools"]) == .loaded)

        var after = try Harness(schema(col("cat", .string)), header: ["cat"],
                                steps: [.trim(["cat"]), .filter(column: "cat", values: ["tools"], negate: false)])
        #expect(after.process([" tools "]) == .loaded)
        #expect(after.rows == [[.text("tools")]])
    }

    @Test func filterBeforeSetJudgesTheFileValue() throws {
        var h = try Harness(schema(col("id", .integer), col("src", .string)), header: ["id", "src"],
                            steps: [.filter(column: "src", values: ["keep"], negate: false), .set(column: "src", template: "${supplier}")])
        #expect(h.process(["1", "keep"]) == .loaded)
        #expect(h.process(["2", "acme"]) == .filtered)
        #expect(h.rows == [[.int(1), .text("acme")]])
    }

    @Test func trimAndCaseApplyToNonASCIIText() throws {
        var h = try Harness(schema(col("c", .string)), header: ["c"], steps: [.trim(["c"]), .upper(["c"])])
        #expect(h.process(["\t straße  "]) == .loaded)
        #expect(h.rows == [[.text("STRASSE")]])
    }

    @Test func trimAndCaseApplyToSetColumns() throws {
        var h = try Harness(schema(col("id", .integer)), header: ["id"],
                            steps: [.set(column: "src", template: "  ${supplier}-Feed "), .trim(["src"]), .lower(["src"])])
        #expect(h.process(["1"]) == .loaded)
        #expect(h.rows == [[.int(1), .text("acme-feed")]])
    }

    @Test func filterBetweenSetAndUpperSeesTheValueAtItsStep() throws {
        var h = try Harness(schema(col("id", .integer)), header: ["id"],
                            steps: [.set(column: "src", template: "${supplier}"),
                                    .filter(column: "src", values: ["acme"], negate: false), .upper(["src"])])
        #expect(h.process(["1"]) == .loaded)
        #expect(h.rows == [[.int(1), .text("ACME")]])
    }

    /// Steps apply in order (`TransformStep`): a filter declared before `upper` must see the
    /// value as it was at that step, not the final upper-cased value.
    @Test func filterBeforeUpperSeesTheOriginalValue() throws {
        var h = try Harness(schema(col("cat", .string)), header: ["cat"],
                            steps: [.filter(column: "cat", values: ["tools"], negate: false), .upper(["cat"])])
        #expect(h.process(["tools"]) == .loaded)
        #expect(h.rows == [[.text("TOOLS")]])
    }

    /// `upper` on a column made by `set` is accepted by the plan, so it must take effect.
    @Test func upperAfterSetChangesTheTemplateValue() throws {
        var h = try Harness(schema(col("id", .integer)), header: ["id"],
                            steps: [.set(column: "src", template: "${supplier}"), .upper(["src"])])
        #expect(h.process(["1"]) == .loaded)
        #expect(h.rows == [[.int(1), .text("ACME")]])
    }
}
