// SPDX-License-Identifier: Apache-2.0
// The public API: put/get/remove, AS OF, replay protection, idempotency,
// validation, durability across reopen, lifecycle.
#include <gtest/gtest.h>

#include <filesystem>

#include "nedb/nedb.h"
#include "test_util.h"

namespace nedb {
namespace {

using nlohmann::json;
using test::ReadFile;
using test::TempDir;

TEST(DbTest, FreshDatabaseIsGenesisOnly) {
  NEDB db;
  EXPECT_EQ(db.seq(), 0u);
  EXPECT_EQ(db.head().size(), 64u);  // hex SHA-256: the Merkle root
  EXPECT_EQ(db.head(), db.root(1));
  EXPECT_FALSE(db.get("users", "alice", 0).has_value());
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
}

TEST(DbTest, PutSetsIdAndReplacesWholeDocument) {
  NEDB db;
  json doc = db.put("users", "alice", {{"name", "Alice"}, {"age", 31}});
  EXPECT_EQ(doc, json({{"_id", "alice"}, {"name", "Alice"}, {"age", 31}}));
  EXPECT_EQ(db.seq(), 1u);
  db.put("users", "alice", {{"age", 32}});
  EXPECT_EQ(*db.get("users", "alice"), json({{"_id", "alice"}, {"age", 32}}));
  EXPECT_EQ(db.put("users", "bob", {{"_id", "bob"}})["_id"], "bob");
  EXPECT_THROW(db.put("users", "carol", {{"_id", "dave"}}), InvalidArgument);
  EXPECT_THROW(db.put("users", "carol", {{"_id", 5}}), InvalidArgument);
}

TEST(DbTest, AsOfSeesTheStateAfterThatSeq) {
  NEDB db;
  db.put("users", "alice", {{"age", 31}});  // seq 1
  std::uint64_t snap = db.seq();
  db.put("users", "alice", {{"age", 32}});   // seq 2
  EXPECT_TRUE(db.remove("users", "alice"));  // seq 3
  EXPECT_FALSE(db.get("users", "alice").has_value());
  EXPECT_EQ((*db.get("users", "alice", snap))["age"], 31);
  EXPECT_EQ((*db.get("users", "alice", 2))["age"], 32);
  EXPECT_FALSE(db.get("users", "alice", 3).has_value());
  EXPECT_FALSE(db.get("users", "alice", 0).has_value());
  db.put("users", "alice", {{"age", 40}});  // seq 4: back again
  EXPECT_EQ((*db.get("users", "alice"))["age"], 40);
  EXPECT_FALSE(db.get("users", "alice", 3).has_value());
  EXPECT_THROW(db.get("users", "alice", 5), InvalidArgument);
  try {
    db.get("users", "alice", 99);
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("future"), std::string::npos);
  }
}

TEST(DbTest, RemoveOfMissingDocumentAppendsNothing) {
  NEDB db;
  EXPECT_FALSE(db.remove("users", "ghost"));
  EXPECT_EQ(db.seq(), 0u);
  db.put("users", "a", json::object());
  EXPECT_TRUE(db.remove("users", "a"));
  EXPECT_FALSE(db.remove("users", "a"));
  EXPECT_EQ(db.seq(), 2u);
}

TEST(DbTest, NonceMustStrictlyIncreasePerClient) {
  NEDB db;
  db.put("events", "e1", {{"t", 1}}, {.client = "tracker", .nonce = 42});
  EXPECT_THROW(db.put("events", "e2", {{"t", 2}}, {.client = "tracker", .nonce = 42}), ReplayError);
  EXPECT_THROW(db.put("events", "e2", {{"t", 2}}, {.client = "tracker", .nonce = 7}), ReplayError);
  EXPECT_EQ(db.seq(), 1u);  // nothing appended
  EXPECT_FALSE(db.get("events", "e2").has_value());
  db.put("events", "e2", {{"t", 2}}, {.client = "tracker"});  // auto: 43
  EXPECT_THROW(db.put("events", "e3", json::object(), {.client = "tracker", .nonce = 43}),
               ReplayError);
  db.put("events", "e3", json::object(), {.client = "tracker", .nonce = 44});
  // Other clients are independent.
  db.put("events", "e4", json::object(), {.client = "other", .nonce = 1});
  EXPECT_THROW(db.remove("events", "e4", {.client = "other", .nonce = 1}), ReplayError);
  EXPECT_THROW(db.link("a:1", "r", "b:2", {.client = "other", .nonce = 1}), ReplayError);
}

TEST(DbTest, IdempotencyIsCheckedBeforeTheNonce) {
  NEDB db;
  WriteOptions o{.client = "checkout", .nonce = 7, .idem = "charge-o1"};
  json first = db.put("orders", "o1", {{"total", 42}}, o);
  std::uint64_t seq = db.seq();
  for (int i = 0; i < 5; ++i) {
    // Same key and same nonce: the original result, no ReplayError, no append.
    EXPECT_EQ(db.put("orders", "o1", {{"total", 42}}, o), first);
  }
  // Same key, different content: still the original result.
  EXPECT_EQ(db.put("orders", "o1", {{"total", 99}}, {.client = "checkout", .idem = "charge-o1"}),
            first);
  EXPECT_EQ(db.seq(), seq);
  EXPECT_EQ((*db.get("orders", "o1"))["total"], 42);
  // The original result even after the document changed.
  db.put("orders", "o1", {{"total", 50}}, {.client = "checkout"});
  EXPECT_EQ(db.put("orders", "o1", {{"total", 42}}, o), first);
  // A key used by a delete cannot be answered with a document.
  db.put("orders", "o2", json::object());
  EXPECT_TRUE(db.remove("orders", "o2", {.idem = "del-o2"}));
  EXPECT_TRUE(db.remove("orders", "o2", {.idem = "del-o2"}));
  EXPECT_THROW(db.put("orders", "o2", json::object(), {.idem = "del-o2"}), InvalidArgument);
}

TEST(DbTest, InvalidArgumentsAreRejectedWithClearErrors) {
  NEDB db;
  EXPECT_THROW(db.put("", "a", json::object()), InvalidArgument);
  EXPECT_THROW(db.put("users", "", json::object()), InvalidArgument);
  EXPECT_THROW(db.put("my\tusers", "a", json::object()), InvalidArgument);
  EXPECT_THROW(db.put("users:x", "a", json::object()), InvalidArgument);
  EXPECT_THROW(db.put(std::string(257, 'u'), "a", json::object()), InvalidArgument);
  EXPECT_THROW(db.put("users", "a", json::array()), InvalidArgument);
  EXPECT_THROW(db.put("users", "a", 5), InvalidArgument);
  EXPECT_THROW(db.put("users", "a", "text"), InvalidArgument);
  EXPECT_THROW(db.put("users", std::string("a\0b", 3), json::object()), InvalidArgument);
  EXPECT_THROW(db.put("users", "\xff", json::object()), InvalidArgument);
  for (const char* bad : {"\xc0\x80", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80", "a\x80"}) {
    EXPECT_THROW(db.put("users", bad, json::object()), InvalidArgument) << bad;
  }
  EXPECT_THROW(db.put("users", "a", {{"bad", "\xff"}}), InvalidArgument);
  EXPECT_THROW(db.put("users", "a", json::object(), {.client = ""}), InvalidArgument);
  EXPECT_THROW(db.put("users", "a", json::object(), {.idem = ""}), InvalidArgument);
  EXPECT_THROW(db.get("", "a"), InvalidArgument);
  EXPECT_THROW(db.link("users", "follows", "users:b"), InvalidArgument);
  EXPECT_THROW(db.link("users:a", "fol\nlows", "users:b"), InvalidArgument);
  EXPECT_THROW(db.link("users:a", "follows", "users:"), InvalidArgument);
  EXPECT_EQ(db.seq(), 0u);
  try {
    db.put("my:users", "a", json::object());
    ADD_FAILURE() << "my:users accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("my:users"), std::string::npos);
  }
  // Ids may hold any UTF-8, including separators and quotes.
  db.put("users", "a:b/\"c\" \xc3\xa9", {{"ok", true}});
  db.put("users", "\xf0\x9f\x98\x80\xe2\x82\xac", {{"ok", true}});  // 4- and 3-byte UTF-8
  EXPECT_TRUE(db.get("users", "a:b/\"c\" \xc3\xa9").has_value());
}

TEST(DbTest, DurableReopenKeepsEverythingVerbatim) {
  TempDir dir;
  std::string head;
  std::uint64_t seq;
  {
    NEDB db(dir.sub("data"));
    db.put("users", "alice", {{"name", "Alice"}, {"nested", {{"x", {1, 2.5, nullptr}}}}});
    db.put("orders", "o1", {{"total", 42}}, {.client = "checkout", .nonce = 7, .idem = "k"});
    db.link("users:alice", "follows", "users:bob");
    db.put("users", "alice", {{"name", "Alice2"}});
    db.remove("orders", "o1");
    db.unlink("users:alice", "follows", "users:bob");
    head = db.head();
    seq = db.seq();
    db.close();
    EXPECT_THROW(db.get("users", "alice"), ClosedError);
    EXPECT_THROW(db.put("users", "x", json::object()), ClosedError);
    EXPECT_THROW(db.seq(), ClosedError);
    db.close();  // idempotent
  }
  const std::string log_before = ReadFile(dir.sub("data/log.aof"));
  NEDB db(dir.sub("data"));
  EXPECT_EQ(db.seq(), seq);
  EXPECT_EQ(db.head(), head);
  EXPECT_EQ(ReadFile(dir.sub("data/log.aof")), log_before);  // not rewritten
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
  EXPECT_EQ((*db.get("users", "alice"))["name"], "Alice2");
  EXPECT_EQ((*db.get("users", "alice", 1))["nested"]["x"][1], 2.5);
  EXPECT_FALSE(db.get("orders", "o1").has_value());
  EXPECT_EQ((*db.get("orders", "o1", 2))["total"], 42);
  EXPECT_EQ(db.neighbors("users:alice", "follows", 3), std::vector<std::string>{"users:bob"});
  EXPECT_TRUE(db.neighbors("users:alice", "follows").empty());
  // Nonce and idempotency tables were rebuilt from the log.
  EXPECT_THROW(db.put("x", "1", json::object(), {.client = "checkout", .nonce = 7}), ReplayError);
  EXPECT_EQ(db.put("orders", "o1", json::object(), {.client = "checkout", .idem = "k"})["total"],
            42);
  EXPECT_EQ(db.seq(), seq);
}

TEST(DbTest, DurableFilesAreCreated) {
  TempDir dir;
  NEDB db(dir.sub("a/b/c"));
  EXPECT_EQ(db.path(), dir.sub("a/b/c"));
  // The first segment of the log starts with its header (docs/FORMAT.md).
  std::string seg = ReadFile(dir.sub("a/b/c/log/00000001.seg"));
  EXPECT_EQ(seg.rfind("NEDBSEG\n", 0), 0u);
  EXPECT_FALSE(std::filesystem::exists(dir.sub("a/b/c/log.aof")));
  const std::vector<json> ops = db.log(10);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0]["op"], "genesis");
  EXPECT_EQ(ops[0]["format_version"], 2);
  EXPECT_EQ(json::parse(ReadFile(dir.sub("a/b/c/meta.json")))["indexes"], json::array());
}

TEST(DbTest, SecondOpenOfTheSameDirectoryIsRefused) {
  TempDir dir;
  NEDB db(dir.sub("d"));
  EXPECT_THROW(NEDB(dir.sub("d")), LockError);
  db.close();
  NEDB again(dir.sub("d"));  // released by close()
  EXPECT_EQ(again.seq(), 0u);
}

TEST(DbTest, AllSyncPoliciesPersist) {
  for (Sync s : {Sync::Always, Sync::EverySec, Sync::None}) {
    TempDir dir;
    {
      NEDB db(dir.sub("d"), Options{.sync = s});
      for (int i = 0; i < 50; ++i) db.put("c", std::to_string(i), {{"i", i}});
      db.flush();
    }
    NEDB db(dir.sub("d"));
    EXPECT_EQ(db.seq(), 50u);
    EXPECT_EQ((*db.get("c", "49"))["i"], 49);
  }
}

TEST(DbTest, MemoryDatabaseVerifiesAndIsDeterministic) {
  NEDB db;
  for (int i = 0; i < 200; ++i) {
    db.put("c", std::to_string(i % 17), {{"i", i}, {"s", std::string(i % 5, 'x')}});
    if (i % 7 == 0) db.remove("c", std::to_string(i % 13));
    if (i % 3 == 0) db.link("c:" + std::to_string(i % 11), "r", "c:" + std::to_string(i % 5));
    if (i % 4 == 0) db.unlink("c:" + std::to_string(i % 11), "r", "c:" + std::to_string(i % 5));
  }
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
}

}  // namespace
}  // namespace nedb
