import Foundation
import Testing
@testable import SluiceCore

@Suite struct OutputPlanTests {
    private let base = schema(
        col("order_id", .integer, required: true), col("sku", .string), col("unit_price", .decimal(precision: 12, scale: 2)),
        col("in_stock", .boolean), col("order_date", .date), col("updated_at", .timestamp))

    // MARK: - Columns

    @Test func withoutStepsTheSchemaIsTheOutput() throws {
        let plan = try OutputPlan.compile(schema: base, steps: [])
        #expect(plan.columns == [
            OutputColumn(name: "order_id", type: .integer), OutputColumn(name: "sku", type: .text),
            OutputColumn(name: "unit_price", type: .decimal(precision: 12, scale: 2)), OutputColumn(name: "in_stock", type: .boolean),
            OutputColumn(name: "order_date", type: .date), OutputColumn(name: "updated_at", type: .timestamp),
        ])
        #expect(plan.filters.isEmpty)
        #expect(plan.plannedColumns.map(\.source) == (0..<6).map { OutputPlan.Source.input($0) })
    }

    @Test(arguments: [
        (ColumnType.string, LogicalType.text), (.integer, .integer), (.decimal(precision: 4, scale: 1), .decimal(precision: 4, scale: 1)),
        (.boolean, .boolean), (.date, .date), (.timestamp, .timestamp),
    ])
    func logicalTypeOfEachType(type: ColumnType, logical: LogicalType) {
        #expect(LogicalType(type) == logical)
    }

    @Test func renameIsSequential() throws {
        let plan = try OutputPlan.compile(schema: base, steps: [
            .rename([(from: "unit_price", to: "price")]),
            .rename([(from: "price", to: "amount"), (from: "sku", to: "product")]),
        ])
        #expect(plan.columns.map(\.name) == ["order_id", "product", "amount", "in_stock", "order_date", "updated_at"])
        #expect(plan.columns[2].type == .decimal(precision: 12, scale: 2))
    }

    @Test func setAppendsATextColumn() throws {
        let plan = try OutputPlan.compile(schema: base, steps: [.set(column: "feed", template: "${pipeline}")])
        #expect(plan.columns.last == OutputColumn(name: "feed", type: .text))
        #expect(plan.plannedColumns.last?.source == .template("${pipeline}"))
        #expect(plan.columns.count == 7)
    }

    @Test func setOverAnExistingColumnReplacesIt() throws {
        let plan = try OutputPlan.compile(schema: base, steps: [.set(column: "order_id", template: "x")])
        #expect(plan.columns.count == 6)
        #expect(plan.columns[0] == OutputColumn(name: "order_id", type: .text))
        #expect(plan.plannedColumns[0].source == .template("x"))
    }

    @Test func caseAndTrimFlagsLandOnTheNamedColumns() throws {
        let plan = try OutputPlan.compile(schema: base, steps: [.trim(["all"]), .upper(["sku"]), .lower(["order_date"])])
        #expect(plan.plannedColumns.map(\.trim) == [false, true, false, false, true, true], "all = every text column")
        #expect(plan.plannedColumns[1].caseChange == .upper)
        #expect(plan.plannedColumns[4].caseChange == .lower)
        #expect(plan.plannedColumns[5].caseChange == .none)
    }

    @Test func filterPointsAtTheRenamedColumn() throws {
        let plan = try OutputPlan.compile(schema: base, steps: [
            .rename([(from: "sku", to: "product")]),
            .filter(column: "product", values: ["A", "B"], negate: true),
        ])
        #expect(plan.filters.count == 1)
        #expect(plan.filters.first?.column.output.name == "product")
        #expect(plan.filters.first?.column.source == .input(1))
        #expect(plan.filters.first?.values == [Array("A".utf8), Array("B".utf8)])
        #expect(plan.filters.first?.negate == true)
    }

    // MARK: - Errors

    @Test(arguments: [
        TransformStep.rename([(from: "skew", to: "x")]), .trim(["skew"]), .upper(["skew"]), .lower(["skew"]),
        .filter(column: "skew", values: ["a"], negate: false),
    ])
    func unknownColumnNamesTheStep(step: TransformStep) throws {
        let steps: [TransformStep] = [.trim(["sku"]), .set(column: "feed", template: "f"), step]
        let error = #expect(throws: DefinitionError.self) { try OutputPlan.compile(schema: base, steps: steps) }
        #expect(error?.keyPath == "transform.2")
        #expect(error?.message.contains("no column named 'skew'") == true)
        #expect(error?.message.contains("did you mean sku") == true)
    }

    @Test func unknownColumnFarFromAnyNameHasNoHint() throws {
        let error = #expect(throws: DefinitionError.self) {
            try OutputPlan.compile(schema: base, steps: [.upper(["completely_different"])])
        }
        #expect(error?.keyPath == "transform.0")
        #expect(error?.message.contains("did you mean") == false)
    }

    @Test func oldNameIsGoneAfterRename() throws {
        let error = #expect(throws: DefinitionError.self) {
            try OutputPlan.compile(schema: base, steps: [.rename([(from: "sku", to: "product")]), .trim(["sku"])])
        }
        #expect(error?.keyPath == "transform.1")
        #expect(error?.message.contains("no column named 'sku'") == true)
    }

    @Test func columnMadeBySetCanBeUsedLaterButNotEarlier() throws {
        _ = try OutputPlan.compile(schema: base, steps: [.set(column: "feed", template: "f"), .upper(["feed"])])
        let error = #expect(throws: DefinitionError.self) {
            try OutputPlan.compile(schema: base, steps: [.upper(["feed"]), .set(column: "feed", template: "f")])
        }
        #expect(error?.keyPath == "transform.0")
    }

    @Test(arguments: ["order_id", "unit_price"])
    func renameCollisionIsRejected(target: String) throws {
        let error = #expect(throws: DefinitionError.self) {
            try OutputPlan.compile(schema: base, steps: [.trim(["sku"]), .rename([(from: "sku", to: target)])])
        }
        #expect(error?.keyPath == "transform.1")
        #expect(error?.message.contains("rename to '\(target)': that column already exists") == true)
    }

    @Test func renameOntoAColumnMadeBySetCollides() throws {
        let error = #expect(throws: DefinitionError.self) {
            try OutputPlan.compile(schema: base, steps: [.set(column: "feed", template: "x"), .rename([(from: "sku", to: "feed")])])
        }
        #expect(error?.keyPath == "transform.1")
    }

    @Test(arguments: ["${supplier_name}", "${File}", "prefix-${nope}-suffix", "${supplier}${}", "${ pipeline }"])
    func unknownTemplateVariable(template: String) throws {
        let error = #expect(throws: DefinitionError.self) {
            try OutputPlan.compile(schema: base, steps: [.set(column: "feed", template: template)])
        }
        #expect(error?.keyPath == "transform.0")
        #expect(error?.message.contains("unknown variable") == true)
        #expect(error?.message.contains("${supplier}, ${file}, ${pipeline}") == true)
    }

    @Test(arguments: ["${supplier", "a-${file}-${pipe"])
    func unclosedTemplateVariable(template: String) throws {
        let error = #expect(throws: DefinitionError.self) {
            try OutputPlan.compile(schema: base, steps: [.set(column: "feed", template: template)])
        }
        #expect(error?.keyPath == "transform.0")
        #expect(error?.message.contains("unclosed ${") == true)
    }

    @Test(arguments: ["${supplier}", "${file}", "${pipeline}", "${pipeline}-${supplier}/${file}", "plain", "", "$supplier", "{file}", "$", "}{"])
    func validTemplates(template: String) throws {
        let plan = try OutputPlan.compile(schema: base, steps: [.set(column: "feed", template: template)])
        #expect(plan.columns.last?.name == "feed")
    }

    @Test(arguments: ["_supplier", "_file", "_row"])
    func lineageNamesAreReservedForSet(name: String) throws {
        let error = #expect(throws: DefinitionError.self) {
            try OutputPlan.compile(schema: base, steps: [.set(column: name, template: "x")])
        }
        #expect(error?.keyPath == "transform")
        #expect(error?.message.contains("'\(name)' is a lineage column") == true)
    }

    @Test(arguments: ["_supplier", "_file", "_row"])
    func lineageNamesAreReservedForRename(name: String) throws {
        let error = #expect(throws: DefinitionError.self) {
            try OutputPlan.compile(schema: base, steps: [.rename([(from: "sku", to: name)])])
        }
        #expect(error?.message.contains("'\(name)' is a lineage column") == true)
    }

    @Test func lineageNameInTheSchemaIsRejected() throws {
        let error = #expect(throws: DefinitionError.self) {
            try OutputPlan.compile(schema: schema(col("id", .integer), col("_row", .integer)), steps: [])
        }
        #expect(error?.message.contains("'_row' is a lineage column") == true)
    }

    @Test func lineageNameInTheSchemaMayBeRenamedAway() throws {
        let plan = try OutputPlan.compile(schema: schema(col("_file", .string)), steps: [.rename([(from: "_file", to: "source_file")])])
        #expect(plan.columns.map(\.name) == ["source_file"])
    }

    @Test func similarButUnreservedNamesAreFine() throws {
        let plan = try OutputPlan.compile(schema: base, steps: [.set(column: "supplier", template: "${supplier}"),
                                                               .set(column: "_rows", template: "x")])
        #expect(plan.columns.suffix(2).map(\.name) == ["supplier", "_rows"])
    }

    // MARK: - Template expansion

    @Test func expandFillsEveryVariable() {
        let values = ["supplier": "acme", "file": "in/orders.csv", "pipeline": "nightly"]
        #expect(OutputPlan.expand("${pipeline}:${supplier}/${file}", values: values) == "nightly:acme/in/orders.csv")
        #expect(OutputPlan.expand("${supplier}-${supplier}", values: values) == "acme-acme")
        #expect(OutputPlan.expand("no variables", values: values) == "no variables")
        #expect(OutputPlan.expand("", values: values) == "")
    }

    /// A value is inserted literally: a file named `x${pipeline}.csv` must not have its name expanded
    /// again. Expansion replaces one variable after another in dictionary order, so whether it is
    /// depends on the hash seed of each dictionary; many dictionaries are checked so the outcome is
    /// not left to the seed of one.
    @Test func expandedValuesAreNotExpandedAgain() {
        let dictionaries = (0..<64).map { n in
            var values = Dictionary<String, String>(minimumCapacity: 3 + n % 16)
            values["supplier"] = "acme"
            values["file"] = "x${pipeline}.csv"
            values["pipeline"] = "nightly"
            return values
        }
        let results = Set(dictionaries.map { OutputPlan.expand("${file}", values: $0) })
        #expect(results == ["x${pipeline}.csv"])
    }
}
