// SPDX-License-Identifier: Apache-2.0
// Collection and relation names as the reference allows ("a collection is
// just a string"): any 1 to 256 bytes of UTF-8 without NUL, control
// characters or ':' work in every API, in indexes, in node keys, in NQL
// (double-quoted) and across restart and checkpoint; anything else is an
// InvalidArgument that states the rule.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nedb/nedb.h"
#include "nedb/query.h"
#include "test_util.h"

namespace nedb {
namespace {

using nlohmann::json;

const std::string kRule = "1 to 256 bytes of UTF-8 without NUL, control characters or ':'";

// 128 x U+00E9: 256 bytes.
std::string Longest() {
  std::string s;
  for (int k = 0; k < 128; ++k) s += "\xC3\xA9";
  return s;
}

std::vector<std::string> GoodNames() {
  return {"users-v2",
          "a b",
          "a.b",
          ".",
          "..",
          "1users",
          "caf\xC3\xA9 \xE2\x98\x95",  // "café ☕"
          "\xF0\x9F\x98\x80",          // an emoji
          "a\"b\\c",
          "it's",
          "/slash/",
          "from",
          "\xC2\xA0",  // NBSP is not a control character
          std::string(256, 'n'),
          Longest()};
}

std::vector<std::string> BadNames() {
  return {"",
          "a:b",
          ":",
          std::string("a\0b", 3),
          "a\nb",
          "a\x01",
          "a\x7f",
          "a\xC2\x85",  // U+0085, a C1 control
          "\xFF",
          "\xC3",          // truncated
          "\xC0\xAF",      // overlong
          "\xED\xA0\x80",  // a surrogate
          std::string(257, 'n'),
          Longest() + "x"};
}

std::vector<std::string> Ids(const std::vector<json>& rows) {
  std::vector<std::string> out;
  for (const json& r : rows) out.push_back(r["_id"]);
  return out;
}

std::string Quoted(const std::string& name) { return json(name).dump(); }

TEST(CollectionNamesTest, EveryWriteAndReadTakesAnyValidName) {
  NEDB db;
  for (const std::string& c : GoodNames()) {
    SCOPED_TRACE(c);
    db.put(c, "a", {{"n", 1}});
    EXPECT_EQ(db.get(c, "a"), json({{"_id", "a"}, {"n", 1}}));
    db.put_text(c, "b", R"({"_id":"b","n":2})");
    EXPECT_EQ(db.get_text(c, "b"), R"({"_id":"b","n":2})");
    EXPECT_TRUE(db.expire(c, "b", 3600));
    EXPECT_TRUE(db.remove(c, "a"));
    EXPECT_FALSE(db.get(c, "a").has_value());
    EXPECT_TRUE(db.get(c, "a", db.seq() - 1).has_value());
  }
  const auto stats = db.stats();
  EXPECT_EQ(stats.collections.at("users-v2"), 1u);
  EXPECT_EQ(stats.collections.at(Longest()), 1u);
}

TEST(CollectionNamesTest, BadNamesAreRefusedNamingTheRule) {
  NEDB db;
  for (const std::string& c : BadNames()) {
    SCOPED_TRACE(testing::PrintToString(c));
    try {
      db.put(c, "a", json::object());
      ADD_FAILURE() << "accepted";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("collection name"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(kRule), std::string::npos) << e.what();
      // The message is printable: no control bytes or invalid UTF-8 echoed.
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
      EXPECT_TRUE(json(std::string(e.what())).dump().size() > 0);
    }
    EXPECT_THROW(db.get(c, "a"), InvalidArgument);
    EXPECT_THROW(db.get_text(c, "a"), InvalidArgument);
    EXPECT_THROW(db.put_text(c, "a", R"({"_id":"a"})"), InvalidArgument);
    EXPECT_THROW(db.remove(c, "a"), InvalidArgument);
    EXPECT_THROW(db.expire(c, "a", 1), InvalidArgument);
    EXPECT_THROW(db.create_index(c, "x", "eq"), InvalidArgument);
    EXPECT_THROW(db.q(c), QueryError);
    EXPECT_THROW(db.link("u:1", c, "u:2"), InvalidArgument);
    EXPECT_THROW(db.neighbors("u:1", c), InvalidArgument);
    if (c.find(':') == std::string::npos) {  // else the key splits earlier
      EXPECT_THROW(db.link(c + ":1", "r", "u:2"), InvalidArgument);
      EXPECT_THROW(db.link("u:1", "r", c + ":2"), InvalidArgument);
      EXPECT_THROW(db.inbound(c + ":2", "r"), InvalidArgument);
    }
  }
  EXPECT_EQ(db.seq(), 0u);
  try {
    db.link("u:1", "a:b", "u:2");
    ADD_FAILURE() << "relation a:b accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("relation name \"a:b\" contains ':'"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(kRule), std::string::npos) << e.what();
  }
}

TEST(CollectionNamesTest, NodeKeysAndRelations) {
  NEDB db;
  db.put("users-v2", "ada", {{"n", 1}});
  db.put("caf\xC3\xA9 \xE2\x98\x95", "b:1", {{"n", 2}});
  EXPECT_TRUE(db.link("users-v2:ada", "follows-v2", "caf\xC3\xA9 \xE2\x98\x95:b:1"));
  EXPECT_TRUE(db.link("users-v2:ada", "likes \xE2\x9D\xA4", "users-v2:ada"));
  EXPECT_TRUE(db.link("users-v2:ada", Longest(), "users-v2:ada"));
  EXPECT_EQ(db.neighbors("users-v2:ada", "follows-v2"),
            std::vector<std::string>{"caf\xC3\xA9 \xE2\x98\x95:b:1"});
  EXPECT_EQ(db.inbound("caf\xC3\xA9 \xE2\x98\x95:b:1", "follows-v2"),
            std::vector<std::string>{"users-v2:ada"});
  // TRAVERSE follows node keys split at the first ':'.
  EXPECT_EQ(Ids(db.query(R"(FROM "users-v2" TRAVERSE "follows-v2")")),
            std::vector<std::string>{"b:1"});
  EXPECT_EQ(Ids(db.q("users-v2").traverse("follows-v2").run()), std::vector<std::string>{"b:1"});
  EXPECT_EQ(Ids(db.query("FROM \"users-v2\" TRAVERSE " + Quoted(Longest()))),
            std::vector<std::string>{"ada"});
  const json plan = db.explain(R"(FROM "users-v2" TRAVERSE "follows-v2")");
  EXPECT_EQ(plan["collection"], "users-v2");
  EXPECT_EQ(plan["steps"].back(), json({{"step", "traverse"}, {"relation", "follows-v2"}}));
  EXPECT_TRUE(db.unlink("users-v2:ada", "follows-v2", "caf\xC3\xA9 \xE2\x98\x95:b:1"));
  EXPECT_TRUE(db.neighbors("users-v2:ada", "follows-v2").empty());
}

TEST(CollectionNamesTest, NqlBuilderAndExplainQuoteNames) {
  NEDB db;
  for (const std::string& c : GoodNames()) {
    SCOPED_TRACE(c);
    db.put(c, "x", {{"age", 40}});
    db.put(c, "y", {{"age", 20}});
    const std::string nql = "FROM " + Quoted(c) + " WHERE age >= 30";
    EXPECT_EQ(Ids(db.query(nql)), std::vector<std::string>{"x"});
    EXPECT_EQ(db.q(c).where("age", ">=", 30).run(), db.query(nql));
    const std::string text = db.q(c).where("age", ">=", 30).nql();
    EXPECT_EQ(db.query(text), db.query(nql)) << text;
    EXPECT_EQ(db.explain(nql)["collection"], c);
  }
  EXPECT_EQ(db.q("users-v2").where("age", ">=", 30).nql(), R"(FROM "users-v2" WHERE age >= 30)");
  EXPECT_EQ(db.q("a\"b\\c").nql(), R"(FROM "a\"b\\c")");
  EXPECT_EQ(db.q("from").nql(), "FROM from");
}

TEST(CollectionNamesTest, IndexesOnAnyName) {
  NEDB db;
  for (const std::string& c : GoodNames()) {
    SCOPED_TRACE(c);
    db.create_index(c, "age", "ordered");
    db.put(c, "x", {{"age", 40}});
    db.put(c, "y", {{"age", 20}});
    const std::string nql = "FROM " + Quoted(c) + " WHERE age >= 30";
    EXPECT_EQ(db.explain(nql)["steps"][0]["using"], json({{"kind", "ordered"}, {"field", "age"}}));
    EXPECT_EQ(Ids(db.query(nql)), std::vector<std::string>{"x"});
  }
  EXPECT_EQ(db.indexes().size(), GoodNames().size());
}

// Writes data, an index and an edge under unusual names, then checks them
// after reopening from the log, and after a checkpoint from the snapshot.
TEST(CollectionNamesTest, PersistAcrossRestartAndCheckpoint) {
  test::TempDir dir;
  const std::string path = dir.sub("d");
  auto check = [&](NEDB& db) {
    for (const std::string& c : GoodNames()) {
      SCOPED_TRACE(c);
      EXPECT_EQ(db.get(c, "x"), json({{"_id", "x"}, {"age", 40}}));
      const std::string nql = "FROM " + Quoted(c) + " WHERE age = 40";
      EXPECT_EQ(db.explain(nql)["steps"][0]["using"], json({{"kind", "eq"}, {"field", "age"}}))
          << db.explain(nql).dump();
      EXPECT_EQ(Ids(db.query(nql)), std::vector<std::string>{"x"});
      EXPECT_EQ(db.neighbors(c + ":x", "next \xE2\x86\x92"), std::vector<std::string>{c + ":y"});
    }
    EXPECT_EQ(db.indexes().size(), GoodNames().size());
    EXPECT_TRUE(db.verify());
  };
  {
    NEDB db(path);
    for (const std::string& c : GoodNames()) {
      db.create_index(c, "age", "eq");
      db.put(c, "x", {{"age", 40}});
      db.put(c, "y", {{"age", 20}});
      db.link(c + ":x", "next \xE2\x86\x92", c + ":y");
    }
    check(db);
  }
  {
    NEDB db(path);  // from the log
    check(db);
    db.checkpoint();
  }
  NEDB db(path);  // from the snapshot
  EXPECT_TRUE(db.open_info().value("snapshot_seq", json()).is_number()) << db.open_info().dump();
  check(db);
}

}  // namespace
}  // namespace nedb
