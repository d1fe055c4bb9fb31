// SPDX-License-Identifier: Apache-2.0
// Shared helpers for the NEDB benchmarks: the document generator (about 100
// bytes of JSON each), ids, scratch directories and a thin SQLite wrapper.
#ifndef NEDB_BENCH_BENCH_COMMON_H_
#define NEDB_BENCH_BENCH_COMMON_H_

#include <sqlite3.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace nedb_bench {

inline constexpr const char* kColl = "users";

// Id of document i: "u" + 9 zero-padded digits. Sequential ids are SQLite's
// best case (appends at the right edge of its B-tree), so the put comparison
// is conservative for NEDB.
inline std::string Id(std::uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "u%09llu", static_cast<unsigned long long>(i));
  return buf;
}

// Document i, version v. About 100 bytes once dumped (including "_id"); the
// stored text is exactly doc.dump() because "_id" is already present and
// nlohmann::json keeps keys sorted.
inline nlohmann::json Doc(std::uint64_t i, std::uint64_t v = 0) {
  static const char* kCities[] = {"Lisbon", "Osaka", "Nairobi", "Quito", "Tallinn", "Perth"};
  static const char* kStatus[] = {"active", "idle", "banned"};
  std::uint64_t h = (i + 1) * 0x9E3779B97F4A7C15ull ^ (v + 1) * 0xC2B2AE3D27D4EB4Full;
  h ^= h >> 29;
  nlohmann::json d;
  d["_id"] = Id(i);
  d["name"] = "user " + std::to_string(i);
  d["age"] = 18 + h % 70;
  d["city"] = kCities[(h >> 8) % 6];
  d["status"] = kStatus[(h >> 16) % 3];
  d["score"] = static_cast<double>((h >> 20) % 100000) / 10.0;
  d["v"] = v;
  return d;
}

// Scratch directory for durable data; from NEDB_BENCH_DIR, else ./nedb-bench-tmp.
inline std::string ScratchRoot() {
  const char* e = std::getenv("NEDB_BENCH_DIR");
  std::string root = e != nullptr && *e != '\0' ? e : "nedb-bench-tmp";
  std::filesystem::create_directories(root);
  return std::filesystem::absolute(root).lexically_normal().string();
}

inline std::string FreshDir(const std::string& name) {
  std::string d = ScratchRoot() + "/" + name;
  std::filesystem::remove_all(d);
  return d;
}

// "ext2/ext3/ext4", "tmpfs", ... for the context line of a report.
inline std::string FsType(const std::string& path) {
  struct statfs s;
  if (statfs(path.c_str(), &s) != 0) return "unknown";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53: return "ext2/3/4";
    case 0x01021994: return "tmpfs";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x794c7630: return "overlayfs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(s.f_type));
      return buf;
    }
  }
}

// VmRSS of this process in bytes (from /proc/self/status).
inline std::uint64_t VmRssBytes(const char* field = "VmRSS:") {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::string key = field;
  while (std::getline(f, line)) {
    if (line.compare(0, key.size(), key) == 0) {
      return std::strtoull(line.c_str() + key.size(), nullptr, 10) * 1024;
    }
  }
  return 0;
}

// ---- SQLite ----

inline void SqlCheck(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw std::runtime_error(std::string("sqlite ") + what + ": " +
                             (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
  }
}

class Sqlite {
 public:
  explicit Sqlite(const std::string& path) {
    SqlCheck(
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr),
        db_, "open");
  }
  ~Sqlite() {
    for (sqlite3_stmt* s : stmts_) sqlite3_finalize(s);
    sqlite3_close_v2(db_);
  }
  Sqlite(const Sqlite&) = delete;
  Sqlite& operator=(const Sqlite&) = delete;

  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("sqlite exec \"" + sql + "\": " + m);
    }
  }
  // A prepared statement owned by this connection.
  sqlite3_stmt* Prepare(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    SqlCheck(sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr), db_,
             "prepare");
    stmts_.push_back(s);
    return s;
  }
  sqlite3* get() const { return db_; }

  // The peer's schema.
  void CreateDocs() {
    Exec("CREATE TABLE IF NOT EXISTS docs (coll TEXT, id TEXT, doc TEXT, PRIMARY KEY(coll,id))");
  }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> stmts_;
};

// INSERT of one row with a prepared statement (texts bound SQLITE_STATIC).
inline void SqlInsert(sqlite3* db, sqlite3_stmt* ins, const std::string& id,
                      const std::string& doc) {
  sqlite3_bind_text(ins, 1, kColl, 5, SQLITE_STATIC);
  sqlite3_bind_text(ins, 2, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
  sqlite3_bind_text(ins, 3, doc.data(), static_cast<int>(doc.size()), SQLITE_STATIC);
  int rc = sqlite3_step(ins);
  sqlite3_reset(ins);
  if (rc != SQLITE_DONE) SqlCheck(rc, db, "insert");
}

// The log segments of a database directory (DIR/log/NNNNNNNN.seg), in order.
inline std::vector<std::string> SegmentFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/log")) {
    if (e.path().extension() == ".seg") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Bytes of the log (every segment) of a database directory.
inline std::uint64_t LogBytes(const std::string& dir) {
  std::uint64_t n = 0;
  for (const std::string& f : SegmentFiles(dir)) n += std::filesystem::file_size(f);
  return n;
}

}  // namespace nedb_bench

#endif  // NEDB_BENCH_BENCH_COMMON_H_
