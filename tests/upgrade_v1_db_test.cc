// SPDX-License-Identifier: Apache-2.0
// Opening a v1 directory upgrades it, and nothing is lost: a copy of the v1
// fixture (tests/data/v1_fixture/, written by the last v1 engine) opened with
// nedb::NEDB reads back everything in expected.json -- every HEAD document,
// get() AS OF earlier seqs, neighbors and inbound edges, queries through the
// indexes of meta.json, each client's last nonce (a stale one is refused),
// idempotency keys (the original seq) -- and verifies. Needs the engine to
// call logv2::UpgradeV1 on open (issue 14).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nedb/nedb.h"
#include "test_util.h"

namespace nedb {
namespace {

namespace fs = std::filesystem;
using nedb::test::ReadFile;
using nedb::test::TempDir;
using nlohmann::json;

const std::string kFixture = NEDB_V1_FIXTURE_DIR;

class UpgradedFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ex_ = json::parse(ReadFile(kFixture + "/expected.json"));
    dir_ = tmp_.sub("db");
    fs::create_directories(dir_);
    for (const auto& e : fs::directory_iterator(kFixture + "/db")) {
      fs::copy_file(e.path(), fs::path(dir_) / e.path().filename());
    }
  }
  std::unique_ptr<NEDB> Open() {
    Options o;
    o.logger = [this](const std::string& s) { logged_.push_back(s); };
    return std::make_unique<NEDB>(dir_, o);
  }
  std::uint64_t Seq() const { return ex_["seq"].get<std::uint64_t>(); }

  TempDir tmp_;
  std::string dir_;
  json ex_;
  std::vector<std::string> logged_;
};

// The directory was converted (log/ written, log.aof kept as log.aof.v1)
// and said so.
TEST_F(UpgradedFixture, OpenUpgradesOnce) {
  {
    auto db = Open();
    EXPECT_EQ(db->seq(), Seq());
  }
  EXPECT_TRUE(fs::exists(dir_ + "/log/00000001.seg"));
  EXPECT_TRUE(fs::exists(dir_ + "/log.aof.v1"));
  EXPECT_TRUE(fs::exists(dir_ + "/snapshot.json.v1"));
  EXPECT_FALSE(fs::exists(dir_ + "/log.aof"));
  bool said = false;
  for (const auto& l : logged_) said |= l.find("ops converted") != std::string::npos;
  EXPECT_TRUE(said) << ::testing::PrintToString(logged_);
  EXPECT_TRUE(ReadFile(dir_ + "/log.aof.v1") == ReadFile(kFixture + "/db/log.aof"))
      << "log.aof.v1 is not the fixture's log.aof";
  // A reopen reads the v2 log; nothing is converted again.
  logged_.clear();
  auto db = Open();
  EXPECT_EQ(db->seq(), Seq());
  for (const auto& l : logged_) EXPECT_EQ(l.find("ops converted"), std::string::npos) << l;
  EXPECT_TRUE(db->verify());
}

TEST_F(UpgradedFixture, HeadDocuments) {
  auto db = Open();
  ASSERT_EQ(db->seq(), Seq());
  std::uint64_t n = 0;
  for (const auto& [coll, docs] : ex_["docs"].items()) {
    for (const auto& [id, doc] : docs.items()) {
      const auto got = db->get(coll, id);
      ASSERT_TRUE(got.has_value()) << coll << "/" << id;
      EXPECT_EQ(*got, doc) << coll << "/" << id;
      // The stored bytes are the canonical text, as before.
      EXPECT_EQ(db->get_text(coll, id), doc.dump()) << coll << "/" << id;
      ++n;
    }
  }
  EXPECT_EQ(n, ex_["live_docs"].get<std::uint64_t>());
  for (const auto& k : ex_["deleted"]) {
    EXPECT_FALSE(db->get(k[0].get<std::string>(), k[1].get<std::string>()).has_value()) << k;
  }
  const Stats st = db->stats();
  EXPECT_EQ(st.live_docs, ex_["live_docs"].get<std::uint64_t>());
  EXPECT_EQ(json(st.collections), ex_["collections"]);
  EXPECT_EQ(json(db->indexes()), ex_["indexes"]);
}

TEST_F(UpgradedFixture, AsOfReads) {
  auto db = Open();
  for (const auto& e : ex_["as_of"]) {
    const auto got = db->get(e["coll"].get<std::string>(), e["id"].get<std::string>(),
                             e["seq"].get<std::uint64_t>());
    if (e["doc"].is_null()) {
      EXPECT_FALSE(got.has_value()) << e["seq"] << " " << e["coll"] << "/" << e["id"];
    } else {
      ASSERT_TRUE(got.has_value()) << e["seq"] << " " << e["coll"] << "/" << e["id"];
      EXPECT_EQ(*got, e["doc"]) << e["seq"] << " " << e["coll"] << "/" << e["id"];
    }
  }
}

TEST_F(UpgradedFixture, Edges) {
  auto db = Open();
  for (const auto& e : ex_["neighbors"]) {
    std::optional<std::uint64_t> as_of;
    if (!e["seq"].is_null()) as_of = e["seq"].get<std::uint64_t>();
    EXPECT_EQ(json(db->neighbors(e["from"].get<std::string>(), e["rel"].get<std::string>(), as_of)),
              e["to"])
        << e;
  }
  for (const auto& e : ex_["inbound"]) {
    EXPECT_EQ(json(db->inbound(e["to"].get<std::string>(), e["rel"].get<std::string>())), e["from"])
        << e;
  }
}

TEST_F(UpgradedFixture, Queries) {
  auto db = Open();
  for (const auto& q : ex_["queries"]) {
    EXPECT_EQ(json(db->query(q["nql"].get<std::string>())), q["result"]) << q["nql"];
  }
}

// Every client's last nonce survives: that nonce again is a replay, the next
// one is accepted.
TEST_F(UpgradedFixture, Nonces) {
  auto db = Open();
  for (const auto& [client, last] : ex_["last_nonce"].items()) {
    WriteOptions o;
    o.client = client;
    o.nonce = last.get<std::uint64_t>();
    EXPECT_THROW(db->put("nonce_check", "x", json::object(), o), ReplayError) << client;
  }
  EXPECT_EQ(db->seq(), Seq());
  for (const auto& [client, last] : ex_["last_nonce"].items()) {
    WriteOptions o;
    o.client = client;
    o.nonce = last.get<std::uint64_t>() + 1;
    EXPECT_NO_THROW(db->put("nonce_check", client, json::object(), o)) << client;
  }
  EXPECT_EQ(db->seq(), Seq() + ex_["last_nonce"].size());
}

// Idempotency keys: a put's key returns the original seq and appends
// nothing; another kind's key is refused for a put, naming its seq.
TEST_F(UpgradedFixture, IdemKeys) {
  auto db = Open();
  for (const auto& [key, v] : ex_["idem"].items()) {
    WriteOptions o;
    o.idem = key;
    const std::uint64_t seq = v["seq"].get<std::uint64_t>();
    if (v["op"] == "put") {
      EXPECT_EQ(db->put_text("idem_check", "x", R"({"_id":"x"})", o), seq) << key;
    } else {
      try {
        db->put_text("idem_check", "x", R"({"_id":"x"})", o);
        ADD_FAILURE() << key << ": no InvalidArgument";
      } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("at seq " + std::to_string(seq)), std::string::npos)
            << e.what();
      }
    }
  }
  EXPECT_EQ(db->seq(), Seq());
}

TEST_F(UpgradedFixture, Verifies) {
  auto db = Open();
  EXPECT_TRUE(db->verify());
  EXPECT_TRUE(db->verify_determinism());
}

}  // namespace
}  // namespace nedb
