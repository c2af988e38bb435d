import Foundation
import GRDB

extension Row {
    /// A column's value; a value of another type is a corrupt store, said so (GRDB's subscripts would stop the process).
    func value<T: DatabaseValueConvertible>(_ column: String, of table: String) throws(StoreError) -> T {
        do {
            return try decode(T.self, forColumn: column)
        } catch {
            throw StoreError.corrupt("\(table).\(column) is not a(n) \(T.self)")
        }
    }

    /// The value at `index` (hot paths: no look-up of the column by name, SQLite's value read directly);
    /// `column` names it in the error.
    func value<T: DatabaseValueConvertible & StatementColumnConvertible>(at index: Int, _ column: String, of table: String) throws(StoreError) -> T {
        do {
            return try decode(T.self, atIndex: index)
        } catch {
            throw StoreError.corrupt("\(table).\(column) is not a(n) \(T.self)")
        }
    }

    /// Free text kept as a UTF-8 blob (`StoredText`); stores made before hold it as text.
    func text(_ column: String, of table: String) throws(StoreError) -> String? {
        let stored: DatabaseValue = try value(column, of: table)
        switch stored.storage {
        case .null: return nil
        case .string(let text): return text
        case .blob(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .int64, .double: throw StoreError.corrupt("\(table).\(column) holds a number, not text")
        }
    }
}

/// Free text read from the inputs (a reject message, an organisation's name) is bound as a UTF-8 blob:
/// SQLite's text binding would cut it at a NUL byte.
enum StoredText {
    static func blob(_ text: String?) -> Data? { text.map { Data($0.utf8) } }
}
