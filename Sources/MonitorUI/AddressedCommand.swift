package import NodeEvents

/// A command for one node of the dashboard.
package struct AddressedCommand: Equatable, Sendable {
    /// The index of the node in ``Dashboard/nodes``.
    package var node: Int
    /// What to ask that node.
    package var command: NodeCommand

    /// A command for node `node`.
    package init(node: Int, command: NodeCommand) {
        self.node = node
        self.command = command
    }
}
