import Testing
import WakuCore

@Suite("Topics")
struct TopicTests {
    @Test(
        "static shard topics parse and print",
        arguments: [("/waku/2/rs/1/4", 1, 4), ("/waku/2/rs/0/0", 0, 0), ("/waku/2/rs/65535/1023", 65535, 1023)]
    )
    func parse(text: String, cluster: Int, shard: Int) throws {
        let parsed = try StaticShard(pubsubTopic: text)
        #expect(parsed == StaticShard(cluster: UInt16(cluster), shard: UInt16(shard)))
        #expect(parsed.pubsubTopic == text)
    }

    @Test(
        "malformed pubsub topics are rejected with a reason",
        arguments: [
            "/waku/2/default-waku/proto", "/waku/2/rs/1", "/waku/2/rs/1/2/3", "/waku/2/rs//2", "/waku/2/rs/a/2",
            "/waku/2/rs/1/70000", "/waku/2/rs/-1/2", "waku/2/rs/1/2",
        ]
    )
    func malformed(text: String) {
        let error = #expect(throws: TopicError.self) { try StaticShard(pubsubTopic: text) }
        #expect(error?.description.contains(text) == true)
    }

    @Test("content topics parse with and without a generation")
    func contentTopics() throws {
        let plain = try ContentTopic(parsing: "/toychat/2/huilong/proto")
        #expect(
            plain.application == "toychat" && plain.version == "2" && plain.name == "huilong"
                && plain.encoding == "proto"
        )
        #expect(plain.generation == nil)
        let generation = try ContentTopic(parsing: "/0/toychat/2/huilong/proto")
        #expect(generation.generation == 0 && generation.application == "toychat")
        for bad in ["toychat/2/huilong/proto", "/toychat/2/proto", "/1/a/b/c/d", "/a//b/c", "/a/b/c/d/e/f"] {
            #expect(throws: TopicError.self) { try ContentTopic(parsing: bad) }
        }
    }

    @Test("autosharding maps myapp version 1 to shard 0 of 8 (PROTOCOLS.md §2.3)")
    func autosharding() throws {
        #expect(try ContentTopic(parsing: "/myapp/1/chat/proto").shard(among: 8) == 0)
    }
}
