package import NodeEvents

/// A command for one node of the dashboard.
package struct AddressedCommand: Equatable, Sendable {
    /// The index of the node in ``Dashboard/nodes``.
    package var node: Int
    package var command: NodeCommand

    package init(node: Int, command: NodeCommand) {
        self.node = node
        self.command = command
    }
}
