// SPDX-License-Identifier: Apache-2.0
// A database written by the engine itself, for nedb_cli_test.sh and
// format_doc_test.sh: what the nedb tool, scripts/verify_log.py and the
// recipes of docs/FORMAT.md read from its directory must be what nedb::NEDB
// says.
//
//   nedb_cli_engine_db write DIR   writes puts (three versions of one
//       document, then erased), deletes, links and an unlink, a checkpoint, an
//       erase and ops after them, in small segments; closes; prints one JSON
//       object: head, seq, roots (roots[n - 1] = root(n) for every tree size
//       n), log (NEDB::log() of every op, oldest first), erase_seq, erased
//       (the seqs it erased), marker (a string only the erased versions held)
//   nedb_cli_engine_db hold DIR    opens DIR, puts one more document, flushes,
//       prints {"head", "seq"} and keeps DIR open until stdin is closed
//   nedb_cli_engine_db erase DIR COLL ID   opens DIR (upgrading a v1
//       directory), erases COLL/ID, closes; prints {"head", "seq"}
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "nedb/nedb.h"

int main(int argc, char** argv) {
  if (argc < 3 || argc != (std::string(argv[1]) == "erase" ? 5 : 3)) {
    std::cerr << "usage: nedb_cli_engine_db write|hold DIR | erase DIR COLL ID\n";
    return 2;
  }
  const std::string mode = argv[1], dir = argv[2];
  nedb::Options options;
  options.segment_bytes = 1024;  // several segments
  options.logger = [](const std::string&) {};
  nedb::NEDB db(dir, options);
  if (mode == "erase") {
    db.erase(argv[3], argv[4], {.reason = "format_doc_test"});
    std::cout << nlohmann::json{{"head", db.head()}, {"seq", db.seq()}}.dump() << std::endl;
    return 0;
  }
  if (mode == "hold") {
    db.put("notes", "held", {{"text", "written while nedb reads"}});
    db.flush();
    std::cout << nlohmann::json{{"head", db.head()}, {"seq", db.seq()}}.dump() << std::endl;
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    return 0;
  }
  const std::string marker = "ERASE-ME-7f3a";
  for (int i = 0; i < 20; i++) {
    db.put("users", "u" + std::to_string(i), {{"n", i}, {"bio", std::string(40, 'a' + i % 26)}});
  }
  db.put("users", "carol", {{"email", marker + "-v1"}});
  db.link("users:u1", "knows", "users:carol");
  db.put("users", "carol", {{"email", marker + "-v2"}}, {.client = "app", .nonce = 5});
  db.remove("users", "u3");
  db.link("users:u2", "knows", "users:u1");
  db.unlink("users:u2", "knows", "users:u1");
  db.put("orders", "o1", {{"total", 42}}, {.client = "checkout", .nonce = 7, .idem = "charge-o1"});
  db.checkpoint();
  db.put("users", "carol", {{"email", marker + "-v3"}});
  db.remove("users", "u4", {.idem = "rm-u4"});
  const std::uint64_t erase_seq = db.erase("users", "carol", {.reason = "GDPR art. 17"});
  for (int i = 20; i < 30; i++) db.put("users", "u" + std::to_string(i), {{"n", i}});
  db.remove("users", "u20");

  nlohmann::json out;
  const std::uint64_t n = db.seq() + 1;
  out["head"] = db.head();
  out["seq"] = db.seq();
  out["roots"] = nlohmann::json::array();
  for (std::uint64_t size = 1; size <= n; size++) out["roots"].push_back(db.root(size));
  auto log = db.log(n);  // newest first
  out["log"] = nlohmann::json(std::vector<nlohmann::json>(log.rbegin(), log.rend()));
  out["erase_seq"] = erase_seq;
  out["erased"] = out["log"][erase_seq]["erases"];
  out["marker"] = marker;
  if (!db.verify()) {
    std::cerr << "verify() failed\n";
    return 1;
  }
  db.close();
  std::cout << out.dump() << std::endl;
  return 0;
}
