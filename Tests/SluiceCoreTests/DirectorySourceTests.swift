import Foundation
import Testing
@testable import SluiceCore

@Suite struct DirectorySourceTests {
    private let dir: TemporaryDirectory

    init() throws { dir = try TemporaryDirectory() }

    private func write(_ relative: String, _ text: String = "id\n1\n") throws {
        let url = dir.url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    private func link(_ relative: String, to destination: String) throws {
        let url = dir.url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: destination)
    }

    private func discover(root: String = "suppliers") throws -> Discovery {
        let source = try DirectorySource(definition: SourceDefinition(
            root: dir.url.appendingPathComponent(root), suppliers: [], patterns: ["*.csv", "*.csv.gz"],
            delimiter: UInt8(ascii: ","), batchRows: 100, onChange: .reload))
        return try source.discover()
    }

    private func listed(_ discovery: Discovery) -> [String] {
        discovery.files.map { "\($0.supplier)/\($0.relativePath)" }.sorted()
    }

    @Test func filesInNestedFoldersAreListedWithTheirRelativePaths() throws {
        defer { dir.remove() }
        try write("suppliers/acme/a.csv")
        try write("suppliers/acme/2026/11/b.csv.gz")
        try write("suppliers/globex/c.csv")
        try write("suppliers/globex/notes.txt")
        #expect(listed(try discover()) == ["acme/2026/11/b.csv.gz", "acme/a.csv", "globex/c.csv"])
    }

    @Test func filesStillBeingWrittenAndHiddenFoldersAreLeftAlone() throws {
        defer { dir.remove() }
        try write("suppliers/acme/ready.csv")
        for name in [".hidden.csv", "upload.csv.tmp", "upload.csv.part", "x.csv._COPYING_", ".staging/inside.csv"] {
            try write("suppliers/acme/" + name)
        }
        #expect(listed(try discover()) == ["acme/ready.csv"])
    }

    @Test func aLinkIsRefusedAndReportedWhereverItLeads() throws {
        defer { dir.remove() }
        try write("suppliers/acme/archive/real.csv")
        try write("elsewhere/secret.csv")
        try link("suppliers/acme/current.csv", to: "archive/real.csv")
        try link("suppliers/acme/evil.csv", to: dir.url.appendingPathComponent("elsewhere/secret.csv").path)
        let discovery = try discover()
        #expect(listed(discovery) == ["acme/archive/real.csv"])
        #expect(discovery.problems.map(\.relativePath).sorted() == ["current.csv", "evil.csv"])
        #expect(discovery.problems.allSatisfy { $0.reason.contains("a symbolic link, which is not followed") })
    }

    @Test(.timeLimit(.minutes(10)))
    func aFIFOOrSocketIsReportedAndNeverOpened() throws {
        defer { dir.remove() }
        try write("suppliers/acme/a.csv")
        #expect(mkfifo(dir.url.appendingPathComponent("suppliers/acme/pipe.csv").path, 0o644) == 0)
        let discovery = try discover()
        #expect(listed(discovery) == ["acme/a.csv"])
        #expect(discovery.problems.map(\.relativePath) == ["pipe.csv"])
        #expect(discovery.problems.first?.reason.contains("FIFO") == true)
    }

    @Test func aNameWithAControlCharacterIsRefusedAndShownEscaped() throws {
        defer { dir.remove() }
        try write("suppliers/acme/a.csv")
        try write("suppliers/acme/forged\nline.csv")
        try write("suppliers/acme/cut\u{1B}[2J.csv")
        let discovery = try discover()
        #expect(listed(discovery) == ["acme/a.csv"])
        #expect(discovery.problems.map(\.relativePath).sorted() == ["cut\\u{1B}[2J.csv", "forged\\nline.csv"])
        #expect(discovery.problems.allSatisfy { !ControlCharacters.contains(in: $0.description) })
    }

    @Test func aHeldFolderListedAgainSeesEverythingInItNow() throws {
        defer { dir.remove() }
        try write("suppliers/acme/a.csv")
        let source = try DirectorySource(definition: SourceDefinition(
            root: dir.url.appendingPathComponent("suppliers"), suppliers: [], patterns: ["*.csv"],
            delimiter: UInt8(ascii: ","), batchRows: 100, onChange: .reload))
        #expect(try source.list(supplier: 0).files.map(\.relativePath) == ["a.csv"])
        try write("suppliers/acme/b.csv")
        #expect(try source.list(supplier: 0).files.map(\.relativePath).sorted() == ["a.csv", "b.csv"])
        #expect(try source.list(supplier: 0).files.count == 2)
    }

    @Test func aFolderUnderTheRootWithAnUnsafeNameIsNoSupplier() throws {
        defer { dir.remove() }
        try write("suppliers/acme/a.csv")
        try write("suppliers/ev\nil/b.csv")
        let source = try DirectorySource(definition: SourceDefinition(
            root: dir.url.appendingPathComponent("suppliers"), suppliers: [], patterns: ["*.csv"],
            delimiter: UInt8(ascii: ","), batchRows: 100, onChange: .reload))
        #expect(source.suppliers == ["acme"])
        #expect(source.refusedFolders == ["ev\\nil"])
    }

    @Test func aSupplierFolderThatIsALinkIsListed() throws {
        defer { dir.remove() }
        try write("real/acme/a.csv")
        try link("suppliers/acme", to: dir.url.appendingPathComponent("real/acme").path)
        let discovery = try discover()
        #expect(listed(discovery) == ["acme/a.csv"])
        #expect(discovery.files.first?.url.path == dir.url.appendingPathComponent("suppliers/acme/a.csv").path)
    }

    @Test func aFolderLinkInsideASupplierIsNotFollowed() throws {
        defer { dir.remove() }
        try write("suppliers/acme/a.csv")
        try write("elsewhere/b.csv")
        try link("suppliers/acme/more", to: dir.url.appendingPathComponent("elsewhere").path)
        #expect(listed(try discover()) == ["acme/a.csv"])
    }

    @Test func sizeAndFingerprintDescribeTheContent() throws {
        defer { dir.remove() }
        try write("suppliers/acme/a.csv", "id\n1\n")
        try write("suppliers/acme/b.csv", "id\n1\n")
        try write("suppliers/acme/c.csv", "id\n2\n")
        let files = try discover().files.sorted { $0.relativePath < $1.relativePath }
        #expect(files.map(\.size) == [5, 5, 5])
        #expect(files[0].fingerprint == files[1].fingerprint)
        #expect(files[0].fingerprint != files[2].fingerprint)
    }
}

@Suite struct FingerprintTests {
    /// Stores keep fingerprints across versions: a changed hash would make every known file look new.
    @Test(arguments: [
        (0, "1c77bf2c953f4afa"), (5, "620962be82c43eea"), (20_000, "aec2b33fa7ce76a0"), (65_536, "24c46f4396ddea1a"),
        (100_000, "d2a244ace6aac3c1"), (131_072, "7a4acfec6195613b"), (200_000, "2b8a646d5b98857f"),
    ])
    func fingerprintsStayTheSameAcrossVersions(size: Int, expected: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = dir.url.appendingPathComponent("sample.bin")
        try Data((0..<size).map { UInt8(truncatingIfNeeded: ($0 &* 2654435761) >> 7) }).write(to: url)
        #expect(try Fingerprint.of(url, size: Int64(size)) == expected)
    }

    @Test func aChangeInTheMiddleOfASmallFileChangesTheFingerprint() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var bytes = [UInt8](repeating: 65, count: 100_000)
        let url = dir.url.appendingPathComponent("sample.bin")
        try Data(bytes).write(to: url)
        let before = try Fingerprint.of(url, size: 100_000)
        bytes[70_000] = 66
        try Data(bytes).write(to: url)
        #expect(try Fingerprint.of(url, size: 100_000) != before)
    }
}
