import Testing

@testable import WakuBench

@Suite("Text columns")
struct TextColumnsTests {
    @Test("cells are padded to their column, cut when too long, and those past the last column left as they are")
    func widths() {
        let columns = TextColumns(widths: [4, 3])
        #expect(columns.line(["ab", "c"]) == "ab  c  ")
        #expect(columns.line(["abcdef", "c", "rest of it"]) == "abcdc  rest of it")
        #expect(columns.line(["ab"]) == "ab  ")
    }

    @Test("the separator goes between cells, not after the last")
    func separator() {
        let columns = TextColumns(widths: [3, 3], separator: "  ")
        #expect(columns.line(["a", "b"]) == "a    b  ")
        #expect(columns.line(["a", "b", "c"]) == "a    b    c")
    }
}
