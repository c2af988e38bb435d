import Indicators
import Records

/// indicators.csv: the machine contract (docs/design.md §7). UTF-8, comma, `.` decimals, LF.
public enum IndicatorsCSV {
    public static let header = "indicator,period,territory,stakeholder_type,dimension,category,value,n,ci_low,ci_high,status"

    /// The whole file; rows are sorted by every key column here, whatever order they came in.
    public static func render(_ rows: [IndicatorRow]) -> String {
        var out = CSVBytes(capacity: 128 * (rows.count + 1))
        out.append(header)
        out.append(byte: UInt8(ascii: "\n"))
        for r in rows.sortedByKey() {
            for field in [r.indicator.id, r.period, r.territory, r.stakeholderType, r.dimension, r.category] {
                out.field(field)
                out.appendDelimiter()
            }
            for number in [r.value.map(NumberText.machine), r.n.map(String.init), r.ciLow.map(NumberText.machine), r.ciHigh.map(NumberText.machine)] {
                if let number { out.append(number) }
                out.appendDelimiter()
            }
            out.append(r.status.rawValue)
            out.append(byte: UInt8(ascii: "\n"))
        }
        return out.text
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
        var out = CSVBytes(capacity: 256 * (rows.count + 1), delimiter: d)
        out.append("\u{FEFF}" + header.map { CSVText.field($0, delimiter: d) }.joined(separator: String(d)) + "\r\n")
        // Labels of the indicator and territory made when they change (rows come in key order), of a status once.
        var indicator: (id: Indicator, label: String)?
        var territory: (id: String, label: String)?
        let statuses = [IndicatorStatus.ok, .suppressed, .insufficient].map { ($0, labels.status($0)) }
        // A number as `NumberText.excel` has it (the machine form, a decimal comma), written as bytes.
        func number(_ value: Double?) {
            if let value { out.append(NumberText.machine(value), replacing: UInt8(ascii: "."), with: UInt8(ascii: ",")) }
            out.appendDelimiter()
        }
        for r in rows.sortedByKey() {
            if indicator?.id != r.indicator { indicator = (r.indicator, labels.indicator(r.indicator)) }
            if territory?.id != r.territory { territory = (r.territory, labels.territory(r.territory)) }
            for text in [r.indicator.id, indicator?.label ?? "", r.period, territory?.label ?? "",
                         labels.stakeholder(r.stakeholderType), r.dimension, labels.category(r.dimension, r.category)] {
                out.field(text)
                out.appendDelimiter()
            }
            number(r.value)
            if let n = r.n { out.append(String(n)) }
            out.appendDelimiter()
            number(r.ciLow)
            number(r.ciHigh)
            out.field(statuses.first { $0.0 == r.status }?.1 ?? labels.status(r.status))
            out.append("\r\n")
        }
        return out.text
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
