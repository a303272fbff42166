/// Lower-case hexadecimal text for bytes, as every vector and log line in this project writes it.
extension Sequence<UInt8> {
    package var hexString: String {
        var out: [UInt8] = []
        out.reserveCapacity(self.underestimatedCount * 2)
        for byte in self {
            out.append(Hex.digit(byte >> 4))
            out.append(Hex.digit(byte))
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Parses hexadecimal text into bytes.
package enum Hex {
    /// The lower-case digit of the low four bits of `nibble`.
    package static func digit(_ nibble: UInt8) -> UInt8 {
        let value = nibble & 0x0f
        return value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// The bytes of `text`, which must have an even number of hex digits (either case, no `0x`).
    package static func decode(_ text: some StringProtocol) throws(CodecError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else {
            throw CodecError(.invalidValue, at: utf8.count, "hex text has an odd number of digits")
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else {
                throw CodecError(.invalidValue, at: index, "not a hex digit near offset \(index)")
            }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
