import Foundation
import Testing
@testable import SluiceCore

/// A job keeps no record of its own for a file never started; what it gives back must be
/// exactly what it was given either way.
@Suite struct FileJobTests {
    let file = DiscoveredFile(supplier: "acme", relativePath: "in/a.csv", directory: "/data/acme", size: 120,
                              modified: 5, fingerprint: "9f3a", isGzip: false)

    @Test func aFileNeverStartedGivesBackItsRegistration() {
        let registered = FileRecord(id: 7, supplier: "acme", relativePath: "in/a.csv", size: 120, fingerprint: "9f3a",
                                    state: .pending)
        #expect(FileJob(file: file, record: registered).record == registered)
    }

    @Test(arguments: [
        FileRecord(id: 7, supplier: "acme", relativePath: "in/a.csv", size: 120, fingerprint: "9f3a", state: .loading,
                   next: ResumePoint(offset: 64, line: 3, rowsBefore: 2), rows: RowCounts(read: 2, loaded: 2)),
        FileRecord(id: 7, supplier: "acme", relativePath: "in/a.csv", size: 120, fingerprint: "9f3a", state: .failed,
                   attempts: 2, lastError: "permission denied"),
        FileRecord(id: 7, supplier: "acme", relativePath: "in/a.csv", size: 120, fingerprint: "9f3a", state: .pending,
                   attempts: 1),
    ])
    func aFileWithProgressKeepsItsCheckpoint(record: FileRecord) {
        var job = FileJob(file: file, record: record)
        #expect(job.record == record)
        job.record = FileRecord(id: 7, supplier: "acme", relativePath: "in/a.csv", size: 120, fingerprint: "9f3a",
                                state: .pending)
        #expect(job.record.state == .pending && job.record.attempts == 0, "a retry from the start forgets the old checkpoint")
        job.record = record
        #expect(job.record == record)
    }

    @Test func thePathJoinsTheSupplierDirectoryAndTheRelativePath() {
        #expect(file.path == "/data/acme/in/a.csv")
        #expect(file.url.path == "/data/acme/in/a.csv")
    }
}
