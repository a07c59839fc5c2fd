import ArgumentParser

/// A listing that breaks the endpoint contract on purpose, as a faulty or hostile server's does.
enum ListingFault: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// The page asked after the second cursor points back at the first: the cursors cycle.
    case cyclingCursor = "cycling-cursor"
    /// Every page is empty, with a cursor past the one asked: a listing that never ends.
    case emptyPages = "empty-pages"

    /// What this fault answers instead of `page`, the page asked after `after` of `names`.
    func page(_ page: ListingSlice, of names: [String], after: String?, limit: Int) -> ListingSlice {
        switch self {
        case .cyclingCursor:
            let first = names.count > limit ? names[limit - 1] : nil
            guard let after, after != first else { return page }
            return ListingSlice(names: page.names, next: first)
        case .emptyPages:
            return ListingSlice(names: [], next: (after ?? "") + "a")
        }
    }
}

/// One page of names and the cursor after it, nil on the last page.
struct ListingSlice {
    var names: ArraySlice<String>
    var next: String?

    /// The names after `after` (byte-wise, as the contract orders them), `limit` of them.
    init(_ names: [String], after: String?, limit: Int) {
        let rest = after.map { after in names.drop { !after.utf8.lexicographicallyPrecedes($0.utf8) } } ?? names[...]
        self.names = rest.prefix(limit)
        next = rest.count > limit ? self.names.last : nil
    }

    init(names: ArraySlice<String>, next: String?) {
        self.names = names
        self.next = next
    }
}
