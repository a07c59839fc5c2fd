/// A run's totals per supplier, added up as each file's result becomes final, so that a run
/// over many files holds counts rather than every file's result.
struct RunTally {
    private(set) var summaries: [SupplierSummary]
    private var supplierIndex: [String: Int]
    private var firstStart: [Double?]
    private var lastFinish: [Double]
    /// Why files did not load or settle, with the file's place in the listing to keep them in order.
    private var settleProblems: [(file: Int, text: String)] = []
    private var failures: [(file: Int, text: String)] = []

    init(suppliers: [String]) {
        summaries = suppliers.map(SupplierSummary.init)
        supplierIndex = Dictionary(uniqueKeysWithValues: suppliers.enumerated().map { ($1, $0) })
        firstStart = Array(repeating: nil, count: suppliers.count)
        lastFinish = Array(repeating: 0, count: suppliers.count)
    }

    /// A supplier that appeared during the run.
    mutating func add(supplier: String) {
        guard supplierIndex[supplier] == nil else { return }
        supplierIndex[supplier] = summaries.count
        summaries.append(SupplierSummary(supplier: supplier))
        firstStart.append(nil)
        lastFinish.append(0)
    }

    mutating func update(_ supplier: String, _ change: (inout SupplierSummary) -> Void) {
        if let index = supplierIndex[supplier] { change(&summaries[index]) }
    }

    /// Adds the final result of the file at `file` in the listing.
    mutating func add(_ result: FileResult, file: Int) {
        guard let index = supplierIndex[result.supplier] else { return }
        summaries[index].files += 1
        summaries[index].rows += result.rows
        switch result.completion {
        case .done, .empty:
            break
        case .quarantined(let reason), .damaged(let reason):
            summaries[index].filesQuarantined += 1
            failures.append((file, reason))
        case .failed(let reason), .rolledBack(let reason):
            summaries[index].filesFailed += 1
            failures.append((file, reason))
        }
        if result.interrupted { summaries[index].filesInterrupted += 1 }
        let start = min(firstStart[index] ?? result.startedAt, result.startedAt)
        firstStart[index] = start
        lastFinish[index] = max(lastFinish[index], result.finishedAt)
        summaries[index].seconds = lastFinish[index] - start
    }

    /// A loaded file, at `file` in the listing, could not be archived or deleted.
    mutating func settleFailed(_ supplier: String, file: Int, problem: String) {
        guard let index = supplierIndex[supplier] else { return }
        summaries[index].settleFailures += 1
        settleProblems.append((file, problem))
    }

    /// Files that could not be settled, then files that did not load, each in listing order.
    var problems: [String] {
        settleProblems.sorted { $0.file < $1.file }.map { $0.text } + failures.sorted { $0.file < $1.file }.map { $0.text }
    }
}
