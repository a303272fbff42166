internal import SwiftProtobuf

/// The Waku metadata request and response, which share one schema (PROTOCOLS.md §7.8).
package struct MetadataMessage: Equatable, Sendable {
    /// Absent in a malformed message; nwaku disconnects when it is missing or differs.
    package var clusterID: UInt32?
    package var shards: [UInt32]

    package init(clusterID: UInt32?, shards: [UInt32]) {
        self.clusterID = clusterID
        self.shards = shards
    }

    /// nwaku's bytes: the cluster id, every shard unpacked in field 2, then all shards packed in
    /// field 3 (`08 01 10 00 10 01 1a 02 00 01` for cluster 1, shards 0 and 1).
    package func serialized() -> [UInt8] {
        var proto = Waku_Metadata_V1_WakuMetadata()
        if let clusterID = self.clusterID { proto.clusterID = clusterID }
        proto.shardsDeprecated = self.shards
        proto.shards = self.shards
        // No required fields in the schema: serialising cannot fail.
        return try! proto.serializedBytes()
    }

    /// Decodes field 3, else field 2 (packed or not), as nwaku reads them.
    package init(serialized bytes: [UInt8]) throws(CodecError) {
        let proto: Waku_Metadata_V1_WakuMetadata
        do {
            proto = try Waku_Metadata_V1_WakuMetadata(serializedBytes: bytes)
        } catch {
            throw CodecError(.invalidValue, at: 0, "metadata protobuf: \(error)")
        }
        self.init(
            clusterID: proto.hasClusterID ? proto.clusterID : nil,
            shards: proto.shards.isEmpty ? proto.shardsDeprecated : proto.shards
        )
    }
}
