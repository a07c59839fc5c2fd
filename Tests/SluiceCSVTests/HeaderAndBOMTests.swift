import Foundation
import SluiceCore
import Testing
@testable import SluiceCSV

private let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

@Suite struct BOMTests {
    @Test(arguments: [false, true])
    func bomAtStartIsStripped(gzipped: Bool) async throws {
        let scratch = try Scratch()
        let content = bom + bytes("id,name\n1,a\n2,b\n")
        let url = gzipped ? try scratch.write("bom.csv.gz", gzip(content)) : try scratch.write("bom.csv", content)
        let reader = try await openReader(url)
        #expect(reader.header == ["id", "name"])
        #expect(reader.header.first?.unicodeScalars.first == "i")
        let records = try readAll(reader)
        #expect(records.map(\.strings) == [["1", "a"], ["2", "b"]])
        // Offsets count the BOM: they are positions in the file.
        #expect(records.map(\.offset) == [11, 15])
        #expect(records.map(\.line) == [2, 3])
        #expect(records.last?.next == ResumePoint(offset: 19, line: 4, rowsBefore: 2))
    }

    @Test func bomOnAQuotedFirstHeaderField() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("bomq.csv", bom + bytes("\"id\",name\r\n1,a\r\n"))
        let reader = try await openReader(url)
        #expect(reader.header == ["id", "name"])
        #expect(try readAll(reader).map(\.strings) == [["1", "a"]])
    }

    @Test func secondBomIsKept() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("bom2.csv", bom + bom + bytes("id,name\n1,a\n"))
        let reader = try await openReader(url)
        #expect(reader.header == ["\u{FEFF}id", "name"])
        #expect(Array(reader.header[0].utf8) == bom + bytes("id"))
    }

    @Test func bomInsideDataIsKept() async throws {
        let scratch = try Scratch()
        let content = bytes("id,name\n") + bom + bytes("1,a\n2,") + bom + bytes("b\n3,\"") + bom + bytes("\"\n")
        let url = try scratch.write("bomdata.csv", content)
        let reader = try await openReader(url)
        #expect(reader.header == ["id", "name"])
        let records = try readAll(reader)
        #expect(records.map(\.fields) == [[bom + bytes("1"), bytes("a")],
                                          [bytes("2"), bom + bytes("b")],
                                          [bytes("3"), bom]])
        #expect(records.map(\.offset) == [8, 15, 22])
    }

    @Test func bomInHeaderNotAtStartIsKept() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("bomh.csv", bytes("id,") + bom + bytes("name\n1,a\n"))
        let reader = try await openReader(url)
        #expect(reader.header == ["id", "\u{FEFF}name"])
    }
}

@Suite struct HeaderTests {
    @Test(arguments: [false, true])
    func emptyFileIsEmpty(gzipped: Bool) async throws {
        let scratch = try Scratch()
        let url = gzipped ? try scratch.write("empty.csv.gz", gzip([])) : try scratch.write("empty.csv", [UInt8]())
        let error = await #expect(throws: ReadError.self) { try await openReader(url) }
        #expect(error?.kind == .empty, "an empty file has its own status, apart from a bad header")
    }

    @Test(arguments: ["\n", "\r\n\r\n", "\r", "\n\n\n"])
    func blankOnlyFileIsMalformedHeader(_ text: String) async throws {
        let scratch = try Scratch()
        let url = try scratch.write("blank.csv", text)
        let error = await #expect(throws: ReadError.self) { try await openReader(url) }
        #expect(error?.kind == .malformedHeader)
    }

    @Test func bomOnlyFileIsMalformedHeader() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("bomonly.csv", bom)
        let error = await #expect(throws: ReadError.self) { try await openReader(url) }
        #expect(error?.kind == .malformedHeader)
    }

    @Test(arguments: ["a,b\n", "a,b", "a,b\r\n", "a,b\r", "a,b\n\n\n", "\"a\",\"b\"\n"])
    func headerOnly(_ text: String) async throws {
        let scratch = try Scratch()
        let url = try scratch.write("header.csv", text)
        let reader = try await openReader(url)
        #expect(reader.header == ["a", "b"])
        var row = RawRow()
        #expect(try reader.next(into: &row) == .end)
        #expect(try reader.next(into: &row) == .end)
    }

    @Test func headerOnlyGzip() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("header.csv.gz", gzip(bytes("a,b\n")))
        let reader = try await openReader(url)
        #expect(reader.header == ["a", "b"])
        var row = RawRow()
        #expect(try reader.next(into: &row) == .end)
    }

    @Test func headerWithMultiLineQuotedName() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("hm.csv", "\"first\nname\",b\n1,2\n")
        let reader = try await openReader(url)
        #expect(reader.header == ["first\nname", "b"])
        let records = try readAll(reader)
        #expect(records.map(\.strings) == [["1", "2"]])
        #expect(records.first?.line == 3)
        #expect(records.first?.offset == 15)
    }

    @Test(arguments: ["a\"b,c\n1,2\n", "\"a\"x,b\n1,2\n", "\"a,b\n1,2\n"])
    func malformedHeaderThrows(_ text: String) async throws {
        let scratch = try Scratch()
        let url = try scratch.write("bad.csv", text)
        let error = await #expect(throws: ReadError.self) { try await openReader(url) }
        #expect(error?.kind == .malformedHeader)
    }

    @Test func invalidUTF8HeaderThrowsEncoding() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("enc.csv", bytes("a,") + [0xFF, 0xFE] + bytes("\n1,2\n"))
        let error = await #expect(throws: ReadError.self) { try await openReader(url) }
        #expect(error?.kind == .encoding)
    }
}
