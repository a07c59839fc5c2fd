import Foundation
import SluiceCore
import Testing

/// Listings that would never end on their own: cursors that cycle, endless empty pages, more
/// entries than the cap. Each ends as a problem of its own supplier while the others load; a
/// stop request ends a run stuck in one.
@Suite(.serialized) struct EndpointListingBoundsTests {
    let dir: TemporaryDirectory

    init() throws { dir = try TemporaryDirectory() }

    var suppliers: String { dir.path("suppliers") }

    func arguments(_ pipeline: String, _ extra: [String] = []) -> [String] {
        ["run", pipeline, "--progress", "0"] + (["schema.max_invalid_ratio=1"] + extra).flatMap { ["--set", $0] }
    }

    let done = "select count(*) from sluice_files where state = 'done'"

    @Test func aListingWhoseCursorCyclesEndsForItsSupplierWhileTheOthersLoad() async throws {
        _ = try generateScenario(into: dir.url, suppliers: 2, files: 5, gzip: 0)
        let names = try supplierNames(dir)
        let faulty = try SupplierSimulator(root: suppliers, in: dir, ["--rate", "0", "--page-size", "2", "--listing-fault", "cycling-cursor"])
        let sound = try SupplierSimulator(root: suppliers, in: dir, ["--rate", "0"])
        let database = dir.path("cycle.sqlite")
        let pipeline = try faulty.pipeline(in: dir, suppliers: names, database: database)
        let run = try startBinary(in: dir, arguments(pipeline, ["source.endpoints.1.url=http://127.0.0.1:\(sound.port)/\(names[1])"]))
        let result = try #require(run.finish(within: 120), "the listing never ended: \(faulty.listingRequests.count) pages asked for")
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("\(names[0]): the endpoint could not be listed"), "\(result.stdout)")
        #expect(result.stdout.contains("http://127.0.0.1:\(faulty.port)/\(names[0])/files"), "the endpoint is named: \(result.stdout)")
        #expect(result.stdout.contains("the cursor \"orders-00002.csv\" does not come after \"orders-00004.csv\""), "\(result.stdout)")
        #expect(faulty.listingRequests.count == 3, "the third page breaks the contract")
        #expect(try scalar(database, done) == 5, "the other supplier's files load")
    }

    @Test func anEndlessListingOfEmptyPagesEndsAtTheEntryCap() async throws {
        _ = try generateScenario(into: dir.url, suppliers: 1, files: 2, gzip: 0)
        let simulator = try SupplierSimulator(root: suppliers, in: dir, ["--rate", "0", "--listing-fault", "empty-pages"])
        let database = dir.path("empty.sqlite")
        let pipeline = try simulator.pipeline(in: dir, suppliers: try supplierNames(dir), database: database)
        let run = try startBinary(in: dir, arguments(pipeline, ["source.max_listing_entries=3000"]))
        let result = try #require(run.finish(within: 120), "the listing never ended: \(simulator.listingRequests.count) pages asked for")
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("more than 3000 entries (max_listing_entries)"), "\(result.stdout)")
        #expect(simulator.listingRequests.count == 4, "an empty page counts as 1000 entries")
    }

    @Test func aListingPastTheEntryCapLoadsNothingOfItsSupplier() async throws {
        _ = try generateScenario(into: dir.url, suppliers: 2, files: 5, gzip: 0)
        let names = try supplierNames(dir)
        let simulator = try SupplierSimulator(root: suppliers, in: dir, ["--rate", "0", "--page-size", "2"])
        let database = dir.path("capped.sqlite")
        let pipeline = try simulator.pipeline(in: dir, suppliers: names, database: database)
        let result = try runBinary(arguments(pipeline, ["source.endpoints.0.max_listing_entries=3"]))
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("\(names[0]): the endpoint could not be listed"), "\(result.stdout)")
        #expect(result.stdout.contains("more than 3 entries (max_listing_entries)"), "\(result.stdout)")
        #expect(simulator.listingRequests.filter { $0.supplier == names[0] }.count == 2)
        #expect(try scalar(database, done) == 5, "the other supplier, under the default cap, loads")
    }

    /// A listing paced at 2 pages a second that would take minutes, or one waiting out long
    /// backoffs after server errors: the first signal ends the run either way.
    @Test(arguments: [
        (["--listing-fault", "empty-pages"], ["limits.rate=2/s"], SIGINT),
        (["--error-share", "1"], ["retry.max_attempts=20", "retry.initial_delay=60s", "retry.max_delay=60s"], SIGTERM),
    ])
    func theFirstSignalEndsARunStuckInAListing(simulated: [String], settings: [String], signal: Int32) async throws {
        _ = try generateScenario(into: dir.url, suppliers: 1, files: 1, gzip: 0)
        let simulator = try SupplierSimulator(root: suppliers, in: dir, ["--rate", "0"] + simulated)
        let pipeline = try simulator.pipeline(in: dir, suppliers: try supplierNames(dir), database: dir.path("stopped.sqlite"))
        let run = try startBinary(in: dir, arguments(pipeline, ["breaker=off"] + settings))
        #expect(eventually { simulator.listingRequests.count >= (signal == SIGINT ? 2 : 1) }, "the listing is under way")
        kill(run.pid, signal)
        let result = try #require(run.finish(within: 60), "the run did not stop")
        #expect(result.status == 128 + signal, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("stopped by signal \(signal)"), "\(result.stdout)")
    }
}
