// SPDX-License-Identifier: Apache-2.0
// The reference's Quickstart in C++: a durable database, relations and
// time travel, printing each result.
#include <nedb/nedb.h>

#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "./mydata";
  std::filesystem::remove_all(dir);  // start fresh each run
  nedb::NEDB db(dir);                // durable; nedb::NEDB mem; for in-memory

  auto show = [](const std::string& what, const nlohmann::json& v) {
    std::cout << what << " -> " << v.dump() << "\n";
  };

  // Indexes power fast filtering, sorting and full-text search.
  db.create_index("users", "status", "eq");
  db.create_index("users", "age", "ordered");
  db.create_index("users", "bio", "search");

  show("put users/alice",
       db.put("users", "alice",
              {{"name", "Alice"}, {"age", 31}, {"status", "active"}, {"bio", "systems engineer"}}));
  show("put users/bob",
       db.put("users", "bob",
              {{"name", "Bob"}, {"age", 40}, {"status", "active"}, {"bio", "database architect"}}));

  // Idempotent write: safe to retry forever.
  for (int attempt = 0; attempt < 3; ++attempt) {
    show("put orders/o1 (idem, attempt " + std::to_string(attempt + 1) + ")",
         db.put("orders", "o1", {{"total", 42}},
                {.client = "checkout", .nonce = 7, .idem = "charge-o1"}));
  }
  show("seq after three idempotent attempts", db.seq());

  // Query with NQL.
  show(R"(query FROM users WHERE status = "active" ORDER BY age DESC)",
       db.query(R"(FROM users WHERE status = "active" ORDER BY age DESC)"));
  show(R"(query FROM users SEARCH "systems")", db.query(R"(FROM users SEARCH "systems")"));

  // Relations.
  db.link("users:alice", "follows", "users:bob");
  show("neighbors(users:alice, follows)", db.neighbors("users:alice", "follows"));
  show("inbound(users:bob, follows)", db.inbound("users:bob", "follows"));
  show("q(users).where(_id = alice).traverse(follows)",
       db.q("users").where("_id", "=", "alice").traverse("follows").run());

  // Time travel.
  const std::uint64_t snap = db.seq();
  db.put("users", "alice", {{"age", 32}, {"status", "active"}});
  show("get users/alice (HEAD)", *db.get("users", "alice"));
  show("get users/alice AS OF " + std::to_string(snap) + " [age]",
       (*db.get("users", "alice", snap))["age"]);
  show("get users/alice AS OF 0", db.get("users", "alice", 0).has_value());

  // Integrity.
  show("explain FROM users WHERE status = \"active\"",
       db.explain(R"(FROM users WHERE status = "active")"));
  show("GROUP BY status COUNT", db.query("FROM users GROUP BY status COUNT"));
  show("verify()", db.verify());
  show("verify_determinism()", db.verify_determinism());
  // The history is a Merkle tree whose root is head(): any op can be proven
  // in it, and the proof checked without the database (docs/MERKLE.md).
  show("prove(1) checks against head()", nedb::VerifyInclusion(db.prove(1), db.head()));
  show("seq", db.seq());
  const std::string head = db.head();
  show("head", head);
  db.close();  // flush + fsync

  nedb::NEDB again(dir);  // reopen: replays log.aof
  show("after reopen: verify()", again.verify());
  show("after reopen: get users/bob [name]", (*again.get("users", "bob"))["name"]);
  show("after reopen: head unchanged", again.head() == head);
  return 0;
}
