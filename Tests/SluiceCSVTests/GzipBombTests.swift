import SluiceCore
import Testing
@testable import SluiceCSV

/// The compression ratio is checked on the first MiB inflated, before any row of it is handed
/// out; real CSV, however repetitive, compresses far less than a bomb.
@Suite struct GzipBombTests {
    /// 4 MiB of one short valid row repeated: about 1000:1.
    static let bomb = gzip(bytes("id,v\n" + String(repeating: "1,a\n", count: 1 << 20)), level: 9)

    @Test(arguments: [256 * 1024, 1024])
    func aBombIsRefusedBeforeItsFirstRow(chunk: Int) async throws {
        let drained = await drain {
            try CSVRecordReader(stream: GzipByteStream(source: MemoryByteStream(Self.bomb)), resume: .start,
                                options: ReaderOptions(), chunkSize: chunk)
        }
        #expect(drained.readError?.kind == .tooLarge, "\(String(describing: drained.error))")
        #expect(drained.readError?.message.contains("(more than max_compression_ratio 200:1): a decompression bomb?") == true)
        #expect(drained.header == nil, "refused while opening")
        #expect(drained.records.isEmpty)
    }

    /// Sequential ids and repeated text: about 25:1 at level 9, the most compressible real CSV looks like.
    @Test func repetitiveRealRowsLoad() async throws {
        let rows = (1...60_000).map { "\($0),ACME Corporation,100.00,2026-01-02,2026-01-02T10:00:00Z\n" }.joined()
        let data = gzip(bytes("id,name,amount,day,at\n" + rows), level: 9)
        let reader = try CSVReaderFactory().open(bytes: data, gzip: true)
        let records = try readAll(reader)
        #expect(records.count == 60_000)
        #expect(records.allSatisfy { $0.isRow })
        #expect(records.last?.strings.first == "60000")
    }

    /// Under a MiB the ratio is not checked: a small file of one row repeated is not a bomb.
    @Test func aSmallRepetitiveFileLoads() async throws {
        let data = gzip(bytes("id,v\n" + String(repeating: "1,a\n", count: 200_000)), level: 9)
        let records = try readAll(CSVReaderFactory().open(bytes: data, gzip: true))
        #expect(records.count == 200_000)
    }

    /// A truncation found while the first MiB is inflated still comes after the good rows before it.
    @Test func aTruncationInTheFirstMiBKeepsTheRowsBeforeIt() async throws {
        let fixture = makeFixture(rows: 14_000, seed: 5, loneCR: false)
        // Whole 256 KiB blocks inflate well before the cut, which is inside the first MiB.
        try #require(fixture.bytes.count > 600 * 1024 && fixture.bytes.count < 1 << 20, "\(fixture.bytes.count)")
        let data = gzip(fixture.bytes)
        let drained = await drain { try CSVReaderFactory().open(bytes: Array(data.prefix(data.count * 3 / 4)), gzip: true) }
        #expect(drained.readError?.kind == .truncated)
        #expect(!drained.records.isEmpty)
        expectSame(drained.records, fixture.rows.prefix(drained.records.count), "rows before the cut")
    }
}
