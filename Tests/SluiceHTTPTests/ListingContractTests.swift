import Testing
@testable import SluiceHTTP

/// The listing contract page by page: names ascend, cursors advance, the entries are bounded.
@Suite struct ListingContractTests {
    func page(_ names: [String], next: String?) -> ListingPage {
        ListingPage(files: names.map { ListingPage.Entry(name: $0, size: 1, etag: nil, modified: 0) }, next: next)
    }

    /// What the contract says of each page in turn: nil when taken, else the breach.
    func admitted(_ pages: [ListingPage], maxEntries: Int = 100, pageSize: Int = 10, after: String? = nil) -> [String?] {
        var contract = ListingContract(maxEntries: maxEntries, pageSize: pageSize, after: after)
        return pages.map { contract.admit($0) }
    }

    @Test func anOrderlyListingIsTaken() {
        var contract = ListingContract(maxEntries: 10, pageSize: 2, after: nil)
        for page in [page(["a.csv", "b.csv"], next: "b.csv"), page(["c.csv", "d/e.csv"], next: "d/e.csv"), page(["z.csv"], next: nil)] {
            let breach = contract.admit(page)
            #expect(breach == nil)
        }
        #expect(contract.cursor == nil)
    }

    @Test func aCursorThatGoesBackIsRefused() {
        // The server behind the report: next alternates between two values.
        let answers = admitted([page(["a.csv"], next: "a.csv"), page(["b.csv"], next: "b.csv"), page(["c.csv"], next: "a.csv")])
        #expect(answers[0] == nil && answers[1] == nil)
        #expect(answers[2]?.contains("the cursor \"a.csv\" does not come after \"b.csv\"") == true, "\(answers)")
    }

    @Test func aCursorThatStandsStillIsRefused() {
        #expect(admitted([page([], next: "m")], after: "m")[0] != nil)
    }

    @Test(arguments: [["b.csv", "a.csv"], ["a.csv", "a.csv"]])
    func namesThatDoNotAscendAreRefused(names: [String]) {
        #expect(admitted([page(names, next: nil)])[0]?.contains("names must ascend") == true)
    }

    @Test func aPageWhoseNamesGoBackBehindThePreviousPageIsRefused() {
        let answers = admitted([page(["a.csv", "b.csv"], next: "b.csv"), page(["a.csv"], next: "c.csv")])
        #expect(answers[0] == nil)
        #expect(answers[1]?.contains("does not come after \"b.csv\"") == true, "\(answers)")
    }

    @Test func orderIsByteWiseAsAfterIs() {
        // "é" precomposed (C3 A9) sorts after "e" + combining acute (65 CC 81) byte-wise, though
        // Swift's String compares them equal.
        #expect(ListingContract.isAscending("e\u{301}", "\u{E9}"))
        #expect(!ListingContract.isAscending("\u{E9}", "e\u{301}"))
        #expect(ListingContract.isAscending("Z", "a"))
    }

    @Test func moreEntriesThanTheCapEndTheListing() {
        let answers = admitted([page(["a", "b"], next: "b"), page(["c", "d"], next: "d")], maxEntries: 3, pageSize: 2)
        #expect(answers[0] == nil)
        #expect(answers[1]?.contains("more than 3 entries (max_listing_entries)") == true, "\(answers)")
    }

    @Test func anEmptyPageWithACursorCountsAsAFullOne() {
        // Endless empty pages, each cursor past the last: bounded here at 100.
        let pages = (1...100).map { page([], next: String(repeating: "a", count: $0)) }
        let answers = admitted(pages, maxEntries: 3000, pageSize: 1000)
        #expect(answers.firstIndex { $0 != nil } == 3, "the fourth page is past 3000 entries")
    }

    @Test func aLastEmptyPageIsNoEntry() {
        #expect(admitted([page(["a", "b"], next: "b"), page([], next: nil)], maxEntries: 2, pageSize: 1000) == [nil, nil])
    }
}
