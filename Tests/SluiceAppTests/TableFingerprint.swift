import Foundation

/// An order-independent fingerprint of a query's rows: their count and a wrapping sum of
/// per-row FNV-1a hashes over every column, so two tables compare equal without sorting.
struct TableFingerprint: Equatable, CustomStringConvertible {
    var rows = 0
    var sum: UInt64 = 0
    var xor: UInt64 = 0

    init(database: String, sql: String) throws {
        self.init(rows: try query(database, sql))
    }

    init(rows table: [[String?]]) {
        for row in table {
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for column in row {
                for byte in (column.map { "v" + $0 } ?? "NULL").utf8 + [0x1F] {
                    hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                }
            }
            rows += 1
            sum &+= hash
            xor ^= hash
        }
    }

    var description: String { "\(rows) rows, sum \(String(sum, radix: 16)), xor \(String(xor, radix: 16))" }
}

/// Every column of the staging table but the store's own file id, which may differ between databases.
let stagingColumns = "order_id, sku, product_name, category, quantity, price, currency, order_date, updated_at, in_stock, notes, feed, _supplier, _file, _row"
let quarantineColumns = "supplier, file, kind, line, byte_offset, row_number, reason, raw"
