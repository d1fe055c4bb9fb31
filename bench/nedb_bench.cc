// SPDX-License-Identifier: Apache-2.0
// NEDB throughput benchmarks, with SQLite measured in the same run as the
// peer. Every benchmark reports items_per_second (ops/s) over wall-clock time
// (UseRealTime); run with --benchmark_repetitions and read the medians.
// bench/run.sh runs them in groups; bench/RESULTS.md names the commands.
//
// Durable data goes under $NEDB_BENCH_DIR (default ./nedb-bench-tmp); keep
// it on the disk under test, not on a tmpfs.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <nedb/nedb.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "bench_common.h"

namespace nb = nedb_bench;
using nlohmann::json;

namespace {

// ---------------------------------------------------------------------------
// Puts: in-memory NEDB against SQLite (":memory:" and a WAL file with
// synchronous=OFF), the same rows, SQLite inside one transaction.
// ---------------------------------------------------------------------------

constexpr std::int64_t kPutN = 1'000'000;

struct PutData {
  std::vector<json> docs;          // what NEDB is given (copied into put)
  std::vector<std::string> ids;    // the same ids for both
  std::vector<std::string> texts;  // docs[i].dump(): what SQLite is given
  std::uint64_t text_bytes = 0;
};

const PutData& Puts() {
  static const PutData* d = [] {
    auto* p = new PutData;
    p->docs.reserve(kPutN);
    p->ids.reserve(kPutN);
    p->texts.reserve(kPutN);
    for (std::int64_t i = 0; i < kPutN; ++i) {
      p->ids.push_back(nb::Id(i));
      p->docs.push_back(nb::Doc(i));
      p->texts.push_back(p->docs.back().dump());
      p->text_bytes += p->texts.back().size();
    }
    return p;
  }();
  return *d;
}

void PutCounters(benchmark::State& st, std::int64_t n, const PutData& d) {
  st.SetItemsProcessed(st.iterations() * n);
  st.counters["doc_bytes_avg"] = static_cast<double>(d.text_bytes) / static_cast<double>(n);
}

// n puts into a fresh nedb::NEDB mem (construction and destruction untimed).
template <class PutFn>
void NedbPutLoop(benchmark::State& st, PutFn put) {
  const PutData& d = Puts();
  const std::int64_t n = st.range(0);
  for (auto _ : st) {
    st.PauseTiming();
    auto mem = std::make_unique<nedb::NEDB>();
    st.ResumeTiming();
    for (std::int64_t i = 0; i < n; ++i) put(*mem, d, i);
    st.PauseTiming();
    if (mem->seq() != static_cast<std::uint64_t>(n)) st.SkipWithError("wrong seq");
    mem.reset();
    st.ResumeTiming();
  }
  PutCounters(st, n, d);
}

// mem.put(coll, id, doc) with a copy of a prebuilt json document (the copy is
// part of the measured cost).
void BM_PutMem_NEDB(benchmark::State& st) {
  NedbPutLoop(st, [](nedb::NEDB& db, const PutData& d, std::int64_t i) {
    db.put(nb::kColl, d.ids[i], d.docs[i]);
  });
}

// mem.put_text(coll, id, text) of the prebuilt canonical JSON text: the same
// bytes SQLite's loop inserts (validated, not parsed).
void BM_PutMem_NEDB_Text(benchmark::State& st) {
  NedbPutLoop(st, [](nedb::NEDB& db, const PutData& d, std::int64_t i) {
    db.put_text(nb::kColl, d.ids[i], d.texts[i]);
  });
}

// BEGIN; n x prepared INSERT of the prebuilt JSON text; COMMIT (all timed).
void SqlitePutLoop(benchmark::State& st, const std::string& path, bool wal) {
  const PutData& d = Puts();
  const std::int64_t n = st.range(0);
  for (auto _ : st) {
    st.PauseTiming();
    if (path != ":memory:") {
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        std::filesystem::remove(path + suffix);
      }
    }
    auto db = std::make_unique<nb::Sqlite>(path);
    if (wal) {
      db->Exec("PRAGMA journal_mode=WAL");
      db->Exec("PRAGMA synchronous=OFF");
    }
    db->CreateDocs();
    sqlite3_stmt* ins = db->Prepare("INSERT INTO docs(coll,id,doc) VALUES(?1,?2,?3)");
    st.ResumeTiming();
    db->Exec("BEGIN");
    for (std::int64_t i = 0; i < n; ++i) nb::SqlInsert(db->get(), ins, d.ids[i], d.texts[i]);
    db->Exec("COMMIT");
    st.PauseTiming();
    db.reset();
    st.ResumeTiming();
  }
  PutCounters(st, n, d);
}

void BM_PutMem_SqliteMemory(benchmark::State& st) { SqlitePutLoop(st, ":memory:", false); }

void BM_PutMem_SqliteWalFile(benchmark::State& st) {
  SqlitePutLoop(st, nb::ScratchRoot() + "/sqlite-put.db", true);
}

BENCHMARK(BM_PutMem_NEDB)->Arg(kPutN)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PutMem_NEDB_Text)
    ->Arg(kPutN)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PutMem_SqliteMemory)
    ->Arg(kPutN)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PutMem_SqliteWalFile)
    ->Arg(kPutN)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------
// Durable puts: Sync::Always from 1 and 16 threads, against the raw limit (a
// loop of 200-byte append + fdatasync on the same file system) and SQLite
// (WAL, synchronous=FULL, one autocommit INSERT per row).
// ---------------------------------------------------------------------------

// range(0) = threads, range(1) = total ops.
void RunThreads(int threads, std::int64_t n, const std::function<void(int, std::int64_t)>& op) {
  std::vector<std::thread> ts;
  std::atomic<int> ready{0};
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < threads) std::this_thread::yield();
      for (std::int64_t i = t; i < n; i += threads) op(t, i);
    });
  }
  for (auto& t : ts) t.join();
}

void BM_Durable_RawAppendFdatasync(benchmark::State& st) {
  const std::int64_t n = st.range(0);
  char rec[200];
  std::fill(rec, rec + sizeof rec, 'x');
  rec[sizeof rec - 1] = '\n';
  for (auto _ : st) {
    st.PauseTiming();
    const std::string dir = nb::FreshDir("raw");
    std::filesystem::create_directories(dir);
    int fd = ::open((dir + "/raw.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
      st.SkipWithError("open failed");
      break;
    }
    st.ResumeTiming();
    for (std::int64_t i = 0; i < n; ++i) {
      if (::write(fd, rec, sizeof rec) != static_cast<ssize_t>(sizeof rec) ||
          ::fdatasync(fd) != 0) {
        st.SkipWithError("write/fdatasync failed");
        break;
      }
    }
    st.PauseTiming();
    ::close(fd);
    st.ResumeTiming();
  }
  st.SetItemsProcessed(st.iterations() * n);
}

void BM_Durable_NEDB_SyncAlways(benchmark::State& st) {
  const int threads = static_cast<int>(st.range(0));
  const std::int64_t n = st.range(1);
  std::vector<json> docs;
  std::vector<std::string> ids;
  for (std::int64_t i = 0; i < n; ++i) {
    docs.push_back(nb::Doc(i));
    ids.push_back(nb::Id(i));
  }
  for (auto _ : st) {
    st.PauseTiming();
    const std::string dir = nb::FreshDir("durable-" + std::to_string(threads));
    auto db = std::make_unique<nedb::NEDB>(dir, nedb::Options{.sync = nedb::Sync::Always});
    st.ResumeTiming();
    RunThreads(threads, n, [&](int, std::int64_t i) { db->put(nb::kColl, ids[i], docs[i]); });
    st.PauseTiming();
    if (db->seq() != static_cast<std::uint64_t>(n)) st.SkipWithError("wrong seq");
    db.reset();
    st.ResumeTiming();
  }
  st.SetItemsProcessed(st.iterations() * n);
}

void BM_Durable_SqliteWalFull(benchmark::State& st) {
  const int threads = static_cast<int>(st.range(0));
  const std::int64_t n = st.range(1);
  std::vector<std::string> ids, texts;
  for (std::int64_t i = 0; i < n; ++i) {
    ids.push_back(nb::Id(i));
    texts.push_back(nb::Doc(i).dump());
  }
  for (auto _ : st) {
    st.PauseTiming();
    const std::string dir = nb::FreshDir("sqlite-durable-" + std::to_string(threads));
    std::filesystem::create_directories(dir);
    const std::string path = dir + "/db.sqlite";
    std::vector<std::unique_ptr<nb::Sqlite>> conns;
    std::vector<sqlite3_stmt*> ins;
    for (int t = 0; t < threads; ++t) {
      conns.push_back(std::make_unique<nb::Sqlite>(path));
      conns.back()->Exec("PRAGMA busy_timeout=600000");
      conns.back()->Exec("PRAGMA journal_mode=WAL");
      conns.back()->Exec("PRAGMA synchronous=FULL");
      if (t == 0) conns.back()->CreateDocs();
    }
    for (auto& c : conns)
      ins.push_back(c->Prepare("INSERT INTO docs(coll,id,doc) VALUES(?1,?2,?3)"));
    st.ResumeTiming();
    RunThreads(threads, n, [&](int t, std::int64_t i) {
      nb::SqlInsert(conns[t]->get(), ins[t], ids[i], texts[i]);
    });
    st.PauseTiming();
    conns.clear();
    st.ResumeTiming();
  }
  st.SetItemsProcessed(st.iterations() * n);
}

BENCHMARK(BM_Durable_RawAppendFdatasync)
    ->ArgName("ops")
    ->Arg(2000)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Durable_NEDB_SyncAlways)
    ->ArgNames({"threads", "ops"})
    ->Args({1, 2000})
    ->Args({16, 16000})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Durable_SqliteWalFull)
    ->ArgNames({"threads", "ops"})
    ->Args({1, 2000})
    ->Args({16, 2000})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------
// Gets of a parsed nlohmann::json on 1,000,000 docs with random keys. Every
// doc has two versions: v0 at seq 1..N and v1 at seq N+1..2N. HEAD reads v1,
// AS OF N reads v0. SQLite: point SELECT + json::parse of the same text;
// for AS OF, a history table (coll,id,seq,doc) queried with seq <= ?.
// ---------------------------------------------------------------------------

constexpr std::int64_t kGetN = 1'000'000;
constexpr std::size_t kOrder = 1u << 20;

struct GetData {
  std::vector<std::string> ids;
  std::vector<std::uint32_t> order;  // random indexes into ids
  std::uint64_t snap = 0;            // seq after v0 of every doc
};

const GetData& Gets() {
  static const GetData* d = [] {
    auto* p = new GetData;
    for (std::int64_t i = 0; i < kGetN; ++i) p->ids.push_back(nb::Id(i));
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<std::uint32_t> pick(0, kGetN - 1);
    for (std::size_t i = 0; i < kOrder; ++i) p->order.push_back(pick(rng));
    p->snap = kGetN;
    return p;
  }();
  return *d;
}

nedb::NEDB& GetDb() {
  static nedb::NEDB* db = [] {
    auto* m = new nedb::NEDB();
    for (std::int64_t i = 0; i < kGetN; ++i) m->put(nb::kColl, nb::Id(i), nb::Doc(i, 0));
    if (m->seq() != static_cast<std::uint64_t>(kGetN)) throw std::runtime_error("bad load");
    for (std::int64_t i = 0; i < kGetN; ++i) m->put(nb::kColl, nb::Id(i), nb::Doc(i, 1));
    return m;
  }();
  return *db;
}

nb::Sqlite& GetSqlite() {
  static nb::Sqlite* db = [] {
    auto* s = new nb::Sqlite(":memory:");
    s->CreateDocs();
    s->Exec(
        "CREATE TABLE hist (coll TEXT, id TEXT, seq INTEGER, doc TEXT, PRIMARY KEY(coll,id,seq))");
    sqlite3_stmt* ins = s->Prepare("INSERT INTO docs(coll,id,doc) VALUES(?1,?2,?3)");
    sqlite3_stmt* hist = s->Prepare("INSERT INTO hist(coll,id,seq,doc) VALUES(?1,?2,?3,?4)");
    s->Exec("BEGIN");
    for (std::uint64_t v = 0; v < 2; ++v) {
      for (std::int64_t i = 0; i < kGetN; ++i) {
        const std::string id = nb::Id(i);
        const std::string text = nb::Doc(i, v).dump();
        if (v == 1) nb::SqlInsert(s->get(), ins, id, text);
        sqlite3_bind_text(hist, 1, nb::kColl, 5, SQLITE_STATIC);
        sqlite3_bind_text(hist, 2, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
        sqlite3_bind_int64(hist, 3, static_cast<sqlite3_int64>(v * kGetN + i + 1));
        sqlite3_bind_text(hist, 4, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
        nb::SqlCheck(sqlite3_step(hist), s->get(), "hist insert");
        sqlite3_reset(hist);
      }
    }
    s->Exec("COMMIT");
    return s;
  }();
  return *db;
}

void BM_Get_NEDB_Head(benchmark::State& st) {
  const GetData& d = Gets();
  nedb::NEDB& db = GetDb();
  std::size_t k = 0;
  for (auto _ : st) {
    std::optional<json> r = db.get(nb::kColl, d.ids[d.order[k++ & (kOrder - 1)]]);
    if (!r) {
      st.SkipWithError("missing doc");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  st.SetItemsProcessed(st.iterations());
  auto check = db.get(nb::kColl, d.ids[7]);
  if (!check || check->at("v") != 1) st.SkipWithError("HEAD did not read v1");
}

void BM_Get_NEDB_AsOf(benchmark::State& st) {
  const GetData& d = Gets();
  nedb::NEDB& db = GetDb();
  std::size_t k = 0;
  for (auto _ : st) {
    std::optional<json> r = db.get(nb::kColl, d.ids[d.order[k++ & (kOrder - 1)]], d.snap);
    if (!r) {
      st.SkipWithError("missing doc");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  st.SetItemsProcessed(st.iterations());
  auto check = db.get(nb::kColl, d.ids[7], d.snap);
  if (!check || check->at("v") != 0) st.SkipWithError("AS OF did not read v0");
}

json SqlGet(sqlite3* db, sqlite3_stmt* sel, const std::string& id, std::int64_t seq) {
  sqlite3_bind_text(sel, 1, nb::kColl, 5, SQLITE_STATIC);
  sqlite3_bind_text(sel, 2, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
  if (seq >= 0) sqlite3_bind_int64(sel, 3, seq);
  int rc = sqlite3_step(sel);
  if (rc != SQLITE_ROW) {
    sqlite3_reset(sel);
    nb::SqlCheck(rc, db, "select");
    throw std::runtime_error("missing row");
  }
  const char* text = reinterpret_cast<const char*>(sqlite3_column_text(sel, 0));
  const int len = sqlite3_column_bytes(sel, 0);
  json j = json::parse(text, text + len);
  sqlite3_reset(sel);
  return j;
}

void BM_Get_SqliteHead(benchmark::State& st) {
  const GetData& d = Gets();
  nb::Sqlite& s = GetSqlite();
  static sqlite3_stmt* sel = s.Prepare("SELECT doc FROM docs WHERE coll=?1 AND id=?2");
  std::size_t k = 0;
  for (auto _ : st) {
    json r = SqlGet(s.get(), sel, d.ids[d.order[k++ & (kOrder - 1)]], -1);
    benchmark::DoNotOptimize(r);
  }
  st.SetItemsProcessed(st.iterations());
}

void BM_Get_SqliteAsOf(benchmark::State& st) {
  const GetData& d = Gets();
  nb::Sqlite& s = GetSqlite();
  static sqlite3_stmt* sel = s.Prepare(
      "SELECT doc FROM hist WHERE coll=?1 AND id=?2 AND seq<=?3 ORDER BY seq DESC LIMIT 1");
  std::size_t k = 0;
  for (auto _ : st) {
    json r =
        SqlGet(s.get(), sel, d.ids[d.order[k++ & (kOrder - 1)]], static_cast<std::int64_t>(d.snap));
    benchmark::DoNotOptimize(r);
  }
  st.SetItemsProcessed(st.iterations());
}

// Context, not a bar: nlohmann::json::parse alone of the same texts, in the
// same random order (the floor under both gets).
void BM_Get_JsonParseOnly(benchmark::State& st) {
  const GetData& d = Gets();
  static const std::vector<std::string>* texts = [] {
    auto* t = new std::vector<std::string>;
    for (std::int64_t i = 0; i < kGetN; ++i) t->push_back(nb::Doc(i, 1).dump());
    return t;
  }();
  std::size_t k = 0;
  for (auto _ : st) {
    const std::string& s = (*texts)[d.order[k++ & (kOrder - 1)]];
    json r = json::parse(s);
    benchmark::DoNotOptimize(r);
  }
  st.SetItemsProcessed(st.iterations());
}

// Context, not a bar: copying a prebuilt nlohmann::json of the same shape,
// in the same random order: the cost of materializing the result object at
// all, a floor under any parser that returns nlohmann::json.
void BM_Get_JsonCopyOnly(benchmark::State& st) {
  const GetData& d = Gets();
  static const std::vector<json>* docs = [] {
    auto* t = new std::vector<json>;
    for (std::int64_t i = 0; i < kGetN; ++i) t->push_back(nb::Doc(i, 1));
    return t;
  }();
  std::size_t k = 0;
  for (auto _ : st) {
    json r = (*docs)[d.order[k++ & (kOrder - 1)]];
    benchmark::DoNotOptimize(r);
  }
  st.SetItemsProcessed(st.iterations());
}

BENCHMARK(BM_Get_NEDB_Head)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_Get_NEDB_AsOf)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_Get_SqliteHead)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_Get_SqliteAsOf)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_Get_JsonParseOnly)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_Get_JsonCopyOnly)->UseRealTime()->MinTime(1.0);

// ---------------------------------------------------------------------------
// Reopen (replay) of a 1,000,000-op log, and verify() of it. The log is made
// once per process with Sync::None (1,000,000 puts of distinct ids) and is
// warm in the page cache when timed.
// ---------------------------------------------------------------------------

constexpr std::int64_t kReplayN = 1'000'000;

struct ReplayLog {
  std::string dir;
  std::uint64_t bytes = 0;
};

const ReplayLog& Replay() {
  static const ReplayLog* r = [] {
    auto* p = new ReplayLog;
    p->dir = nb::FreshDir("replay-1m");
    {
      nedb::NEDB db(p->dir, nedb::Options{.sync = nedb::Sync::None});
      for (std::int64_t i = 0; i < kReplayN; ++i) db.put(nb::kColl, nb::Id(i), nb::Doc(i));
      db.close();
    }
    p->bytes = nb::LogBytes(p->dir);
    return p;
  }();
  return *r;
}

void BM_Reopen_NEDB(benchmark::State& st) {
  const ReplayLog& r = Replay();
  std::optional<nedb::NEDB> db;
  for (auto _ : st) {
    db.emplace(r.dir);  // nedb::NEDB db(dir): replays the log
    st.PauseTiming();
    if (db->seq() != static_cast<std::uint64_t>(kReplayN)) st.SkipWithError("wrong seq");
    db.reset();
    st.ResumeTiming();
  }
  st.SetItemsProcessed(st.iterations() * kReplayN);
  st.SetBytesProcessed(st.iterations() * static_cast<std::int64_t>(r.bytes));
  st.counters["log_bytes"] = static_cast<double>(r.bytes);
}

void BM_Verify_NEDB(benchmark::State& st) {
  const ReplayLog& r = Replay();
  nedb::NEDB db(r.dir);
  for (auto _ : st) {
    bool ok = db.verify();
    if (!ok) st.SkipWithError("verify() returned false");
  }
  st.SetItemsProcessed(st.iterations() * kReplayN);
  st.SetBytesProcessed(st.iterations() * static_cast<std::int64_t>(r.bytes));
  st.counters["log_bytes"] = static_cast<double>(r.bytes);
}

// Context: read() of the log's segments in 4 MiB chunks (the I/O floor under both).
void BM_Reopen_RawReadLog(benchmark::State& st) {
  const ReplayLog& r = Replay();
  std::vector<char> buf(4u << 20);
  for (auto _ : st) {
    std::uint64_t total = 0;
    for (const std::string& f : nb::SegmentFiles(r.dir)) {
      int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
      ssize_t k;
      while ((k = ::read(fd, buf.data(), buf.size())) > 0) total += static_cast<std::uint64_t>(k);
      ::close(fd);
    }
    if (total != r.bytes) st.SkipWithError("short read");
  }
  st.SetItemsProcessed(st.iterations() * kReplayN);
  st.SetBytesProcessed(st.iterations() * static_cast<std::int64_t>(r.bytes));
}

BENCHMARK(BM_Reopen_NEDB)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Verify_NEDB)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Reopen_RawReadLog)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const std::string root = nb::ScratchRoot();
  benchmark::AddCustomContext("nedb_version", nedb::kVersion);
  benchmark::AddCustomContext("sqlite_version", sqlite3_libversion());
  benchmark::AddCustomContext("scratch_dir", root);
  benchmark::AddCustomContext("scratch_fs", nb::FsType(root));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
