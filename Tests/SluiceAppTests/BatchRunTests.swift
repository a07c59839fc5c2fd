import Foundation
import SluiceApp
import SluiceCore
import SluiceSample
import Testing

@Suite struct BatchRunTests {
    @Test func loadsEveryValidRowAndQuarantinesEveryInvalidOne() async throws {
        let dir = try TemporaryDirectory()
        let manifest = try generateScenario(into: dir.url)
        let database = dir.path("staging.sqlite")
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: database)

        let summary = try await runPipeline(definition: definition, plan: plan)

        let total = summary.total
        #expect(total.files == manifest.files)
        #expect(total.rows.read == manifest.rows)
        #expect(total.rows.loaded == manifest.validRows)
        #expect(total.rows.quarantined == manifest.invalidRows)
        #expect(total.reconciles)
        #expect(summary.exitCode == 0)
        #expect(try scalar(database, "SELECT COUNT(*) FROM staging_orders") == manifest.validRows)
        #expect(try scalar(database, "SELECT COUNT(*) FROM sluice_quarantine WHERE kind = 'row'") == manifest.invalidRows)
        for supplier in summary.suppliers {
            #expect(supplier.rows.read == manifest.rowsPerSupplier[supplier.supplier])
            #expect(supplier.rows.quarantined == manifest.invalidRowsPerSupplier[supplier.supplier])
        }
    }

    @Test func everyRowLoadsOnceWithItsLineage() async throws {
        let dir = try TemporaryDirectory()
        _ = try generateScenario(into: dir.url, suppliers: 3, files: 4)
        let database = dir.path("staging.sqlite")
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: database)
        _ = try await runPipeline(definition: definition, plan: plan)

        let duplicates = try scalar(database, "SELECT COUNT(*) FROM (SELECT _file_id, _row FROM staging_orders GROUP BY 1, 2 HAVING COUNT(*) > 1)")
        #expect(duplicates == 0)
        let unlabelled = try scalar(database, "SELECT COUNT(*) FROM staging_orders WHERE _supplier IS NULL OR _file IS NULL OR _row < 1")
        #expect(unlabelled == 0)
        // order_id is unique across the generated data, so it identifies rows end to end.
        #expect(try scalar(database, "SELECT COUNT(DISTINCT order_id) = COUNT(*) FROM staging_orders") == 1)
    }

    /// Rows are inserted several to a statement: every row must land with its own values and
    /// lineage, in file order, across full statements and the rows left over after them.
    @Test(arguments: [1, 63, 64, 65, 150])
    func everyRowKeepsItsOwnValuesWhateverTheBatchSize(rows: Int) async throws {
        let dir = try TemporaryDirectory()
        var body = "order_id,sku,product_name,category,quantity,unit_price,currency,order_date\n"
        for row in 1...rows {
            body += "\(row * 7),SKU-\(String(format: "%06d", row)),item \(row),,\(row % 50),\(row).25,EUR,2026-01-02\n"
        }
        try writeSupplierFile(dir, "f.csv", body)
        let database = dir.path("db.sqlite")
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: database)
        _ = try await runPipeline(definition: definition, plan: plan)

        let loaded = try query(database, "SELECT order_id, sku, product_name, category, quantity, price, _supplier, _file, _row FROM staging_orders ORDER BY rowid")
        let expected: [[String?]] = (1...rows).map { row in
            ["\(row * 7)", "SKU-\(String(format: "%06d", row))", "item \(row)", nil, "\(row % 50)", "\(Double(row) + 0.25)", "acme", "f.csv", "\(row)"]
        }
        #expect(loaded == expected)
    }

    @Test func aSecondRunSkipsFinishedFilesAndLoadsNothing() async throws {
        let dir = try TemporaryDirectory()
        let manifest = try generateScenario(into: dir.url, suppliers: 2, files: 3)
        let database = dir.path("staging.sqlite")
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: database)
        _ = try await runPipeline(definition: definition, plan: plan)

        let second = try await runPipeline(definition: definition, plan: plan)

        #expect(second.total.files == 0)
        #expect(second.total.skipped == manifest.files)
        #expect(second.total.rows.loaded == 0)
        #expect(try scalar(database, "SELECT COUNT(*) FROM staging_orders") == manifest.validRows)
    }

    /// A large listing is registered a slice at a time: a copy in a later slice is still seen
    /// as a duplicate, and every other file of every slice loads once.
    @Test func registrationInSlicesSeesEarlierSlices() async throws {
        let dir = try TemporaryDirectory()
        let header = "order_id,sku,product_name,quantity,unit_price,currency,order_date\n"
        let row = { (id: Int) in "\(id),ABC-123456,Thing,3,1.50,EUR,2026-01-02\n" }
        for file in 1...5 { try writeSupplierFile(dir, "f\(file).csv", header + row(file)) }
        try writeSupplierFile(dir, "f6.csv", header + row(1))
        try writeSupplierFile(dir, "g.csv", header + row(7), supplier: "globex")
        let database = dir.path("db.sqlite")
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: database, ["source.on_duplicate=skip"])

        let (summary, _) = try await runBatch(definition, plan, registrationSlice: 2)

        #expect(summary.total.rows.loaded == 6)
        #expect(try query(database, "SELECT order_id FROM staging_orders ORDER BY order_id").map { $0[0] } == ["1", "2", "3", "4", "5", "7"])
        #expect(try query(database, "SELECT supplier || '/' || path FROM sluice_files WHERE state = 'duplicate'") == [["acme/f6.csv"]])
    }

    @Test func aNewFileIsPickedUpByTheNextRun() async throws {
        let dir = try TemporaryDirectory()
        let manifest = try generateScenario(into: dir.url, suppliers: 2, files: 2)
        let database = dir.path("staging.sqlite")
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: database)
        _ = try await runPipeline(definition: definition, plan: plan)
        let extra = "order_id,sku,product_name,quantity,unit_price,currency,order_date\n900001,ABC-123456,Thing,3,1.50,EUR,2026-01-02\n"
        try extra.write(toFile: dir.path("suppliers/supplier-01/late.csv"), atomically: true, encoding: .utf8)

        let second = try await runPipeline(definition: definition, plan: plan)

        #expect(second.total.files == 1)
        #expect(second.total.rows.loaded == 1)
        #expect(try scalar(database, "SELECT COUNT(*) FROM staging_orders") == manifest.validRows + 1)
    }

    @Test func temporaryFilesAreNeverPickedUp() async throws {
        let dir = try TemporaryDirectory()
        let body = "order_id,sku,product_name,quantity,unit_price,currency,order_date\n1,ABC-123456,Thing,3,1.50,EUR,2026-01-02\n"
        for name in ["good.csv", ".hidden.csv", "upload.csv.tmp", "part_COPYING_.csv", "x.csv.part"] {
            try writeSupplierFile(dir, name, body)
        }
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: dir.path("db.sqlite"))

        let summary = try await runPipeline(definition: definition, plan: plan)

        #expect(summary.total.files == 1)
        #expect(try query(dir.path("db.sqlite"), "SELECT DISTINCT _file FROM staging_orders") == [["good.csv"]])
    }

    @Test func aFileOverItsErrorBudgetIsQuarantinedWhole() async throws {
        let dir = try TemporaryDirectory()
        var body = "order_id,sku,product_name,quantity,unit_price,currency,order_date\n"
        for id in 1...10 { body += "\(id),ABC-123456,Thing,\(id == 3 ? "-1" : "3"),1.50,EUR,2026-01-02\n" }
        try writeSupplierFile(dir, "mostly-good.csv", body)
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: dir.path("db.sqlite"),
                                              ["schema.max_invalid_ratio=0.05"])

        let summary = try await runPipeline(definition: definition, plan: plan)

        #expect(summary.exitCode == 3)
        #expect(summary.total.filesQuarantined == 1)
        #expect(summary.total.rows.loaded == 0)
        #expect(summary.total.rows.quarantined == 10)
        #expect(summary.total.reconciles)
        #expect(try scalar(dir.path("db.sqlite"), "SELECT COUNT(*) FROM staging_orders") == 0)
        let reason = try query(dir.path("db.sqlite"), "SELECT reason FROM sluice_quarantine WHERE kind = 'file'")
        #expect(reason.count == 1)
        #expect(reason.first?.first??.contains("error budget exceeded: 1 of 10 rows invalid") == true)
        #expect(try query(dir.path("db.sqlite"), "SELECT state FROM sluice_files") == [["quarantined"]])
    }

    @Test func aFileSpanningSeveralBatchesRejectedLateLoadsNothing() async throws {
        let dir = try TemporaryDirectory()
        var body = "order_id,sku,product_name,quantity,unit_price,currency,order_date\n"
        for id in 1...100 { body += "\(id),ABC-123456,Thing,\(id > 90 ? "-1" : "3"),1.50,EUR,2026-01-02\n" }
        try writeSupplierFile(dir, "late-trouble.csv", body)
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: dir.path("db.sqlite"),
                                              ["schema.max_invalid_ratio=0.05", "source.batch_rows=7"])

        let summary = try await runPipeline(definition: definition, plan: plan)

        #expect(summary.total.filesQuarantined == 1)
        #expect(summary.total.rows.loaded == 0)
        #expect(try scalar(dir.path("db.sqlite"), "SELECT COUNT(*) FROM staging_orders") == 0)
        #expect(try query(dir.path("db.sqlite"), "SELECT rows_read, rows_loaded, rows_quarantined FROM sluice_files") == [["100", "0", "100"]])
    }

    @Test func aCorruptGzipFileIsQuarantinedAndTheRunGoesOn() async throws {
        let dir = try TemporaryDirectory()
        let manifest = try generateScenario(into: dir.url, suppliers: 2, files: 2, gzip: 0)
        let bad = dir.url.appendingPathComponent("suppliers/supplier-01/broken.csv.gz")
        try Data("this is not gzip at all\n".utf8).write(to: bad)
        let database = dir.path("staging.sqlite")
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: database)

        let summary = try await runPipeline(definition: definition, plan: plan)

        #expect(summary.exitCode == 3)
        #expect(summary.total.filesQuarantined == 1)
        #expect(summary.total.rows.loaded == manifest.validRows)
        let reasons = try query(database, "SELECT file, reason FROM sluice_quarantine WHERE kind = 'file'")
        #expect(reasons.count == 1)
        #expect(reasons.first?[0] == "broken.csv.gz")
        #expect((reasons.first?[1] ?? "")?.contains("corrupt gzip") == true)
    }

    @Test func aHeaderMissingARequiredColumnQuarantinesTheFile() async throws {
        let dir = try TemporaryDirectory()
        try writeSupplierFile(dir, "short.csv", "order_id,product_name\n1,Thing\n")
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: dir.path("db.sqlite"))

        let summary = try await runPipeline(definition: definition, plan: plan)

        #expect(summary.total.filesQuarantined == 1)
        let reason = try query(dir.path("db.sqlite"), "SELECT reason FROM sluice_quarantine").first?.first ?? nil
        #expect(reason?.contains("missing required columns sku, quantity, unit_price, currency, order_date") == true)
    }

    @Test func transformsAndFiltersApplyAndFilteredRowsAreCounted() async throws {
        let dir = try TemporaryDirectory()
        let body = """
            order_id,sku,product_name,category,quantity,unit_price,currency,order_date
            1,ABC-123456,  Padded name  ,TOOLS,3,1.50,EUR,2026-01-02
            2,ABC-123457,Other,garden,3,2.50,USD,2026-01-03
            3,ABC-123458,Third,toys,3,2.50,GBP,2026-01-04

            """
        try writeSupplierFile(dir, "f.csv", body)
        let (definition, plan) = try pipeline(
            suppliers: dir.path("suppliers"), database: dir.path("db.sqlite"),
            ["schema.columns.3.enum=[TOOLS, garden, toys]", "transform.4={filter: {column: currency, not_in: [GBP]}}"])

        let summary = try await runPipeline(definition: definition, plan: plan)

        #expect(summary.total.rows.loaded == 2)
        #expect(summary.total.rows.filtered == 1)
        #expect(summary.total.reconciles)
        let rows = try query(dir.path("db.sqlite"), "SELECT product_name, category, price, feed FROM staging_orders ORDER BY order_id")
        #expect(rows == [["Padded name", "tools", "1.5", "supplier-nightly"], ["Other", "garden", "2.5", "supplier-nightly"]])
    }
}
