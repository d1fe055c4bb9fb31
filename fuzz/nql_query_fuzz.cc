// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: any text through NEDB::query() and explain() on a small
// database with every kind of index, history and edges. (No TTL documents:
// lazy expiry appends ops depending on the plan, so the two databases'
// histories would diverge.) Bad
// queries must raise QueryError or InvalidArgument; nothing may crash, hang
// or leak, and the indexed and unindexed databases must agree.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "nedb/nedb.h"

namespace {

void Fill(nedb::NEDB& db) {
  using nlohmann::json;
  for (int i = 0; i < 40; ++i) {
    json doc = {{"status", i % 3 == 0 ? json("active") : json("idle")},
                {"age", i % 2 ? json(i) : json(i + 0.5)},
                {"bio", i % 5 ? "systems engineer" : "database architect"},
                {"address", {{"city", i % 4 ? "Oslo" : "Bergen"}}}};
    if (i % 7 == 0) doc["tags"] = json::array({"a", i});
    db.put("users", "u" + std::to_string(i % 25), doc);
    if (i % 6 == 0) db.remove("users", "u" + std::to_string(i % 9));
    db.link("users:u" + std::to_string(i % 25), "follows", "users:u" + std::to_string(i % 7));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // SEARCH looks in the search-indexed fields, or in every string when a
  // collection has none (docs/NQL.md): both databases get the same search
  // index so that answers may only differ by a bug.
  static nedb::NEDB* plain = [] {
    auto* db = new nedb::NEDB();
    db->create_index("users", "bio", "search");
    Fill(*db);
    return db;
  }();
  static nedb::NEDB* indexed = [] {
    auto* db = new nedb::NEDB();
    db->create_index("users", "status", "eq");
    db->create_index("users", "age", "ordered");
    db->create_index("users", "bio", "search");
    db->create_index("users", "address.city", "eq");
    Fill(*db);
    return db;
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<nlohmann::json> a, b;
  bool a_ok = false, b_ok = false;
  try {
    a = plain->query(text);
    plain->explain(text);
    a_ok = true;
  } catch (const nedb::QueryError&) {
  } catch (const nedb::InvalidArgument&) {
  }
  try {
    b = indexed->query(text);
    indexed->explain(text);
    b_ok = true;
  } catch (const nedb::QueryError&) {
  } catch (const nedb::InvalidArgument&) {
  }
  if (a_ok != b_ok || a != b) std::abort();  // an index changed an answer
  return 0;
}
