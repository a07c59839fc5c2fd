import SluiceCore

/// What a listing's pages must keep to, so that it ends: names ascend across the whole listing,
/// each page's `next` comes after the cursor it was asked with, and the entries stay within
/// `maxEntries`, an empty page that still has a `next` counting as a full one. Order is
/// byte-wise over UTF-8, as `after=` is: one name is after another when its bytes are.
struct ListingContract {
    let maxEntries: Int
    let pageSize: Int
    /// The cursor the next page is asked after.
    private(set) var cursor: String?
    private var lastName: String?
    private var counted = 0

    init(maxEntries: Int, pageSize: Int, after cursor: String?) {
        self.maxEntries = maxEntries
        self.pageSize = pageSize
        self.cursor = cursor
    }

    /// Takes the next page, or says how it breaks the contract.
    mutating func admit(_ page: ListingPage) -> String? {
        for entry in page.files {
            if let lastName, !Self.isAscending(lastName, entry.name) {
                return "the name \(Self.quoted(entry.name)) does not come after \(Self.quoted(lastName)); names must ascend"
            }
            lastName = entry.name
        }
        if let next = page.next, let cursor, !Self.isAscending(cursor, next) {
            return "the cursor \(Self.quoted(next)) does not come after \(Self.quoted(cursor)); a listing must advance"
        }
        counted += page.files.isEmpty && page.next != nil ? pageSize : page.files.count
        if counted > maxEntries {
            return "it holds more than \(maxEntries) entries (max_listing_entries)"
        }
        cursor = page.next
        return nil
    }

    static func isAscending(_ earlier: String, _ later: String) -> Bool {
        earlier.utf8.lexicographicallyPrecedes(later.utf8)
    }

    static func quoted(_ text: String) -> String { "\"\(Redirect.shown(text))\"" }
}
