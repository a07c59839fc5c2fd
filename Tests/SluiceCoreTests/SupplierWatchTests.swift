import Foundation
import Testing
@testable import SluiceCore

/// When a stream takes a file: complete by age, stability and marker, once per version.
@Suite struct SupplierWatchTests {
    let t0 = ContinuousClock.now
    let wall = 1_800_000_000.0

    func rules(minAge: Duration = .seconds(2), stableFor: Duration = .zero, marker: String? = nil) -> SupplierWatch.Rules {
        var watch = WatchDefinition()
        watch.minAge = minAge
        watch.stableFor = stableFor
        watch.readyMarker = marker
        return SupplierWatch.Rules(watch)
    }

    func listing(_ files: [ListedFile], others: Set<String> = [], folders: [FolderTime] = [FolderTime(path: "", modified: 1)]) -> Listing {
        var listing = Listing(supplier: "acme", directory: "/drop/acme", root: "/drop/acme")
        listing.files = files
        listing.otherNames = others
        listing.folders = folders
        return listing
    }

    func file(_ name: String, size: Int64 = 100, modified: Double) -> ListedFile {
        ListedFile(relativePath: name, size: size, modified: modified)
    }

    @Test func aFileIsTakenOnceItIsOldEnough() {
        var watch = SupplierWatch(rules: rules())
        let young = file("a.csv", modified: wall - 1)
        let taken1 = watch.complete(in: listing([young]), now: t0, wallClock: wall)
        #expect(taken1.isEmpty)
        #expect(watch.waitingCount == 1)
        #expect(watch.untilNextReady(now: t0, wallClock: wall) == .seconds(1))
        let taken2 = watch.complete(in: listing([young]), now: t0 + .seconds(1), wallClock: wall + 1)
        #expect(taken2 == [young])
    }

    @Test func aFileStillBeingWrittenWaitsUntilItStopsChanging() {
        var watch = SupplierWatch(rules: rules(minAge: .zero, stableFor: .seconds(1)))
        let taken3 = watch.complete(in: listing([file("a.csv", size: 10, modified: wall)]), now: t0, wallClock: wall)
        #expect(taken3.isEmpty)
        // It grew: the wait starts over.
        let grown = file("a.csv", size: 20, modified: wall + 0.8)
        let taken4 = watch.complete(in: listing([grown]), now: t0 + .milliseconds(800), wallClock: wall + 0.8)
        #expect(taken4.isEmpty)
        let taken5 = watch.complete(in: listing([grown]), now: t0 + .milliseconds(1700), wallClock: wall + 1.7)
        #expect(taken5.isEmpty)
        let taken6 = watch.complete(in: listing([grown]), now: t0 + .milliseconds(1800), wallClock: wall + 1.8)
        #expect(taken6 == [grown])
    }

    @Test(arguments: ["{name}.done", "_SUCCESS"])
    func aDeclaredMarkerHoldsTheFileBack(marker: String) {
        var watch = SupplierWatch(rules: rules(minAge: .zero, marker: marker))
        let data = file("in/a.csv", modified: wall - 10)
        let taken7 = watch.complete(in: listing([data]), now: t0, wallClock: wall)
        #expect(taken7.isEmpty)
        #expect(watch.untilNextReady(now: t0, wallClock: wall) == nil, "only the marker is awaited: no early wake-up")
        let markerPath = "in/" + marker.replacingOccurrences(of: "{name}", with: "a.csv")
        let taken8 = watch.complete(in: listing([data], others: ["a.csv.done", "_SUCCESS"].contains(markerPath) ? [] : ["elsewhere"]),
                               now: t0, wallClock: wall)
        #expect(taken8.isEmpty, "a marker in another folder does not count")
        let taken9 = watch.complete(in: listing([data], others: [markerPath]), now: t0, wallClock: wall)
        #expect(taken9 == [data])
    }

    @Test func aTakenFileIsNotTakenAgainUnlessItChanges() {
        var watch = SupplierWatch(rules: rules(minAge: .zero))
        let original = file("a.csv", modified: wall - 5)
        let taken10 = watch.complete(in: listing([original]), now: t0, wallClock: wall)
        #expect(taken10 == [original])
        watch.taken(original)
        let taken11 = watch.complete(in: listing([original]), now: t0 + .seconds(1), wallClock: wall + 1)
        #expect(taken11.isEmpty)
        #expect(watch.knownCount == 1)
        let appended = file("a.csv", size: 150, modified: wall - 1)
        let taken12 = watch.complete(in: listing([appended]), now: t0 + .seconds(2), wallClock: wall + 2)
        #expect(taken12 == [appended],
                "a new version goes to the store, which applies on_change")
    }

    @Test func aFileThatLeftIsForgotten() {
        var watch = SupplierWatch(rules: rules(minAge: .zero))
        let a = file("a.csv", modified: wall - 5)
        watch.taken(a)
        _ = watch.complete(in: listing([]), now: t0, wallClock: wall)
        #expect(watch.knownCount == 0)
        let taken13 = watch.complete(in: listing([a]), now: t0, wallClock: wall)
        #expect(taken13 == [a], "delivered again under the same name")
    }

    @Test func readyFilesComeInTheOrderTheyWereWritten() {
        var watch = SupplierWatch(rules: rules(minAge: .zero))
        let files = [file("c.csv", modified: wall - 1), file("a.csv", modified: wall - 3), file("b.csv", modified: wall - 3)]
        let taken14 = watch.complete(in: listing(files), now: t0, wallClock: wall)
        #expect(taken14.map(\.relativePath) == ["a.csv", "b.csv", "c.csv"])
    }

    @Test func listingIsSkippedWhileNothingChanged() {
        var watch = SupplierWatch(rules: rules(minAge: .zero))
        let folders = [FolderTime(path: "", modified: 1), FolderTime(path: "in", modified: 2)]
        let times = ["": 1.0, "in": 2.0]
        #expect(watch.needsListing(now: t0, rescan: .seconds(60)) { times[$0] }, "never listed yet")
        let a = file("a.csv", modified: wall - 5)
        for ready in watch.complete(in: listing([a], folders: folders), now: t0, wallClock: wall) { watch.taken(ready) }
        #expect(!watch.needsListing(now: t0 + .seconds(1), rescan: .seconds(60)) { times[$0] })
        #expect(watch.needsListing(now: t0 + .seconds(1), rescan: .seconds(60)) { $0 == "in" ? 3 : 1 }, "a folder changed")
        #expect(watch.needsListing(now: t0 + .seconds(1), rescan: .seconds(60)) { $0 == "in" ? nil : 1 }, "a folder went away")
        #expect(watch.needsListing(now: t0 + .seconds(60), rescan: .seconds(60)) { times[$0] }, "a full rescan is due")
        _ = watch.complete(in: listing([a, file("b.csv", modified: wall)], folders: folders), now: t0 + .seconds(2), wallClock: wall)
        #expect(watch.needsListing(now: t0 + .seconds(3), rescan: .seconds(60)) { times[$0] }, "a file waits to be complete")
    }

    @Test func aProblemIsReportedOnce() {
        var watch = SupplierWatch(rules: rules())
        let problem = DiscoveryProblem(supplier: "acme", relativePath: "x.csv", reason: "refused")
        let first = watch.isNew(problem), second = watch.isNew(problem)
        #expect(first)
        #expect(!second)
    }
}
