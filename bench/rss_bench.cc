// SPDX-License-Identifier: Apache-2.0
// Resident memory of 1,000,000 live documents (each id put once, so no
// history), against the sum of their JSON byte sizes.
//
//   rss_bench MODE [N]     MODE: nedb-durable | nedb-memory | sqlite-memory
//
// Reads VmRSS from /proc/self/status before and after loading; documents are
// generated one at a time inside the loop (none are kept by the program), so
// the difference is what the database holds. Prints one JSON line.
//
// nedb-durable: nedb::NEDB(dir, {.sync = Sync::None}) under $NEDB_BENCH_DIR;
//   the log lives on disk (page cache is not in VmRSS), so this is the cost of
//   the live state alone.
// nedb-memory: nedb::NEDB mem; it also keeps the whole log text in memory.
// sqlite-memory: the peer, ":memory:" with the docs table, one transaction.
#include <nedb/nedb.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "bench_common.h"

namespace nb = nedb_bench;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: rss_bench nedb-durable|nedb-memory|sqlite-memory [N]\n";
    return 2;
  }
  const std::string mode = argv[1];
  const std::int64_t n = argc > 2 ? std::stoll(argv[2]) : 1'000'000;

  std::unique_ptr<nedb::NEDB> db;
  std::unique_ptr<nb::Sqlite> sql;
  sqlite3_stmt* ins = nullptr;
  std::string dir;
  if (mode == "nedb-durable") {
    dir = nb::FreshDir("rss-durable");
  } else if (mode != "nedb-memory" && mode != "sqlite-memory") {
    std::cerr << "unknown mode " << mode << "\n";
    return 2;
  }

  const std::uint64_t before = nb::VmRssBytes();
  const auto t0 = std::chrono::steady_clock::now();
  if (mode == "nedb-durable") {
    db = std::make_unique<nedb::NEDB>(dir, nedb::Options{.sync = nedb::Sync::None});
  } else if (mode == "nedb-memory") {
    db = std::make_unique<nedb::NEDB>();
  } else {
    sql = std::make_unique<nb::Sqlite>(":memory:");
    sql->CreateDocs();
    ins = sql->Prepare("INSERT INTO docs(coll,id,doc) VALUES(?1,?2,?3)");
    sql->Exec("BEGIN");
  }
  std::uint64_t doc_bytes = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::string id = nb::Id(i);
    nlohmann::json doc = nb::Doc(i);
    if (db) {
      nlohmann::json stored = db->put(nb::kColl, id, std::move(doc));
      doc_bytes += stored.dump().size();
    } else {
      const std::string text = doc.dump();
      nb::SqlInsert(sql->get(), ins, id, text);
      doc_bytes += text.size();
    }
  }
  if (sql) sql->Exec("COMMIT");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::uint64_t after = nb::VmRssBytes();
  const std::uint64_t hwm = nb::VmRssBytes("VmHWM:");
  if (db && db->seq() != static_cast<std::uint64_t>(n)) {
    std::cerr << "wrong seq\n";
    return 1;
  }
  const double delta = static_cast<double>(after) - static_cast<double>(before);
  std::printf(
      "{\"mode\":\"%s\",\"docs\":%lld,\"doc_json_bytes\":%llu,\"rss_before\":%llu,"
      "\"rss_after\":%llu,\"rss_delta\":%.0f,\"vm_hwm\":%llu,\"ratio\":%.3f,\"load_secs\":%.3f,"
      "\"bytes_per_doc\":%.1f}\n",
      mode.c_str(), static_cast<long long>(n), static_cast<unsigned long long>(doc_bytes),
      static_cast<unsigned long long>(before), static_cast<unsigned long long>(after), delta,
      static_cast<unsigned long long>(hwm), delta / static_cast<double>(doc_bytes), secs,
      delta / static_cast<double>(n));
  std::fflush(stdout);
  return 0;
}
