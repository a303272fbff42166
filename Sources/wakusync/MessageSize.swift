/// nwaku's size syntax for `--max-msg-size`: a number of bytes, optionally followed by `KiB` or
/// `MiB` (1024-based) or `KB` or `MB` (1000-based), case-insensitive.
enum MessageSize {
    static func bytes(_ text: String) -> Int? {
        let trimmed = text.trimmingPrefix(while: \.isWhitespace)
        let digits = trimmed.prefix(while: \.isNumber)
        guard let value = Int(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingPrefix(while: \.isWhitespace).lowercased()
        let factor: Int
        switch unit {
        case "", "b": factor = 1
        case "kib": factor = 1_024
        case "mib": factor = 1 << 20
        case "kb": factor = 1_000
        case "mb": factor = 1_000_000
        default: return nil
        }
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }
}
