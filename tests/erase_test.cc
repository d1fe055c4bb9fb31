// SPDX-License-Identifier: Apache-2.0
// NEDB::erase(): the payload of every version leaves the log, the snapshot
// and memory; the history stays provable; AS OF reads of an erased version
// throw ErasedError; a crash between the erase op and the rewrite of the
// records is finished on open.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "nedb/nedb.h"
#include "test_util.h"

namespace nedb {
namespace {

using nlohmann::json;

// True if any file under dir contains needle (a `grep -r` of the directory).
bool DirContains(const std::string& dir, const std::string& needle) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    if (test::ReadFile(e.path().string()).find(needle) != std::string::npos) return true;
  }
  return false;
}

const std::string kSecret = "s3cr3t-canary-7f1c";

struct History {
  std::uint64_t v1, v2, other, erase;
  std::vector<std::string> roots;  // root(n) for every n before the erase
  std::vector<InclusionProof> proofs;
};

// Two versions of users/u1 holding the canary, one other document, then
// the erase.
History WriteAndErase(NEDB& db) {
  History h;
  h.v1 = db.put_text("users", "u1", R"({"_id":"u1","email":")" + kSecret + R"(","n":1})");
  db.create_index("users", "email", "eq");
  h.v2 = db.put_text("users", "u1", R"({"_id":"u1","email":")" + kSecret + R"(x","n":2})");
  h.other = db.put_text("users", "u2", R"({"_id":"u2","email":"b@example.com"})");
  db.link("users:u1", "knows", "users:u2");
  for (std::uint64_t n = 1; n <= db.seq() + 1; ++n) h.roots.push_back(db.root(n));
  for (std::uint64_t s = 0; s <= db.seq(); ++s) h.proofs.push_back(db.prove(s));
  h.erase = db.erase("users", "u1", {.reason = "GDPR art. 17", .client = "dpo"});
  return h;
}

void ExpectErased(NEDB& db, const History& h) {
  EXPECT_FALSE(db.get("users", "u1"));
  EXPECT_EQ(db.get("users", "u2")->at("email"), "b@example.com");
  for (std::uint64_t s : {h.v1, h.v2, h.other}) {
    try {
      db.get("users", "u1", s);
      ADD_FAILURE() << "AS OF " << s << " returned instead of throwing ErasedError";
    } catch (const ErasedError& e) {
      EXPECT_EQ(e.erase_seq(), h.erase);
    }
  }
  EXPECT_FALSE(db.get("users", "u1", h.erase));  // gone at the erase op itself
  EXPECT_THROW(db.query("FROM users AS OF " + std::to_string(h.v2)), ErasedError);
  EXPECT_THROW(
      db.query("FROM users AS OF " + std::to_string(h.v1) + " WHERE email = \"" + kSecret + "\""),
      ErasedError);
  EXPECT_TRUE(db.query("FROM users WHERE email = \"" + kSecret + "\"").empty());
  EXPECT_EQ(db.query("FROM users").size(), 1u);
  // The history is still provable: same roots, same proofs.
  for (std::uint64_t n = 1; n <= h.roots.size(); ++n) EXPECT_EQ(db.root(n), h.roots[n - 1]);
  for (std::uint64_t s = 0; s < h.proofs.size(); ++s) {
    EXPECT_TRUE(VerifyInclusion(h.proofs[s], db.root(h.proofs[s].tree_size)));
    EXPECT_TRUE(VerifyInclusion(db.prove(s), db.head()));
  }
  EXPECT_TRUE(VerifyConsistency(db.prove_consistency(h.roots.size()), h.roots.back(), db.head()));
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
  // log() shows the erased ops without their payload.
  bool saw_erase = false;
  for (const json& e : db.log(100)) {
    const std::uint64_t s = e.at("seq");
    if (s == h.v1 || s == h.v2) {
      EXPECT_EQ(e.value("erased", 0u), h.erase) << e.dump();
      EXPECT_FALSE(e.contains("doc")) << e.dump();
    }
    if (s == h.erase) {
      saw_erase = true;
      EXPECT_EQ(e.at("op"), "erase");
      EXPECT_EQ(e.at("reason"), "GDPR art. 17");
      EXPECT_EQ(e.at("erases"), json::array({h.v1, h.v2}));
    }
    EXPECT_EQ(e.dump().find(kSecret), std::string::npos) << e.dump();
  }
  EXPECT_TRUE(saw_erase);
}

TEST(Erase, InMemory) {
  NEDB db;
  const History h = WriteAndErase(db);
  ExpectErased(db, h);
}

TEST(Erase, DurableSurvivesRestartAndLeavesNoTraceOnDisk) {
  test::DbDir d;
  History h;
  {
    NEDB db(d.db());
    h = WriteAndErase(db);
    ExpectErased(db, h);
    EXPECT_FALSE(DirContains(d.db(), kSecret));
  }
  NEDB db(d.db());
  ExpectErased(db, h);
  EXPECT_FALSE(DirContains(d.db(), kSecret));
}

TEST(Erase, AfterACheckpointTheSnapshotIsRewritten) {
  test::DbDir d;
  History h;
  {
    NEDB db(d.db());
    db.put_text("users", "u1", R"({"_id":"u1","email":")" + kSecret + R"("})");
    db.checkpoint();
    ASSERT_TRUE(DirContains(d.db(), kSecret));
    h.v1 = 1;
    h.erase = db.erase("users", "u1");
    EXPECT_FALSE(DirContains(d.db(), kSecret));
  }
  NEDB db(d.db());
  EXPECT_TRUE(db.open_info().at("snapshot").get<bool>());
  EXPECT_FALSE(db.get("users", "u1"));
  EXPECT_THROW(db.get("users", "u1", h.v1), ErasedError);
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
  EXPECT_FALSE(DirContains(d.db(), kSecret));
}

TEST(Erase, HistoryBeforeTheSnapshotIsReplayedWithoutThePayload) {
  test::DbDir d;
  std::uint64_t v, e;
  {
    NEDB db(d.db());
    v = db.put_text("users", "u1", R"({"_id":"u1","email":")" + kSecret + R"("})");
    db.remove("users", "u1");
    db.put_text("users", "u9", R"({"_id":"u9"})");
    db.checkpoint();
  }
  {
    NEDB db(d.db());
    EXPECT_TRUE(db.get("users", "u1", v));  // the history, replayed from the log
    e = db.erase("users", "u1");            // a deleted document's history can be erased
    EXPECT_THROW(db.get("users", "u1", v), ErasedError);
    EXPECT_FALSE(DirContains(d.db(), kSecret));
  }
  NEDB db(d.db());
  try {
    db.get("users", "u1", v);
    ADD_FAILURE() << "no ErasedError";
  } catch (const ErasedError& x) {
    EXPECT_EQ(x.erase_seq(), e);
  }
  EXPECT_FALSE(db.get("users", "u1", v + 1));  // deleted then, not erased
  EXPECT_TRUE(db.verify());
}

TEST(Erase, RulesAndErrors) {
  NEDB db;
  EXPECT_THROW(db.erase("users", "nobody"), NotFound);
  db.put("users", "u1", {{"a", 1}});
  EXPECT_THROW(db.erase("users", "u1", {.reason = std::string(1025, 'r')}), InvalidArgument);
  EXPECT_THROW(db.erase("users", "u1", {.reason = "\xff"}), InvalidArgument);
  EXPECT_THROW(db.atomic([&] { db.erase("users", "u1"); }), InvalidArgument);
  const std::uint64_t e = db.erase("users", "u1", {.idem = "erase-u1"});
  EXPECT_EQ(db.erase("users", "u1", {.idem = "erase-u1"}), e);  // idempotent
  EXPECT_THROW(db.erase("users", "u1"), NotFound);              // nothing left
  // Re-created after the erase: a new version, erasable again.
  db.put("users", "u1", {{"a", 2}});
  EXPECT_EQ(db.get("users", "u1")->at("a"), 2);
  const std::uint64_t e2 = db.erase("users", "u1");
  EXPECT_GT(e2, e);
  EXPECT_TRUE(db.verify());
  EXPECT_TRUE(db.verify_determinism());
}

// The erase op is durable before the records are rewritten; a crash in
// between (simulated: the records are put back as they were) is finished
// by the next open.
TEST(Erase, InterruptedEraseIsFinishedOnOpen) {
  test::DbDir d;
  std::map<std::string, std::string> before;
  {
    NEDB db(d.db());
    db.put_text("users", "u1", R"({"_id":"u1","email":")" + kSecret + R"("})");
    db.flush();
    for (const auto& e : std::filesystem::directory_iterator(d.db() + "/log")) {
      before[e.path().string()] = test::ReadFile(e.path().string());
    }
    db.erase("users", "u1");
  }
  // Put the first segment back as it was before the rewrite, keeping the
  // erase op (appended at its end) from the erased file.
  for (const auto& [path, old] : before) {
    std::string now = test::ReadFile(path);
    ASSERT_GE(now.size(), old.size());
    test::WriteFile(path, old + now.substr(old.size()));
  }
  ASSERT_TRUE(DirContains(d.db(), kSecret));
  std::vector<std::string> logged;
  NEDB db(d.db(), {.logger = [&](const std::string& m) { logged.push_back(m); }});
  EXPECT_FALSE(DirContains(d.db(), kSecret));
  EXPECT_TRUE(db.verify());
  bool said = false;
  for (const auto& m : logged) said |= m.find("interrupted erase") != std::string::npos;
  EXPECT_TRUE(said);
}

}  // namespace
}  // namespace nedb
