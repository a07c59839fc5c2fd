import Foundation
import SluiceApp
import SluiceCore
import Testing

/// Lists the supplier folders, then swaps one supplier subfolder for a link to an outside
/// folder holding a file of the same name, size and modification time, before anything opens it.
struct FolderSwappingSource: FileSource {
    let inner: DirectorySource
    let swap: @Sendable () throws -> Void

    var suppliers: [String] { inner.suppliers }

    func discover() throws -> Discovery {
        let found = try inner.discover()
        try swap()
        return found
    }
}

@Suite struct FolderSwapTests {
    static let header = "order_id,sku,product_name,quantity,unit_price,currency,order_date\n"

    static func rows(_ ids: ClosedRange<Int>) -> String {
        ids.map { "\($0),ABC-\(100_000 + $0),Thing \($0),3,1.50,EUR,2026-01-02\n" }.joined()
    }

    @Test(arguments: ["keep", "delete"])
    func aFolderSwappedForALinkBetweenListingAndOpeningIsNeverLoadedNorSettled(afterLoad: String) async throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path("suppliers/acme/2026"), withIntermediateDirectories: true)
        try writeSupplierFile(dir, "2026/orders.csv", Self.header + Self.rows(1...3))
        // The outside file has the same length and time as the supplier's: only its identity differs.
        let outside = dir.url.appendingPathComponent("outside/2026/orders.csv")
        try FileManager.default.createDirectory(at: outside.deletingLastPathComponent(), withIntermediateDirectories: true)
        let secret = Self.header + Self.rows(7...9)
        try secret.write(to: outside, atomically: false, encoding: .utf8)
        var status = stat()
        #expect(stat(dir.path("suppliers/acme/2026/orders.csv"), &status) == 0)
        var times = [status.st_atim, status.st_mtim]
        #expect(utimensat(AT_FDCWD, outside.path, &times, 0) == 0)

        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: dir.path("db.sqlite"),
                                              ["settle.after_load=\(afterLoad)", "retry={max_attempts: 2, initial_delay: 5ms}"])
        let (listed, movedAway, outsideFolder) = (dir.path("suppliers/acme/2026"), dir.path("moved-away"),
                                                  outside.deletingLastPathComponent().path)
        let source = FolderSwappingSource(inner: try DirectorySource(definition: definition.source)) {
            #expect(rename(listed, movedAway) == 0)
            try FileManager.default.createSymbolicLink(atPath: listed, withDestinationPath: outsideFolder)
        }

        let (summary, _) = try await runBatch(definition, plan, source: source)

        #expect(summary.exitCode == 3)
        #expect(summary.total.filesFailed == 1)
        #expect(try query(dir.path("db.sqlite"), "SELECT count(*) FROM staging_orders") == [["0"]], "nothing outside loads")
        #expect(try String(contentsOf: outside, encoding: .utf8) == secret, "the outside file is untouched")
        let record = try query(dir.path("db.sqlite"), "SELECT state, last_error FROM sluice_files WHERE path = '2026/orders.csv'")
        #expect(record.first?[0] == "failed")
        #expect((record.first?[1] ?? nil)?.contains("symbolic link") == true, "\(record)")
    }
}
