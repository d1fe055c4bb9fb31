// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// Query benchmarks: NEDB's NQL planner and executor against SQLite (JSON1
// expression indexes and FTS5) over the same 1,000,000 documents, in the same
// process and run. Both sides return parsed documents (SQLite rows go through
// nlohmann::json::parse). Set-up and load are timed once and printed; every
// query is a Google Benchmark with repetitions, and a summary of medians with
// ratios and the target bars is printed at the end.
//
//   build-qbench/bench/query_bench                      # defaults: 9 repetitions
//   build-qbench/bench/query_bench --benchmark_filter=Q1 --benchmark_repetitions=5
//
// Environment: NEDB_QBENCH_N (documents, default 1000000), NEDB_QBENCH_UPDATES
// (status updates for the AS OF history, default N/5), NEDB_QBENCH_LOAD_BOTH=0
// skips the second load that times "indexes created before the load".
//
// Data: document i is
//   {"_id":"u0000042","age":0..99,"bio":"20 words","code":"c00042","score":0..99999,
//    "status":"s0".."s9"}
// bio words come uniformly from 1000 three-letter words; 8 pairs of rare
// words are planted: each word of a pair in exactly 60 documents, both in
// exactly 6. code = (i * 37) mod 100000, so every code matches exactly 10
// documents (for N = 1,000,000). score is never indexed (the full-scan query).
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "nedb/nedb.h"

namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kColl = "users";
constexpr int kVocab = 1000;
constexpr int kBioWords = 20;
constexpr int kRarePairs = 8;
constexpr int kRareEach = 60;
constexpr int kRareBoth = 6;
constexpr std::uint32_t kCodes = 100000;
constexpr std::uint32_t kScores = 100000;
constexpr std::size_t kBatch = 20000;

double Secs(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::size_t EnvSize(const char* name, std::size_t dflt) {
  const char* e = std::getenv(name);
  return e != nullptr && *e != '\0' ? static_cast<std::size_t>(std::strtoull(e, nullptr, 10))
                                    : dflt;
}

std::uint64_t Mix(std::uint64_t x) {  // splitmix64
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::string Id(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "u%07zu", i);
  return buf;
}

std::string Code(std::uint32_t c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "c%05u", c);
  return buf;
}

std::string Status(int s) { return "s" + std::to_string(s); }

// ---------------------------------------------------------------- the data

struct Data {
  std::size_t n = 0;
  std::vector<std::string> vocab;
  std::vector<std::uint8_t> status0, age;
  std::vector<std::uint32_t> score, code;
  // Planted rare words: doc -> (position, word).
  std::unordered_map<std::uint32_t, std::vector<std::pair<int, std::string>>> rare;
  std::vector<std::string> rare_a, rare_b;
  std::vector<std::vector<std::uint32_t>> rare_both;  // expected SEARCH hits, sorted
  // History: (doc, new status), applied in this order after the load.
  std::vector<std::pair<std::uint32_t, std::uint8_t>> updates;

  void Generate(std::size_t docs, std::size_t n_updates) {
    n = docs;
    std::mt19937_64 rng(20240601);
    const std::string cons = "bcdfghjklmnprstvwz", vow = "aeiou";
    for (char a : cons)
      for (char v : vow)
        for (char b : cons) vocab.push_back(std::string{a, v, b});
    std::shuffle(vocab.begin(), vocab.end(), rng);
    vocab.resize(kVocab);
    status0.resize(n);
    age.resize(n);
    score.resize(n);
    code.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t h = Mix(i);
      status0[i] = static_cast<std::uint8_t>(h % 10);
      age[i] = static_cast<std::uint8_t>((h >> 8) % 100);
      score[i] = static_cast<std::uint32_t>((h >> 16) % kScores);
      code[i] = static_cast<std::uint32_t>((i * 37) % kCodes);
    }
    std::uniform_int_distribution<std::uint32_t> pick(0, static_cast<std::uint32_t>(n - 1));
    for (int k = 0; k < kRarePairs; ++k) {
      rare_a.push_back(std::string("quokk") + static_cast<char>('a' + k));
      rare_b.push_back(std::string("zephy") + static_cast<char>('a' + k));
      std::vector<std::uint32_t> a;
      std::set<std::uint32_t> in_a;
      while (a.size() < kRareEach) {
        std::uint32_t d = pick(rng);
        if (in_a.insert(d).second) a.push_back(d);
      }
      std::vector<std::uint32_t> b(a.begin(), a.begin() + kRareBoth);
      std::set<std::uint32_t> in_b(b.begin(), b.end());
      while (b.size() < kRareEach) {
        std::uint32_t d = pick(rng);
        if (!in_a.count(d) && in_b.insert(d).second) b.push_back(d);
      }
      // Distinct positions per word, so plants never overwrite each other.
      for (std::uint32_t d : a) rare[d].push_back({2 * k, rare_a.back()});
      for (std::uint32_t d : b) rare[d].push_back({2 * k + 1, rare_b.back()});
      std::vector<std::uint32_t> both(a.begin(), a.begin() + kRareBoth);
      std::sort(both.begin(), both.end());
      rare_both.push_back(both);
    }
    std::vector<std::uint32_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0u);
    std::shuffle(perm.begin(), perm.end(), rng);
    n_updates = std::min(n_updates, n);
    std::vector<std::uint8_t> cur = status0;
    for (std::size_t j = 0; j < n_updates; ++j) {
      const std::uint32_t d = perm[j];
      const auto s = static_cast<std::uint8_t>((cur[d] + 1 + rng() % 9) % 10);
      cur[d] = s;
      updates.push_back({d, s});
    }
  }

  std::string Bio(std::size_t i) const {
    std::string words[kBioWords];
    std::uint64_t h = Mix(i ^ 0xABCDEF1234567ull);
    for (int w = 0; w < kBioWords; ++w) {
      h = Mix(h);
      words[w] = vocab[h % kVocab];
    }
    auto it = rare.find(static_cast<std::uint32_t>(i));
    if (it != rare.end()) {
      for (const auto& [pos, word] : it->second) words[pos] = word;
    }
    std::string bio;
    for (int w = 0; w < kBioWords; ++w) {
      if (w) bio += ' ';
      bio += words[w];
    }
    return bio;
  }

  // Document i with the given status; "_id" included, so the stored text is
  // exactly Doc(i).dump() on both sides.
  Json Doc(std::size_t i, int status) const {
    Json d;
    d["_id"] = Id(i);
    d["age"] = age[i];
    d["bio"] = Bio(i);
    d["code"] = Code(code[i]);
    d["score"] = score[i];
    d["status"] = Status(status);
    return d;
  }
};

Data g_data;

// ---------------------------------------------------------------- SQLite

void Check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
  }
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error(sql + ": " + m);
  }
}

struct Stmt {
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  Stmt() = default;
  Stmt(sqlite3* d, const std::string& sql) : db(d) {
    Check(sqlite3_prepare_v3(d, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr), d,
          sql.c_str());
  }
  ~Stmt() { sqlite3_finalize(st); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
};

// Runs a prepared statement whose first column is a document, parsing each.
std::vector<Json> SqlDocs(Stmt& s, const std::function<void(sqlite3_stmt*)>& bind) {
  sqlite3_reset(s.st);
  bind(s.st);
  std::vector<Json> out;
  int rc;
  while ((rc = sqlite3_step(s.st)) == SQLITE_ROW) {
    const char* p = reinterpret_cast<const char*>(sqlite3_column_text(s.st, 0));
    const int len = sqlite3_column_bytes(s.st, 0);
    out.push_back(Json::parse(p, p + len));
  }
  Check(rc, s.db, "step");
  return out;
}

void PrintSqlPlan(sqlite3* db, const std::string& sql) {
  Stmt s(db, "EXPLAIN QUERY PLAN " + sql);
  std::printf("  SQLite plan for %s\n", sql.c_str());
  while (sqlite3_step(s.st) == SQLITE_ROW) {
    std::printf("    %s\n", reinterpret_cast<const char*>(sqlite3_column_text(s.st, 3)));
  }
}

const char* kSqlIndexes[] = {
    "CREATE INDEX docs_status ON docs(json_extract(doc,'$.status'))",
    "CREATE INDEX docs_code ON docs(json_extract(doc,'$.code'))",
    "CREATE INDEX docs_age ON docs(json_extract(doc,'$.age'))",
};

struct SqlTimes {
  double load = 0, index = 0;
};

// Loads the documents into a fresh in-memory SQLite. indexes_first: create
// the expression indexes and fill FTS5 row by row during the load; else bulk
// build them afterwards.
sqlite3* LoadSqlite(const Data& d, bool indexes_first, SqlTimes* t) {
  sqlite3* db = nullptr;
  Check(sqlite3_open(":memory:", &db), db, "open");
  Exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY");
  Exec(db, "CREATE TABLE docs(id TEXT PRIMARY KEY, doc TEXT)");
  auto build_indexes = [&] {
    for (const char* sql : kSqlIndexes) Exec(db, sql);
    Exec(db, "CREATE VIRTUAL TABLE fts USING fts5(bio, content='')");
  };
  if (indexes_first) {
    auto t0 = Clock::now();
    build_indexes();
    t->index = Secs(t0, Clock::now());
  }
  {
    Stmt ins(db, "INSERT INTO docs(rowid, id, doc) VALUES (?1, ?2, ?3)");
    std::unique_ptr<Stmt> fts;
    if (indexes_first)
      fts = std::make_unique<Stmt>(db, "INSERT INTO fts(rowid, bio) VALUES (?1, ?2)");
    Exec(db, "BEGIN");
    std::vector<std::string> ids, texts, bios;
    for (std::size_t start = 0; start < d.n; start += kBatch) {
      const std::size_t end = std::min(d.n, start + kBatch);
      ids.clear();
      texts.clear();
      bios.clear();
      for (std::size_t i = start; i < end; ++i) {
        Json doc = d.Doc(i, d.status0[i]);
        ids.push_back(Id(i));
        bios.push_back(doc["bio"].get<std::string>());
        texts.push_back(doc.dump());
      }
      auto t0 = Clock::now();
      for (std::size_t i = start; i < end; ++i) {
        const std::size_t k = i - start;
        sqlite3_reset(ins.st);
        sqlite3_bind_int64(ins.st, 1, static_cast<sqlite3_int64>(i + 1));
        sqlite3_bind_text(ins.st, 2, ids[k].data(), static_cast<int>(ids[k].size()), SQLITE_STATIC);
        sqlite3_bind_text(ins.st, 3, texts[k].data(), static_cast<int>(texts[k].size()),
                          SQLITE_STATIC);
        Check(sqlite3_step(ins.st), db, "insert");
        if (indexes_first) {
          sqlite3_reset(fts->st);
          sqlite3_bind_int64(fts->st, 1, static_cast<sqlite3_int64>(i + 1));
          sqlite3_bind_text(fts->st, 2, bios[k].data(), static_cast<int>(bios[k].size()),
                            SQLITE_STATIC);
          Check(sqlite3_step(fts->st), db, "fts insert");
        }
      }
      t->load += Secs(t0, Clock::now());
    }
    auto t0 = Clock::now();
    Exec(db, "COMMIT");
    t->load += Secs(t0, Clock::now());
  }
  if (!indexes_first) {
    auto t0 = Clock::now();
    Exec(db, "BEGIN");
    build_indexes();
    Exec(db, "INSERT INTO fts(rowid, bio) SELECT rowid, json_extract(doc,'$.bio') FROM docs");
    Exec(db, "COMMIT");
    t->index = Secs(t0, Clock::now());
  }
  Exec(db, "ANALYZE");
  return db;
}

// ---------------------------------------------------------------- NEDB

void CreateNedbIndexes(nedb::NEDB& db) {
  db.create_index(kColl, "status", "eq");
  db.create_index(kColl, "code", "eq");
  db.create_index(kColl, "age", "ordered");
  db.create_index(kColl, "bio", "search");
}

// Puts every document (version 0); returns the seconds spent inside put().
double LoadNedb(nedb::NEDB& db, const Data& d) {
  double secs = 0;
  std::vector<Json> batch;
  for (std::size_t start = 0; start < d.n; start += kBatch) {
    const std::size_t end = std::min(d.n, start + kBatch);
    batch.clear();
    for (std::size_t i = start; i < end; ++i) batch.push_back(d.Doc(i, d.status0[i]));
    std::vector<std::string> ids;
    for (std::size_t i = start; i < end; ++i) ids.push_back(Id(i));
    auto t0 = Clock::now();
    for (std::size_t k = 0; k < batch.size(); ++k) db.put(kColl, ids[k], std::move(batch[k]));
    secs += Secs(t0, Clock::now());
  }
  return secs;
}

// ---------------------------------------------------------------- state

struct World {
  std::unique_ptr<nedb::NEDB> head;  // 1M docs, one version each
  std::unique_ptr<nedb::NEDB> hist;  // the same + status updates
  sqlite3* sql = nullptr;
  std::uint64_t hist_base = 0;  // seq before the first put in hist
  std::uint64_t mid_history = 0, mid_updates = 0;

  // Query pools (rotated per iteration).
  std::vector<std::string> q_status, q_code, q_search, q_scan, q_asof_hist, q_asof_upd,
      q_asof_hist_all, q_asof_upd_all, q_hist_head, q_hist_head_all;
  std::string q_order = "FROM users ORDER BY age DESC LIMIT 10";
  std::vector<std::string> b_status, b_code, b_match;  // SQLite bind values
  std::vector<std::uint32_t> b_score, scan_scores;
  std::vector<std::uint32_t> code_vals;
  std::vector<std::vector<std::string>> status_first10;  // Q1's result texts, per status
  std::unique_ptr<Stmt> s_status, s_code, s_order, s_search, s_scan;
};

World g;

const char* kSqlStatus = "SELECT doc FROM docs WHERE json_extract(doc,'$.status') = ?1 LIMIT 10";
const char* kSqlCode = "SELECT doc FROM docs WHERE json_extract(doc,'$.code') = ?1";
const char* kSqlOrder = "SELECT doc FROM docs ORDER BY json_extract(doc,'$.age') DESC LIMIT 10";
const char* kSqlSearch =
    "SELECT d.doc FROM fts JOIN docs d ON d.rowid = fts.rowid WHERE fts MATCH ?1";
const char* kSqlScan = "SELECT doc FROM docs WHERE json_extract(doc,'$.score') = ?1";

int g_failures = 0;
void Expect(bool ok, const std::string& what) {
  if (!ok) {
    std::printf("  CHECK FAILED: %s\n", what.c_str());
    ++g_failures;
  }
}

std::vector<std::string> Ids(const std::vector<Json>& rows) {
  std::vector<std::string> out;
  for (const Json& r : rows) out.push_back(r.at("_id").get<std::string>());
  return out;
}

// Status of every document at snapshot seq (-1: not visible).
std::vector<int> StatusAt(std::uint64_t seq) {
  const Data& d = g_data;
  std::vector<int> s(d.n, -1);
  const std::uint64_t base = g.hist_base;
  for (std::size_t i = 0; i < d.n; ++i) {
    if (base + 1 + i <= seq) s[i] = d.status0[i];
  }
  for (std::size_t j = 0; j < d.updates.size(); ++j) {
    if (base + d.n + 1 + j > seq) break;
    s[d.updates[j].first] = d.updates[j].second;
  }
  return s;
}

void PrintExplain(const nedb::NEDB& db, const std::string& q, const std::string& want_kind,
                  const std::string& want_field, bool want_history = false) {
  Json plan = db.explain(q);
  std::printf("  NEDB plan for %s\n    %s\n", q.c_str(), plan["steps"].dump().c_str());
  const Json& src = plan["steps"][0];
  bool ok;
  if (want_kind == "scan") {
    ok = src["using"] == "scan";
  } else {
    ok = src["using"].is_object() && src["using"]["kind"] == want_kind &&
         src["using"]["field"] == want_field && (src.value("history", false) == want_history);
  }
  Expect(ok, "plan of " + q + " uses " + want_kind + " " + want_field);
}

void Setup() {
  const std::size_t n = EnvSize("NEDB_QBENCH_N", 1000000);
  const std::size_t n_updates = EnvSize("NEDB_QBENCH_UPDATES", n / 5);
  const bool load_both = EnvSize("NEDB_QBENCH_LOAD_BOTH", 1) != 0;
  Data& d = g_data;
  auto t0 = Clock::now();
  d.Generate(n, n_updates);
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < std::min<std::size_t>(n, 10000); ++i) {
    bytes += d.Doc(i, d.status0[i]).dump().size();
  }
  std::printf("data: %zu docs, avg %.0f bytes of JSON, %zu status updates (generated in %.1f s)\n",
              n, static_cast<double>(bytes) / static_cast<double>(std::min<std::size_t>(n, 10000)),
              d.updates.size(), Secs(t0, Clock::now()));
  std::printf("sample: %s\n", d.Doc(0, d.status0[0]).dump().c_str());

  // ---- NEDB loads (in memory).
  if (load_both) {
    nedb::NEDB pre;
    CreateNedbIndexes(pre);
    const double put = LoadNedb(pre, d);
    std::printf("load NEDB, indexes before: %.2f s in put() (%.0f docs/s)\n", put,
                static_cast<double>(n) / put);
  }
  g.head = std::make_unique<nedb::NEDB>();
  {
    const double put = LoadNedb(*g.head, d);
    auto a = Clock::now();
    CreateNedbIndexes(*g.head);
    const double ix = Secs(a, Clock::now());
    std::printf("load NEDB, indexes after: %.2f s in put() + %.2f s create_index = %.2f s\n", put,
                ix, put + ix);
  }
  // ---- SQLite loads (in memory).
  if (load_both) {
    SqlTimes t;
    sqlite3* pre = LoadSqlite(d, true, &t);
    std::printf("load SQLite, indexes before: %.2f s inserts (+%.3f s empty index DDL)\n", t.load,
                t.index);
    sqlite3_close(pre);
  }
  {
    SqlTimes t;
    g.sql = LoadSqlite(d, false, &t);
    std::printf("load SQLite, indexes after: %.2f s inserts + %.2f s index+FTS build = %.2f s\n",
                t.load, t.index, t.load + t.index);
  }
  // ---- NEDB history: load, indexes, then status updates.
  g.hist = std::make_unique<nedb::NEDB>();
  g.hist_base = g.hist->seq();
  {
    LoadNedb(*g.hist, d);
    if (g.hist->seq() != g.hist_base + n) throw std::runtime_error("unexpected seq after load");
    CreateNedbIndexes(*g.hist);
    auto a = Clock::now();
    for (const auto& [doc, s] : d.updates) g.hist->put(kColl, Id(doc), d.Doc(doc, s));
    std::printf("history: %zu updates in %.2f s; seq %llu\n", d.updates.size(),
                Secs(a, Clock::now()), static_cast<unsigned long long>(g.hist->seq()));
    if (g.hist->seq() != g.hist_base + n + d.updates.size()) {
      throw std::runtime_error("unexpected seq after updates");
    }
  }
  g.mid_history = g.hist->seq() / 2;
  g.mid_updates = g.hist_base + n + d.updates.size() / 2;

  // ---- query pools.
  std::mt19937_64 rng(7);
  for (int s = 0; s < 10; ++s) {
    g.q_status.push_back("FROM users WHERE status = \"" + Status(s) + "\" LIMIT 10");
    g.b_status.push_back(Status(s));
    g.q_hist_head.push_back(g.q_status.back());
    g.q_hist_head_all.push_back("FROM users WHERE status = \"" + Status(s) + "\"");
    auto asof = [&](std::uint64_t m, bool lim) {
      return "FROM users AS OF " + std::to_string(m) + " WHERE status = \"" + Status(s) + "\"" +
             (lim ? " LIMIT 10" : "");
    };
    g.q_asof_hist.push_back(asof(g.mid_history, true));
    g.q_asof_upd.push_back(asof(g.mid_updates, true));
    g.q_asof_hist_all.push_back(asof(g.mid_history, false));
    g.q_asof_upd_all.push_back(asof(g.mid_updates, false));
  }
  for (int k = 0; k < 1024; ++k) {
    const std::uint32_t c = static_cast<std::uint32_t>(rng() % std::min<std::size_t>(kCodes, n));
    g.code_vals.push_back(c);
    g.q_code.push_back("FROM users WHERE code = \"" + Code(c) + "\"");
    g.b_code.push_back(Code(c));
  }
  for (int k = 0; k < kRarePairs; ++k) {
    const std::string terms =
        d.rare_a[static_cast<std::size_t>(k)] + " " + d.rare_b[static_cast<std::size_t>(k)];
    g.q_search.push_back("FROM users SEARCH \"" + terms + "\"");
    g.b_match.push_back(terms);
  }
  for (int k = 0; k < 16; ++k) {
    // The score of a random document, so every query has at least one row.
    const auto s = d.score[rng() % n];
    g.scan_scores.push_back(s);
    g.q_scan.push_back("FROM users WHERE score = " + std::to_string(s));
  }
  for (int st = 0; st < 10; ++st) {
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < n && texts.size() < 10; ++i) {
      if (d.status0[i] == st) texts.push_back(d.Doc(i, st).dump());
    }
    g.status_first10.push_back(texts);
  }
  g.s_status = std::make_unique<Stmt>(g.sql, kSqlStatus);
  g.s_code = std::make_unique<Stmt>(g.sql, kSqlCode);
  g.s_order = std::make_unique<Stmt>(g.sql, kSqlOrder);
  g.s_search = std::make_unique<Stmt>(g.sql, kSqlSearch);
  g.s_scan = std::make_unique<Stmt>(g.sql, kSqlScan);
}

std::function<void(sqlite3_stmt*)> BindText(const std::string& v) {
  return [&v](sqlite3_stmt* st) {
    sqlite3_bind_text(st, 1, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  };
}

// Plans (printed once) and result checks against the generator's truth.
void Verify() {
  const Data& d = g_data;
  const nedb::NEDB& db = *g.head;
  std::printf("\nplans:\n");
  PrintExplain(db, g.q_status[3], "eq", "status");
  PrintExplain(db, g.q_code[0], "eq", "code");
  PrintExplain(db, g.q_order, "ordered", "age");
  PrintExplain(db, g.q_search[0], "search", "bio");
  PrintExplain(db, g.q_scan[0], "scan", "");
  PrintExplain(*g.hist, g.q_asof_upd[3], "eq", "status", true);
  PrintExplain(*g.hist, g.q_asof_hist_all[3], "eq", "status", true);
  PrintSqlPlan(g.sql, kSqlStatus);
  PrintSqlPlan(g.sql, kSqlCode);
  PrintSqlPlan(g.sql, kSqlOrder);
  PrintSqlPlan(g.sql, kSqlSearch);
  PrintSqlPlan(g.sql, kSqlScan);

  std::printf("\nchecks:\n");
  // Q1: status LIMIT 10 = the first 10 entries with that status.
  for (int s = 0; s < 10; ++s) {
    std::vector<std::string> want;
    for (std::size_t i = 0; i < d.n && want.size() < 10; ++i) {
      if (d.status0[i] == s) want.push_back(Id(i));
    }
    Expect(Ids(db.query(g.q_status[static_cast<std::size_t>(s)])) == want,
           "NEDB " + g.q_status[static_cast<std::size_t>(s)]);
    auto rows = SqlDocs(*g.s_status, BindText(g.b_status[static_cast<std::size_t>(s)]));
    bool ok = rows.size() == want.size();
    for (const Json& r : rows) ok = ok && r["status"] == Status(s);
    Expect(ok, std::string("SQLite ") + kSqlStatus + " for " + Status(s));
  }
  // Q1b: code: exactly the documents with that code.
  for (std::size_t k = 0; k < 16; ++k) {
    std::vector<std::string> want;
    for (std::size_t i = 0; i < d.n; ++i) {
      if (d.code[i] == g.code_vals[k]) want.push_back(Id(i));
    }
    Expect(Ids(db.query(g.q_code[k])) == want, "NEDB " + g.q_code[k]);
    auto got = Ids(SqlDocs(*g.s_code, BindText(g.b_code[k])));
    std::sort(got.begin(), got.end());
    Expect(got == want, "SQLite code " + g.b_code[k]);
    if (k == 0) std::printf("  code %s: %zu rows\n", g.b_code[k].c_str(), want.size());
  }
  // Q2: ORDER BY age DESC LIMIT 10: max age, ties in entry order (NEDB).
  {
    std::vector<std::string> want;
    for (int a = 99; a >= 0 && want.size() < 10; --a) {
      for (std::size_t i = 0; i < d.n && want.size() < 10; ++i) {
        if (d.age[i] == a) want.push_back(Id(i));
      }
    }
    Expect(Ids(db.query(g.q_order)) == want, "NEDB " + g.q_order);
    auto rows = SqlDocs(*g.s_order, [](sqlite3_stmt*) {});
    const int max_age = *std::max_element(d.age.begin(), d.age.end());
    bool ok = rows.size() == 10;
    for (const Json& r : rows) ok = ok && r["age"].get<int>() == max_age;
    Expect(ok, std::string("SQLite ") + kSqlOrder);
  }
  // Q3: SEARCH: exactly the planted pair.
  for (std::size_t k = 0; k < g.q_search.size(); ++k) {
    std::vector<std::string> want;
    for (std::uint32_t i : d.rare_both[k]) want.push_back(Id(i));
    Expect(Ids(db.query(g.q_search[k])) == want, "NEDB " + g.q_search[k]);
    auto got = Ids(SqlDocs(*g.s_search, BindText(g.b_match[k])));
    std::sort(got.begin(), got.end());
    Expect(got == want, "SQLite MATCH " + g.b_match[k]);
    if (k == 0) {
      std::size_t na = 0, nb = 0;
      for (std::size_t i = 0; i < d.n; ++i) {
        const std::string bio = d.Bio(i);
        na += bio.find(d.rare_a[0]) != std::string::npos;
        nb += bio.find(d.rare_b[0]) != std::string::npos;
      }
      std::printf("  SEARCH \"%s\": %zu docs with the first, %zu with the second, %zu with both\n",
                  g.b_match[0].c_str(), na, nb, want.size());
    }
  }
  // Q4: scan on score.
  for (std::size_t k = 0; k < g.q_scan.size(); ++k) {
    std::vector<std::string> want;
    for (std::size_t i = 0; i < d.n; ++i) {
      if (d.score[i] == g.scan_scores[k]) want.push_back(Id(i));
    }
    Expect(Ids(db.query(g.q_scan[k])) == want, "NEDB " + g.q_scan[k]);
    const std::uint32_t sc = g.scan_scores[k];
    auto got = Ids(SqlDocs(*g.s_scan, [sc](sqlite3_stmt* st) { sqlite3_bind_int64(st, 1, sc); }));
    std::sort(got.begin(), got.end());
    Expect(got == want, "SQLite score " + std::to_string(sc));
    if (k == 0) std::printf("  score = %u: %zu rows\n", sc, want.size());
  }
  // Q5: AS OF, with and without LIMIT, at both snapshots; and HEAD on hist.
  auto check_asof = [&](std::uint64_t seq, const std::vector<std::string>& lim,
                        const std::vector<std::string>& all) {
    const std::vector<int> st = StatusAt(seq);
    for (int s = 0; s < 10; ++s) {
      std::vector<std::string> want;
      for (std::size_t i = 0; i < d.n; ++i) {
        if (st[i] == s) want.push_back(Id(i));
      }
      const auto su = static_cast<std::size_t>(s);
      auto got_all = Ids(g.hist->query(all[su]));
      Expect(got_all == want, "NEDB " + all[su]);
      want.resize(std::min<std::size_t>(10, want.size()));
      Expect(Ids(g.hist->query(lim[su])) == want, "NEDB " + lim[su]);
      if (s == 3) {
        std::printf("  AS OF %llu status s3: %zu rows\n", static_cast<unsigned long long>(seq),
                    got_all.size());
      }
    }
  };
  check_asof(g.mid_history, g.q_asof_hist, g.q_asof_hist_all);
  check_asof(g.mid_updates, g.q_asof_upd, g.q_asof_upd_all);
  check_asof(g.hist->seq(), g.q_hist_head, g.q_hist_head_all);
  std::printf("  %s\n", g_failures == 0 ? "all checks passed" : "SOME CHECKS FAILED");
}

// ---------------------------------------------------------------- benchmarks

void NedbPool(benchmark::State& state, const nedb::NEDB* db, const std::vector<std::string>* pool,
              std::size_t rows_scanned) {
  std::size_t k = 0;
  for (auto _ : state) {
    std::vector<Json> r = db->query((*pool)[k++ % pool->size()]);
    if (r.empty()) state.SkipWithError("empty result");
    benchmark::DoNotOptimize(r.data());
  }
  if (rows_scanned) {
    state.counters["rows_scanned_per_s"] = benchmark::Counter(
        static_cast<double>(rows_scanned), benchmark::Counter::kIsIterationInvariantRate);
  }
}

void SqlPool(benchmark::State& state, Stmt* s, std::size_t pool_size,
             const std::function<void(sqlite3_stmt*, std::size_t)>& bind,
             std::size_t rows_scanned) {
  std::size_t k = 0;
  for (auto _ : state) {
    const std::size_t i = k++ % pool_size;
    std::vector<Json> r = SqlDocs(*s, [&](sqlite3_stmt* st) { bind(st, i); });
    if (r.empty()) state.SkipWithError("empty result");
    benchmark::DoNotOptimize(r.data());
  }
  if (rows_scanned) {
    state.counters["rows_scanned_per_s"] = benchmark::Counter(
        static_cast<double>(rows_scanned), benchmark::Counter::kIsIterationInvariantRate);
  }
}

auto BindPool(const std::vector<std::string>* pool) {
  return [pool](sqlite3_stmt* st, std::size_t i) {
    const std::string& v = (*pool)[i];
    sqlite3_bind_text(st, 1, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  };
}

void Register() {
  auto reg = [](const std::string& name, auto fn) {
    benchmark::RegisterBenchmark(name.c_str(), fn)->Unit(benchmark::kMicrosecond)->UseRealTime();
  };
  const nedb::NEDB* head = g.head.get();
  const nedb::NEDB* hist = g.hist.get();
  const std::size_t n = g_data.n;
  reg("Q1_EqStatusLimit10_NEDB", [=](benchmark::State& s) { NedbPool(s, head, &g.q_status, 0); });
  reg("Q1_EqStatusLimit10_SQLite", [=](benchmark::State& s) {
    SqlPool(s, g.s_status.get(), g.b_status.size(), BindPool(&g.b_status), 0);
  });
  // Floor for Q1: only parsing its 10 result documents (from hot strings).
  reg("Q1_ParseOnly10Docs_floor", [=](benchmark::State& s) {
    std::size_t k = 0;
    for (auto _ : s) {
      std::vector<Json> r;
      for (const std::string& t : g.status_first10[k++ % 10]) r.push_back(Json::parse(t));
      benchmark::DoNotOptimize(r.data());
    }
  });
  reg("Q1b_EqCode10Rows_NEDB", [=](benchmark::State& s) { NedbPool(s, head, &g.q_code, 0); });
  reg("Q1b_EqCode10Rows_SQLite", [=](benchmark::State& s) {
    SqlPool(s, g.s_code.get(), g.b_code.size(), BindPool(&g.b_code), 0);
  });
  static const std::vector<std::string> order_pool = {g.q_order};
  reg("Q2_OrderAgeDescLimit10_NEDB",
      [=](benchmark::State& s) { NedbPool(s, head, &order_pool, 0); });
  reg("Q2_OrderAgeDescLimit10_SQLite", [=](benchmark::State& s) {
    SqlPool(
        s, g.s_order.get(), 1, [](sqlite3_stmt*, std::size_t) {}, 0);
  });
  reg("Q3_Search2Terms_NEDB", [=](benchmark::State& s) { NedbPool(s, head, &g.q_search, 0); });
  reg("Q3_Search2Terms_SQLite", [=](benchmark::State& s) {
    SqlPool(s, g.s_search.get(), g.b_match.size(), BindPool(&g.b_match), 0);
  });
  reg("Q4_ScanUnindexed_NEDB", [=](benchmark::State& s) { NedbPool(s, head, &g.q_scan, n); });
  reg("Q4_ScanUnindexed_SQLite", [=](benchmark::State& s) {
    SqlPool(
        s, g.s_scan.get(), g.scan_scores.size(),
        [](sqlite3_stmt* st, std::size_t i) { sqlite3_bind_int64(st, 1, g.scan_scores[i]); }, n);
  });
  reg("Q5_HistHeadEqLimit10_NEDB",
      [=](benchmark::State& s) { NedbPool(s, hist, &g.q_hist_head, 0); });
  reg("Q5_AsOfMidHistoryEqLimit10_NEDB",
      [=](benchmark::State& s) { NedbPool(s, hist, &g.q_asof_hist, 0); });
  reg("Q5_AsOfMidUpdatesEqLimit10_NEDB",
      [=](benchmark::State& s) { NedbPool(s, hist, &g.q_asof_upd, 0); });
  reg("Q5_HistHeadEqAll_NEDB",
      [=](benchmark::State& s) { NedbPool(s, hist, &g.q_hist_head_all, 0); });
  reg("Q5_AsOfMidHistoryEqAll_NEDB",
      [=](benchmark::State& s) { NedbPool(s, hist, &g.q_asof_hist_all, 0); });
  reg("Q5_AsOfMidUpdatesEqAll_NEDB",
      [=](benchmark::State& s) { NedbPool(s, hist, &g.q_asof_upd_all, 0); });
}

// ---------------------------------------------------------------- summary

// Console output as usual, plus the median real time (ns) of each benchmark.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  SummaryReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      const double ns =
          r.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(r.time_unit) * 1e9;
      const double cpu =
          r.GetAdjustedCPUTime() / benchmark::GetTimeUnitMultiplier(r.time_unit) * 1e9;
      const std::string name = r.run_name.function_name;
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median") {
        median_[name] = ns;
        median_cpu_[name] = cpu;
      } else if (r.run_type == Run::RT_Iteration) {
        single_[name] = ns;  // used when there is no median (1 repetition)
        single_cpu_[name] = cpu;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  double Ns(const std::string& name) const {
    if (auto it = median_.find(name); it != median_.end()) return it->second;
    if (auto it = single_.find(name); it != single_.end()) return it->second;
    return -1;
  }
  double CpuNs(const std::string& name) const {
    if (auto it = median_cpu_.find(name); it != median_cpu_.end()) return it->second;
    if (auto it = single_cpu_.find(name); it != single_cpu_.end()) return it->second;
    return -1;
  }

 private:
  std::map<std::string, double> median_, single_, median_cpu_, single_cpu_;
};

void PrintSummary(const SummaryReporter& rep) {
  std::printf(
      "\nsummary: median real time per query (median CPU time in parentheses); ratio = SQLite / "
      "NEDB real time (>1: NEDB faster); bars judged on real time\n");
  std::printf("| metric | NEDB | SQLite | ratio | bar | pass/fail |\n|---|---|---|---|---|---|\n");
  auto us = [](double ns) { return ns / 1e3; };
  auto row = [&](const char* metric, const std::string& base, double bar_us, bool need_faster) {
    const double a = rep.Ns(base + "_NEDB"), b = rep.Ns(base + "_SQLite");
    if (a < 0) return;
    std::string bar;
    bool pass = true;
    char buf[128];
    if (bar_us > 0) {
      std::snprintf(buf, sizeof buf, "<= %.0f us", bar_us);
      bar = buf;
      pass = pass && us(a) <= bar_us;
    }
    if (need_faster) {
      bar += bar.empty() ? "faster than SQLite" : " and faster than SQLite";
      pass = pass && b > 0 && a < b;
    }
    char sq[64] = "-", ratio[64] = "-";
    if (b > 0) {
      std::snprintf(sq, sizeof sq, "%.2f us (%.2f)", us(b), us(rep.CpuNs(base + "_SQLite")));
      std::snprintf(ratio, sizeof ratio, "%.2fx", b / a);
    }
    std::printf("| %s | %.2f us (%.2f) | %s | %s | %s | %s |\n", metric, us(a),
                us(rep.CpuNs(base + "_NEDB")), sq, ratio, bar.c_str(), pass ? "pass" : "FAIL");
  };
  row("Q1 status = \"sX\" LIMIT 10 (eq index)", "Q1_EqStatusLimit10", 20, true);
  if (const double f = rep.Ns("Q1_ParseOnly10Docs_floor"); f > 0) {
    std::printf(
        "| Q1 floor: json::parse of its 10 result docs only | %.2f us (%.2f) | - | - | - | - |\n",
        us(f), us(rep.CpuNs("Q1_ParseOnly10Docs_floor")));
  }
  row("Q1b code = \"cNNNNN\" (10 rows, eq index)", "Q1b_EqCode10Rows", 20, true);
  row("Q2 ORDER BY age DESC LIMIT 10 (ordered index)", "Q2_OrderAgeDescLimit10", 50, false);
  row("Q3 SEARCH two rare terms (6 hits)", "Q3_Search2Terms", 0, true);
  {
    const double a = rep.Ns("Q4_ScanUnindexed_NEDB"), b = rep.Ns("Q4_ScanUnindexed_SQLite");
    if (a > 0) {
      const double n = static_cast<double>(g_data.n);
      const double ra = n / (a / 1e9), rb = b > 0 ? n / (b / 1e9) : 0;
      const double ca = rep.CpuNs("Q4_ScanUnindexed_NEDB"),
                   cb = rep.CpuNs("Q4_ScanUnindexed_SQLite");
      char sq[96] = "-", ratio[32] = "-";
      if (b > 0) {
        std::snprintf(sq, sizeof sq, "%.2fM rows/s (cpu %.2fM)", rb / 1e6, n / cb * 1e3);
        std::snprintf(ratio, sizeof ratio, "%.2fx", b / a);
      }
      std::printf(
          "| Q4 full scan score = X (rows scanned/s) | %.2fM rows/s (cpu %.2fM) | %s | %s | "
          ">= 5M rows/s | %s |\n",
          ra / 1e6, n / ca * 1e3, sq, ratio, ra >= 5e6 ? "pass" : "FAIL");
    }
  }
  auto asof = [&](const char* metric, const char* name, const char* head_name) {
    const double a = rep.Ns(name), h = rep.Ns(head_name);
    if (a < 0 || h < 0) return;
    std::printf(
        "| %s | %.2f us (%.2f) | (NEDB HEAD %.2f us (%.2f)) | %.2fx HEAD | <= 10x HEAD | %s |\n",
        metric, us(a), us(rep.CpuNs(name)), us(h), us(rep.CpuNs(head_name)), a / h,
        a / h <= 10 ? "pass" : "FAIL");
  };
  char m1[128], m2[128];
  std::snprintf(m1, sizeof m1, "Q5 AS OF %llu (mid history) status LIMIT 10",
                static_cast<unsigned long long>(g.mid_history));
  std::snprintf(m2, sizeof m2, "Q5 AS OF %llu (mid updates) status LIMIT 10",
                static_cast<unsigned long long>(g.mid_updates));
  asof(m1, "Q5_AsOfMidHistoryEqLimit10_NEDB", "Q5_HistHeadEqLimit10_NEDB");
  asof(m2, "Q5_AsOfMidUpdatesEqLimit10_NEDB", "Q5_HistHeadEqLimit10_NEDB");
  std::snprintf(m1, sizeof m1, "Q5 AS OF %llu (mid history) status, no LIMIT",
                static_cast<unsigned long long>(g.mid_history));
  std::snprintf(m2, sizeof m2, "Q5 AS OF %llu (mid updates) status, no LIMIT",
                static_cast<unsigned long long>(g.mid_updates));
  asof(m1, "Q5_AsOfMidHistoryEqAll_NEDB", "Q5_HistHeadEqAll_NEDB");
  asof(m2, "Q5_AsOfMidUpdatesEqAll_NEDB", "Q5_HistHeadEqAll_NEDB");
}

}  // namespace

int main(int argc, char** argv) {
  // Defaults: medians over repetitions, interleaved to spread machine noise.
  std::vector<std::string> extra;
  auto has = [&](const char* flag) {
    for (int i = 1; i < argc; ++i) {
      if (std::strncmp(argv[i], flag, std::strlen(flag)) == 0) return true;
    }
    return false;
  };
  if (!has("--benchmark_repetitions")) extra.push_back("--benchmark_repetitions=9");
  if (!has("--benchmark_display_aggregates_only") && !has("--benchmark_report_aggregates_only")) {
    extra.push_back("--benchmark_display_aggregates_only=true");
  }
  if (!has("--benchmark_enable_random_interleaving")) {
    extra.push_back("--benchmark_enable_random_interleaving=true");
  }
  std::vector<char*> args(argv, argv + argc);
  for (std::string& e : extra) args.push_back(e.data());
  int n = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  try {
    Setup();
    Verify();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "set-up failed: %s\n", e.what());
    return 1;
  }
  Register();
  std::fflush(stdout);
  SummaryReporter rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  PrintSummary(rep);
  benchmark::Shutdown();
  g.s_status.reset();  // statements before the connection
  g.s_code.reset();
  g.s_order.reset();
  g.s_search.reset();
  g.s_scan.reset();
  sqlite3_close(g.sql);
  return g_failures == 0 ? 0 : 2;
}
