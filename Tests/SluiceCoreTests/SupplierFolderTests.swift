import Foundation
import Testing
@testable import SluiceCore

/// A supplier swaps what it listed for something else before Sluice opens or settles it.
@Suite struct SupplierFolderTests {
    private let dir: TemporaryDirectory

    init() throws { dir = try TemporaryDirectory() }

    private func write(_ relative: String, _ text: String) throws {
        let url = dir.url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    private func path(_ relative: String) -> String { dir.url.appendingPathComponent(relative).path }

    /// The supplier's one listed file.
    private func listed() throws -> DiscoveredFile {
        let source = try DirectorySource(definition: SourceDefinition(
            root: dir.url.appendingPathComponent("suppliers"), suppliers: [], patterns: ["*.csv"],
            delimiter: UInt8(ascii: ","), batchRows: 100, onChange: .reload))
        let files = try source.discover().files
        try #require(files.count == 1)
        return files[0]
    }

    /// Gives `relative` the modification time of `model`, so only its identity tells them apart.
    private func copyTime(of model: String, to relative: String) throws {
        var status = stat()
        #expect(stat(path(model), &status) == 0)
        var times = [status.st_atim, status.st_mtim]
        #expect(utimensat(AT_FDCWD, path(relative), &times, 0) == 0)
    }

    /// The supplier's folder `2026` swapped for a link to an outside folder with a file of the
    /// same name, size and time.
    private func swapFolderForLink() throws {
        try write("outside/2026/orders.csv", "id\n9\n")
        try copyTime(of: "suppliers/acme/2026/orders.csv", to: "outside/2026/orders.csv")
        #expect(rename(path("suppliers/acme/2026"), path("moved-away")) == 0)
        try FileManager.default.createSymbolicLink(atPath: path("suppliers/acme/2026"), withDestinationPath: path("outside/2026"))
    }

    @Test func aFolderSwappedForALinkAfterListingIsNeverOpened() throws {
        defer { dir.remove() }
        try write("suppliers/acme/2026/orders.csv", "id\n1\n")
        let file = try listed()
        try swapFolderForLink()

        let folder = try #require(file.folder)
        let error = try #require(throws: ReadError.self) { try folder.openFile(file.relativePath, expected: file.identity) }
        #expect(error.kind == .changed)
        #expect(error.message.contains("symbolic link"), "\(error)")
    }

    @Test(.timeLimit(.minutes(10)))
    func aFileSwappedForAFIFOAfterListingIsRefusedWithoutBlocking() throws {
        defer { dir.remove() }
        try write("suppliers/acme/orders.csv", "id\n1\n")
        let file = try listed()
        try FileManager.default.removeItem(atPath: path("suppliers/acme/orders.csv"))
        #expect(mkfifo(path("suppliers/acme/orders.csv"), 0o644) == 0)

        let error = try #require(throws: ReadError.self) { try file.folder!.openFile(file.relativePath, expected: file.identity) }
        #expect(error.kind == .changed)
        #expect(error.message.contains("FIFO"), "\(error)")
    }

    @Test(arguments: [SettleDefinition.Action.delete, .archive])
    func settlingAfterAFolderSwapLeavesTheOutsideFileAlone(action: SettleDefinition.Action) throws {
        defer { dir.remove() }
        try write("suppliers/acme/2026/orders.csv", "id\n1\n")
        let file = try listed()
        try swapFolderForLink()

        let settler = Settler(action: action, archiveRoot: dir.url.appendingPathComponent("archive"))
        #expect(throws: ReadError.self) { try settler.move(file, fileID: 1) }
        #expect(try String(contentsOfFile: path("outside/2026/orders.csv"), encoding: .utf8) == "id\n9\n")
        #expect(!FileManager.default.fileExists(atPath: path("archive/acme/2026/orders.csv")))
    }

    @Test func aFileReplacedUnderItsNameIsNotSettled() throws {
        defer { dir.remove() }
        try write("suppliers/acme/orders.csv", "id\n1\n")
        let file = try listed()
        // Same name, size and time; another inode.
        try write("replacement.csv", "id\n2\n")
        try copyTime(of: "suppliers/acme/orders.csv", to: "replacement.csv")
        #expect(rename(path("replacement.csv"), path("suppliers/acme/orders.csv")) == 0)

        let settler = Settler(action: .delete, archiveRoot: nil)
        let error = try #require(throws: ReadError.self) { try settler.move(file, fileID: 1) }
        #expect(error.kind == .changed)
        #expect(try String(contentsOfFile: path("suppliers/acme/orders.csv"), encoding: .utf8) == "id\n2\n")
    }

    @Test func theListedFileIsSettledThroughItsFolder() throws {
        defer { dir.remove() }
        try write("suppliers/acme/2026/orders.csv", "id\n1\n")
        let file = try listed()

        let settler = Settler(action: .archive, archiveRoot: dir.url.appendingPathComponent("archive"))
        let folders = try settler.move(file, fileID: 1)
        settler.sync(Set(folders))
        #expect(!FileManager.default.fileExists(atPath: path("suppliers/acme/2026/orders.csv")))
        #expect(try String(contentsOfFile: path("archive/acme/2026/orders.csv"), encoding: .utf8) == "id\n1\n")
    }

    @Test func pathsWithDotPartsAreRefusedNotResolved() throws {
        defer { dir.remove() }
        try write("suppliers/acme/a.csv", "id\n1\n")
        try write("secret.csv", "id\n1\n")
        let folder = try SupplierFolder(path: path("suppliers/acme"))
        #expect(throws: ReadError.self) { try folder.openFile("../../secret.csv") }
        #expect(throws: ReadError.self) { try folder.openFile("./a.csv") }
        let (descriptor, _) = try folder.openFile("a.csv")
        close(descriptor)
    }
}
