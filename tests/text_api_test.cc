// SPDX-License-Identifier: Apache-2.0
// The canonical-text paths: IsCanonicalJsonObject, NEDB::put_text() and
// NEDB::get_text() (what the Redis layer uses to skip JSON trees).
#include <gtest/gtest.h>

#include <random>

#include "nedb/nedb.h"
#include "test_util.h"
#include "util/canonical_json.h"
#include "util/json_text.h"

namespace nedb {
namespace {

using nlohmann::json;
using test::TempDir;

TEST(CanonicalJsonTest, AcceptsWhatDumpWrites) {
  const std::vector<json> docs = {
      json::object(),
      {{"_id", "a"}},
      {{"b", 1}, {"a", -2}, {"c", 18446744073709551615ull}, {"d", INT64_MIN}},
      {{"f", 1.5}, {"g", 1e100}, {"h", -0.0}, {"i", 2.0}, {"j", 1e-7}, {"k", 5e-324}},
      {{"s", "quote\" back\\ nl\n tab\t ctl\x01 del\x7f slash/ \xc3\xa9 \xf0\x9f\x98\x80"}},
      {{"nested", {{"z", {1, "two", nullptr, true, false, json::array()}}, {"a", json::object()}}}},
      {{"B", 1}, {"_", 2}, {"a", 3}, {"\xc3\xa9", 4}, {"\x01", 5}, {"\"", 6}, {"\\", 7}},
  };
  for (const json& d : docs) {
    std::string why;
    EXPECT_TRUE(IsCanonicalJsonObject(d.dump(), &why)) << d.dump() << ": " << why;
  }
}

TEST(CanonicalJsonTest, RejectsEverythingElseWithAPosition) {
  const std::vector<std::string> bad = {
      "",
      "[]",
      "\"s\"",
      "{ }",
      "{\"a\": 1}",
      "{\"b\":1,\"a\":2}",              // unsorted
      "{\"a\":1,\"a\":2}",              // duplicate
      "{\"a\":01}",                     // leading zero
      "{\"a\":-0}",                     // parses as 0
      "{\"a\":1.50}",                   // dump() writes 1.5
      "{\"a\":1E5}",                    // dump() writes 100000.0
      "{\"a\":100000000000000000000}",  // past uint64: a double
      "{\"a\":\"\\u0041\"}",            // 'A' needs no escape
      "{\"a\":\"\\u000a\"}",            // \n has a short escape
      "{\"a\":\"\\u001F\"}",            // upper-case hex
      "{\"a\":\"\\/\"}",                // '/' is not escaped
      "{\"a\":\"\x01\"}",               // raw control character
      "{\"a\":\"\xc3\"}",               // truncated UTF-8
      "{\"a\":\"\xed\xa0\x80\"}",       // surrogate
      "{\"a\":tru}",
      "{\"a\":1}x",
      "{\"a\":1",
      "{\"a\":[1,]}",
  };
  for (const std::string& t : bad) {
    std::string why;
    EXPECT_FALSE(IsCanonicalJsonObject(t, &why)) << t;
    if (!t.empty() && t[0] == '{') {
      EXPECT_NE(why.find("at byte"), std::string::npos) << why;
    }
  }
  std::string deep = "{\"a\":";
  for (int i = 0; i < kMaxCanonicalDepth; ++i) deep += "[";
  for (int i = 0; i < kMaxCanonicalDepth; ++i) deep += "]";
  deep += "}";
  EXPECT_FALSE(IsCanonicalJsonObject(deep));
}

TEST(CanonicalJsonTest, AgreesWithDumpOnRandomDocuments) {
  std::mt19937_64 rng(7);
  const std::vector<std::string> keys = {"a", "b", "_id", "Z", "\xc3\xa9", "k\"q", "n\n", ""};
  std::function<json(int)> value = [&](int depth) -> json {
    switch (rng() % (depth > 3 ? 5 : 7)) {
      case 0: return static_cast<std::int64_t>(rng());
      case 1:
        return std::ldexp(static_cast<double>(rng() % 100000), static_cast<int>(rng() % 80) - 40);
      case 2: return std::string(1 + rng() % 5, static_cast<char>(rng() % 128));
      case 3: return rng() % 2 == 0;
      case 4: return nullptr;
      case 5: {
        json a = json::array();
        for (int i = rng() % 4; i > 0; --i) a.push_back(value(depth + 1));
        return a;
      }
      default: {
        json o = json::object();
        for (int i = rng() % 4; i > 0; --i) o[keys[rng() % keys.size()]] = value(depth + 1);
        return o;
      }
    }
  };
  for (int n = 0; n < 2000; ++n) {
    json o = json::object();
    for (int i = rng() % 5; i > 0; --i) o[keys[rng() % keys.size()]] = value(1);
    const std::string text = o.dump();
    ASSERT_TRUE(IsCanonicalJsonObject(text)) << text;
    // Any one-byte change either is dump() of what it parses to, or is rejected.
    std::string mutated = text;
    mutated[rng() % mutated.size()] = "{}[],:\"\\ 0a.e-"[rng() % 15];
    bool canonical = false;
    try {
      const json p = json::parse(mutated);
      canonical = p.is_object() && p.dump() == mutated;
    } catch (const json::exception&) {
    }
    EXPECT_EQ(IsCanonicalJsonObject(mutated), canonical) << mutated;
  }
}

TEST(TextApiTest, PutTextStoresTheTextAndGetTextReturnsIt) {
  TempDir dir;
  {
    NEDB db(dir.sub("db"));
    const std::string text = json{{"_id", "k1"}, {"v", "x\ny"}, {"n", 3}}.dump();
    const std::uint64_t seq = db.put_text("kv", "k1", text);
    EXPECT_EQ(seq, db.seq());
    EXPECT_EQ(db.get_text("kv", "k1"), text);
    EXPECT_EQ(db.get("kv", "k1"), json::parse(text));
    EXPECT_EQ(db.query("FROM kv WHERE n = 3").size(), 1u);
    EXPECT_EQ(db.get_text("kv", "missing"), std::nullopt);
    // AS OF and history behave as for put().
    db.put_text("kv", "k1", json{{"_id", "k1"}, {"n", 4}}.dump());
    EXPECT_EQ(db.get_text("kv", "k1", seq), text);
    EXPECT_TRUE(db.verify());
    EXPECT_TRUE(db.verify_determinism());
  }
  NEDB again(dir.sub("db"));
  EXPECT_EQ(again.get("kv", "k1"), (json{{"_id", "k1"}, {"n", 4}}));
}

TEST(TextApiTest, PutTextRejectsNonCanonicalTextAndAWrongId) {
  NEDB db;
  EXPECT_THROW(db.put_text("kv", "k", "{\"_id\": \"k\"}"), InvalidArgument);
  EXPECT_THROW(db.put_text("kv", "k", "{\"v\":1,\"_id\":\"k\"}"), InvalidArgument);
  EXPECT_THROW(db.put_text("kv", "k", "{\"v\":1}"), InvalidArgument);            // no _id
  EXPECT_THROW(db.put_text("kv", "k", "{\"_id\":\"other\"}"), InvalidArgument);  // wrong _id
  EXPECT_THROW(db.put_text("kv", "k", "{\"_id\":7}"), InvalidArgument);
  EXPECT_THROW(db.put_text("", "k", "{\"_id\":\"k\"}"), InvalidArgument);
  try {
    db.put_text("kv", "k", "{\"_id\":\"k\",\"a\":01}");
    ADD_FAILURE();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("leading zero at byte"), std::string::npos) << e.what();
  }
  EXPECT_EQ(db.seq(), 0u);  // nothing appended
  // An escaped id compares decoded.
  db.put_text("kv", "a\"b", json{{"_id", "a\"b"}}.dump());
  EXPECT_TRUE(db.get("kv", "a\"b").has_value());
}

TEST(TextApiTest, PutTextKeepsNonceIdemAndTtlRules) {
  NEDB db;
  const std::string t1 = json{{"_id", "k"}, {"v", 1}}.dump();
  const std::uint64_t s1 = db.put_text("kv", "k", t1, {.client = "c", .nonce = 5, .idem = "i1"});
  EXPECT_EQ(db.put_text("kv", "k", json{{"_id", "k"}, {"v", 2}}.dump(), {.idem = "i1"}), s1);
  EXPECT_EQ(db.get_text("kv", "k"), t1);
  EXPECT_THROW(db.put_text("kv", "k", t1, {.client = "c", .nonce = 5}), ReplayError);
  // ttl_s adds _expires_at (the text is parsed and put() stores it).
  db.put_text("kv", "t", json{{"_id", "t"}}.dump(), {.ttl_s = 100});
  const json stored = *db.get("kv", "t");
  EXPECT_TRUE(stored.contains("_expires_at"));
  EXPECT_EQ(db.get_text("kv", "t"), stored.dump());
  // With ttl_s the seq is still the op's (or, for a repeated idem key, the first op's).
  const std::uint64_t st =
      db.put_text("kv", "t2", json{{"_id", "t2"}}.dump(), {.idem = "ttl", .ttl_s = 100});
  EXPECT_EQ(st, db.seq());
  db.put("kv", "t2", {{"later", true}});
  EXPECT_EQ(db.put_text("kv", "t2", json{{"_id", "t2"}}.dump(), {.idem = "ttl", .ttl_s = 100}), st);
  // An expired document is gone for get_text() as for get().
  db.put_text("kv", "old", json{{"_id", "old"}, {"_expires_at", 1.0}}.dump());
  EXPECT_EQ(db.get_text("kv", "old"), std::nullopt);
  EXPECT_TRUE(db.get_text("kv", "old", db.seq() - 1).has_value());  // AS OF ignores expiry
}

TEST(JsonTextTest, WithMembersIsWhatParseAssignDumpGives) {
  std::mt19937_64 rng(11);
  const std::vector<std::string> keys = {"a",    "b",   "_id", "Z",  "\xc3\xa9",
                                         "k\"q", "n\n", "",    "len"};
  const std::vector<std::string> plain = {"", "Z", "_id", "_rtype", "a", "b", "head", "len", "z"};
  for (int n = 0; n < 2000; ++n) {
    json o = json::object();
    for (int i = rng() % 6; i > 0; --i) {
      o[keys[rng() % keys.size()]] = static_cast<std::int64_t>(rng() % 1000) - 500;
    }
    std::vector<nedb::MemberUpdate> updates;
    std::vector<std::string> values;
    values.reserve(plain.size());
    json expect = o;
    for (const std::string& k : plain) {  // sorted
      if (rng() % 3 != 0) continue;
      values.push_back(json(k + "-v").dump());
      updates.push_back({k, values.back()});
      expect[k] = k + "-v";
    }
    EXPECT_EQ(nedb::WithMembers(o.dump(), updates), expect.dump()) << o.dump();
  }
  EXPECT_THROW(nedb::WithMembers("{}", {{"b", "1"}, {"a", "1"}}), nedb::InvalidArgument);
  EXPECT_THROW(nedb::WithMembers("{}", {{"a", "1"}, {"a", "2"}}), nedb::InvalidArgument);
  EXPECT_THROW(nedb::WithMembers("{}", {{"q\"", "1"}}), nedb::InvalidArgument);
  EXPECT_THROW(nedb::WithMembers("[]", {}), nedb::InvalidArgument);
}

}  // namespace
}  // namespace nedb
