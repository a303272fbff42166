/// A bench that could not measure (the mesh did not form, a child scenario failed): one line for
/// the command to print.
package struct BenchFailure: Error, CustomStringConvertible {
    /// What went wrong, as the command prints it.
    package var description: String

    init(_ description: String) {
        self.description = description
    }
}
