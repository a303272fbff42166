extension Duration {
    /// The duration in seconds, with its fraction: how every bench turns a measured time into a figure.
    var seconds: Double {
        Double(self.components.seconds) + Double(self.components.attoseconds) / 1e18
    }

    /// The duration in milliseconds, with its fraction.
    var milliseconds: Double { self.seconds * 1e3 }

    /// The duration in microseconds, with its fraction.
    var microseconds: Double { self.seconds * 1e6 }
}
