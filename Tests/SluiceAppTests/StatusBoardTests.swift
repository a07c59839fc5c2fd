import SluiceCore
import SluiceObservability
import Testing

/// `/status` counts files, not attempts, and rows as the store ends up keeping them.
@Suite struct StatusBoardTests {
    func committed(_ id: Int64, loaded: Int, quarantined: Int = 0, outcome: String?) -> EngineEvent {
        .batchCommitted(files: [CommittedFile(supplier: "acme", fileID: id,
                                              rows: RowCounts(read: loaded + quarantined, loaded: loaded, quarantined: quarantined),
                                              bytes: 10, stages: BatchStages(), outcome: outcome)],
                        seconds: 0.01, at: 1_000, queueRows: 0)
    }

    @Test func aRetriedFileCountsOnceAndARejectedFileTakesItsRowsBack() throws {
        let board = StatusBoard(pipeline: "p", mode: "run")
        board.observe(.runStarted(runID: 1, suppliers: [SupplierCap(supplier: "acme", cap: 3)]))
        board.observe(.filesQueued(supplier: "acme", fileIDs: [1, 2]))
        // File 1 fails once for a passing reason, then loads.
        board.observe(.slotGranted(supplier: "acme", fileID: 1, waitSeconds: 0))
        board.observe(committed(1, loaded: 0, outcome: "failed"))
        board.observe(.fileRead(FileReadEvent(supplier: "acme", fileID: 1, outcome: "failed", rows: RowCounts(), seconds: 0.1)))
        board.observe(.fileRetried(supplier: "acme", fileID: 1))
        board.observe(.slotGranted(supplier: "acme", fileID: 1, waitSeconds: 1))
        board.observe(committed(1, loaded: 5, outcome: "done"))
        board.observe(.fileRead(FileReadEvent(supplier: "acme", fileID: 1, outcome: "done", rows: RowCounts(), seconds: 0.1)))
        board.observe(.fileFinished(FileFinishedEvent(supplier: "acme", fileID: 1, outcome: "done", rows: RowCounts(read: 5, loaded: 5))))
        // File 2 commits a batch, then is rejected whole past its error budget.
        board.observe(.slotGranted(supplier: "acme", fileID: 2, waitSeconds: 0))
        board.observe(committed(2, loaded: 8, outcome: nil))
        board.observe(committed(2, loaded: 0, quarantined: 3, outcome: "quarantined"))
        board.observe(.fileRead(FileReadEvent(supplier: "acme", fileID: 2, outcome: "quarantined", rows: RowCounts(), seconds: 0.1)))
        board.observe(.fileFinished(FileFinishedEvent(supplier: "acme", fileID: 2, outcome: "quarantined",
                                                      rows: RowCounts(read: 11, quarantined: 11))))

        let acme = try #require(board.snapshot().suppliers.first)
        #expect(acme.filesDone == 1)
        #expect(acme.filesFailed == 0, "a retried attempt is not a failed file")
        #expect(acme.filesQuarantined == 1)
        #expect(acme.filesQueued == 0 && acme.slotsInUse == 0)
        #expect(acme.rows == RowCounts(read: 16, loaded: 5, quarantined: 11), "what the store keeps: \(acme.rows)")
        #expect(acme.rows.reconciles)
    }
}
