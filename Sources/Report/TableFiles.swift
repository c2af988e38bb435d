import Indicators
import Records

/// indicators.csv: the machine contract (docs/design.md §7). UTF-8, comma, `.` decimals, LF.
public enum IndicatorsCSV {
    public static let header = "indicator,period,territory,stakeholder_type,dimension,category,value,n,ci_low,ci_high,status"

    /// The whole file; rows are sorted by every key column here, whatever order they came in.
    public static func render(_ rows: [IndicatorRow]) -> String {
        var out = header + "\n"
        // Appended field by field: arrays of cells joined per row were most of the writing time.
        for r in rows.sortedByKey() {
            for field in [r.indicator.id, r.period, r.territory, r.stakeholderType, r.dimension, r.category] {
                out += CSVText.field(field)
                out += ","
            }
            for number in [r.value.map(NumberText.machine), r.n.map(String.init), r.ciLow.map(NumberText.machine), r.ciHigh.map(NumberText.machine)] {
                out += number ?? ""
                out += ","
            }
            out += r.status.rawValue
            out += "\n"
        }
        return out
    }
}

/// indicators-excel.csv: the same table for French spreadsheets (BOM, `;`, decimal comma, CRLF,
/// French headers, a label column, statuses in words).
public enum ExcelCSV {
    /// The whole file, labelled in `language`.
    public static func render(_ rows: [IndicatorRow], labels: Labels) -> String {
        let d: Character = ";"
        let header = [labels[.colIndicator], labels[.colLabel], labels[.colPeriod], labels[.colTerritory],
                      labels[.colStakeholder], labels[.colDimension], labels[.colCategory], labels[.colValue], "n",
                      labels[.colCILow], labels[.colCIHigh], labels[.colStatus]]
        var out = "\u{FEFF}" + header.map { CSVText.field($0, delimiter: d) }.joined(separator: String(d)) + "\r\n"
        for r in rows.sortedByKey() {
            for text in [r.indicator.id, labels.indicator(r.indicator), r.period, labels.territory(r.territory),
                         labels.stakeholder(r.stakeholderType), r.dimension, labels.category(r.dimension, r.category)] {
                out += CSVText.field(text, delimiter: d)
                out.append(d)
            }
            for number in [r.value.map(NumberText.excel), r.n.map(String.init), r.ciLow.map(NumberText.excel), r.ciHigh.map(NumberText.excel)] {
                out += number ?? ""
                out.append(d)
            }
            out += CSVText.field(labels.status(r.status), delimiter: d)
            out += "\r\n"
        }
        return out
    }
}

/// rejects.csv: one row per rejected record or faulty field, formula-safe.
public enum RejectsCSV {
    public static let header = "source,record,field,value,reason,message"

    /// One line, with its line break: source, record, field, value, reason, message.
    public static func line(_ fields: String...) -> String {
        fields.map { CSVText.field($0) }.joined(separator: ",") + "\n"
    }
}
