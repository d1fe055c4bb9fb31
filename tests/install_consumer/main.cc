// SPDX-License-Identifier: Apache-2.0
#include <nedb/nedb.h>

#include <iostream>
int main() {
  nedb::NEDB db;
  db.put("users", "alice", {{"name", "Alice"}, {"age", 31}});
  db.put("orders", "o1", {{"total", 42}}, {.client = "checkout", .nonce = 7, .idem = "charge-o1"});
  std::cout << db.query("FROM users")[0].dump() << " " << db.verify()
            << " version=" << nedb::kVersion << "\n";
}
