/// Everything a key can ask the monitor to do; the ``KeyTable`` binds each to its keys.
package enum Action: String, CaseIterable, Sendable {
    case forceSync
    case syncAll
    case togglePause
    case startResume
    case addPeer
    case disconnect
    case publishTest
    case audit
    case drillDown
    case back
    case nextPane
    case previousPane
    case moveUp
    case moveDown
    case pageUp
    case pageDown
    case top
    case bottom
    case filterLog
    case watchNode
    case help
    case quit
}
