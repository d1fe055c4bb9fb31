// SPDX-License-Identifier: Apache-2.0
// Randomized differential test of the SQL adapter (and of NQL, for every
// SELECT sql_to_nql translates) against SQLite in memory. Each round puts
// and deletes random documents with missing and null fields, creates random
// eq / ordered / search indexes (or none; some mid-history), and runs random
// SELECTs at HEAD and AS OF earlier seqs. A brute-force model of the ops
// gives the rows that existed at each seq; SQLite evaluates the query over
// them with NEDB's documented semantics (sql_diff_gen.h says how each
// documented difference from SQL is translated or left out).
//
//   NEDB_DIFF_QUERIES=100000  queries to run (default 2000)
//   NEDB_DIFF_SEED=1234       replay a seed (printed on every run)
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "nedb/nedb.h"
#include "nedb/sql.h"
#include "search_model.h"
#include "sql_diff_gen.h"
#include "sqlite_oracle.h"
#include "test_util.h"

namespace nedb {
namespace {

using nlohmann::json;
using test::DiffGen;
using test::DiffQuery;
using test::DiffRng;

std::uint64_t EnvNumber(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

// Numbers are equal by value; doubles within a relative 1e-9 (SUM and AVG
// of doubles add in a different order and precision than SQLite does).
bool SameValue(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_number_integer() && b.is_number_integer()) return a == b;
    const double x = a.get<double>(), y = b.get<double>();
    return std::fabs(x - y) <= 1e-9 * std::max({1.0, std::fabs(x), std::fabs(y)});
  }
  return a == b;
}

// One op of a round, as the model keeps it.
struct Op {
  std::uint64_t seq;
  std::string id;
  std::optional<json> doc;  // nullopt: deleted (or, with an empty id, a checkpoint)
};

class Round {
 public:
  // A third of the rounds use a durable database, checkpointed and reopened
  // at random points (indexes rebuilt, a snapshot loaded, AS OF reads
  // before it replayed from the log).
  Round(std::uint64_t seed, std::size_t round)
      : seed_(seed), rng_(seed * 1000003 + round), gen_(rng_), round_(round) {
    if (rng_.Chance(33)) dir_.emplace();
    Open();
  }

  // Random history and indexes.
  void Build() {
    oracle_.SetSearch([this](std::uint64_t seq, const std::string& id, const std::string& w) {
      return Search(seq, id, w);
    });
    static const std::vector<std::string> kIds = {"0",  "1",  "2",  "3",  "5",  "8",  "10",
                                                  "a",  "b",  "ab", "B",  "r1", "r2", "r3",
                                                  "r4", "r5", "r6", "r7", "r8", "r9", "\xc3\xa9"};
    static const char* kKinds[] = {"eq", "ordered", "search"};
    struct IndexAt {
      std::size_t at;
      std::string field, kind;
    };
    std::vector<IndexAt> indexes;
    const std::size_t ops = rng_.Chance(5) ? 0 : 10 + rng_(140);
    if (!rng_.Chance(25)) {
      const std::uint64_t n = 1 + rng_(4);
      for (std::uint64_t i = 0; i < n; ++i) {
        // The document id may be indexed too (SQL's id is _id).
        const std::uint64_t f = rng_(test::kIndexableFields + 1);
        IndexAt ix{rng_.Chance(60) ? 0 : rng_(ops + 1),
                   f == test::kIndexableFields ? "_id" : test::DiffFields()[f].sql,
                   kKinds[rng_(3)]};
        indexes.push_back(ix);
      }
    }
    std::map<std::string, json> head;
    for (std::size_t i = 0; i <= ops; ++i) {
      for (const IndexAt& ix : indexes) {
        if (ix.at == i) {
          db_->create_index("t", ix.field, ix.kind);
          if (ix.kind == "search") search_paths_.insert(test::FieldPath(ix.field));
          indexes_ += " " + ix.field + ":" + ix.kind + "@" + std::to_string(db_->seq());
        }
      }
      if (i == ops) break;
      const std::string& id = rng_.Pick(kIds);
      if (dir_ && rng_.Chance(3)) {
        Durability();
        continue;
      }
      if (rng_.Chance(20)) {
        SqlWrite(kIds);
        if (::testing::Test::HasFailure()) return;
        head = State(db_->seq());
        continue;
      }
      if (head.count(id) && rng_.Chance(18)) {
        ASSERT_TRUE(db_->remove("t", id));
        head.erase(id);
        ops_.push_back({db_->seq(), id, std::nullopt});
      } else {
        json doc = gen_.Doc();
        db_->put("t", id, doc);
        doc["_id"] = id;  // put() adds it
        head[id] = doc;
        nat_.try_emplace(id, nat_.size());
        ops_.push_back({db_->seq(), id, doc});
      }
    }
    if (dir_ && rng_.Chance(70)) Durability();
    ASSERT_EQ(db_->seq(), ops_.size());
  }

  // Runs n queries; returns the number of failures reported.
  int Run(std::size_t n, int budget) {
    int failures = 0;
    for (std::size_t i = 0; i < n && failures < budget; ++i) {
      std::optional<std::uint64_t> as_of;
      if (rng_.Chance(35)) as_of = rng_(db_->seq() + 1);
      const std::string table = Snapshot(as_of.value_or(db_->seq()));
      DiffQuery q = gen_.Select(table, as_of);
      q.sqlite = WithSeq(q.sqlite, as_of.value_or(db_->seq()));
      std::string why;
      if (!Check(q, &why)) {
        ++failures;
        ADD_FAILURE() << "NEDB_DIFF_SEED=" << seed_ << " round " << round_ << " query " << i
                      << " (indexes:" << (indexes_.empty() ? " none" : indexes_)
                      << (dir_ ? "; durable:" + events_ : "") << "; head seq " << db_->seq()
                      << ")\n  SQL:    " << q.nedb << "\n  SQLite: " << q.sqlite << "\n  " << why;
      }
      ++queries_;
    }
    return failures;
  }

  std::size_t nql_checked() const { return nql_checked_; }

 private:
  using Docs = std::map<std::string, json>;

  void Open() {
    db_.reset();
    db_ = dir_ ? std::make_unique<NEDB>(dir_->sub("db")) : std::make_unique<NEDB>();
  }
  // A checkpoint (one op that changes no document) and/or a reopen.
  void Durability() {
    const std::uint64_t k = rng_(3);
    if (k != 1) {
      db_->checkpoint();
      ops_.push_back({db_->seq(), "", std::nullopt});
      events_ += " checkpoint@" + std::to_string(db_->seq());
    }
    if (k != 0) {
      Open();
      events_ += " reopen@" + std::to_string(db_->seq());
    }
  }

  // Sets path in doc, creating (or replacing non-object) parents: what
  // docs/SQL.md says INSERT and UPDATE do with a dotted column.
  static void SetPath(json& doc, const std::vector<std::string>& path, const json& v) {
    json* cur = &doc;
    for (std::size_t k = 0; k + 1 < path.size(); ++k) {
      json& next = (*cur)[path[k]];
      if (!next.is_object()) next = json::object();
      cur = &next;
    }
    (*cur)[path.back()] = v;
  }

  // One INSERT, UPDATE or DELETE through sql_exec; the model applies what
  // docs/SQL.md says it does (UPDATE and DELETE select their rows as SELECT
  // * ... WHERE at HEAD: here SQLite selects them), and the answer's
  // affected and seq must agree.
  void SqlWrite(const std::vector<std::string>& ids) {
    const std::uint64_t before = db_->seq();
    const Docs head = State(before);
    std::string sql;
    std::vector<std::pair<std::string, std::optional<json>>> writes;  // in op order
    const std::uint64_t kind = rng_(100);
    if (kind < 40) {  // INSERT: a new document per row (an upsert)
      std::vector<int> cols;
      for (int f = 0; f < static_cast<int>(test::DiffFields().size()); ++f) {
        if (rng_.Chance(60)) cols.push_back(f);
      }
      for (std::size_t i = cols.size(); i > 1; --i) std::swap(cols[i - 1], cols[rng_(i)]);
      const std::size_t id_at = rng_(cols.size() + 1);
      sql = "INSERT INTO t (";
      for (std::size_t c = 0; c <= cols.size(); ++c) {
        if (c > 0) sql += ", ";
        if (c == id_at) {
          sql += rng_.Chance(70) ? "id" : "_id";
        } else {
          sql += gen_.WriteColumn(cols[c < id_at ? c : c - 1]);
        }
      }
      sql += ") VALUES ";
      const std::uint64_t rows = 1 + rng_(3);
      for (std::uint64_t r = 0; r < rows; ++r) {
        const std::string& id = rng_.Pick(ids);
        const bool number = id.find_first_not_of("0123456789") == std::string::npos &&
                            (id == "0" || id[0] != '0') && rng_.Chance(50);
        json doc = json::object();
        sql += r ? ", (" : "(";
        for (std::size_t c = 0; c <= cols.size(); ++c) {
          if (c > 0) sql += ", ";
          if (c == id_at) {
            sql += number ? id : gen_.LiteralText(id);
            continue;
          }
          const int f = cols[c < id_at ? c : c - 1];
          const json v = gen_.LitValue(f);
          sql += gen_.LiteralText(v);
          SetPath(doc, test::DiffFields()[f].path, v);
        }
        sql += ")";
        doc["_id"] = id;
        writes.emplace_back(id, doc);
      }
    } else {
      const bool update = kind < 75;
      std::vector<std::pair<int, json>> sets;
      if (update) {
        sql = "UPDATE t SET ";
        const int n = static_cast<int>(test::DiffFields().size());
        for (int f = 0; f < n; ++f) {
          if (sets.empty() ? rng_.Chance(50) || f == n - 1 : rng_.Chance(30)) {
            sets.emplace_back(f, gen_.LitValue(f));
            sql += (sets.size() > 1 ? ", " : "") + gen_.WriteColumn(f) + " = " +
                   gen_.LiteralText(sets.back().second);
          }
        }
      } else {
        sql = "DELETE FROM t";
      }
      std::string where_sqlite = "1";
      if (rng_.Chance(85)) {
        auto [n, w] = gen_.Where();
        sql += " WHERE " + n;
        where_sqlite = WithSeq(w, before);
      }
      const std::string table = Snapshot(before);
      for (const auto& row :
           oracle_.Query("SELECT id FROM " + table + " WHERE " + where_sqlite + " ORDER BY nat")) {
        const std::string id = row[0].get<std::string>();
        if (!update) {
          writes.emplace_back(id, std::nullopt);
          continue;
        }
        json doc = head.at(id);
        for (const auto& [f, v] : sets) SetPath(doc, test::DiffFields()[f].path, v);
        writes.emplace_back(id, doc);
      }
    }
    json got;
    try {
      got = sql_exec(*db_, sql);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "NEDB_DIFF_SEED=" << seed_ << " round " << round_ << " write " << sql
                    << " threw: " << e.what();
      return;
    }
    const json want = {{"affected", writes.size()}, {"seq", before + writes.size()}};
    if (got != want) {
      ADD_FAILURE() << "NEDB_DIFF_SEED=" << seed_ << " round " << round_ << " write (seq " << before
                    << "): " << sql << "\n  expected: " << want.dump()
                    << "\n  actual:   " << got.dump();
      return;
    }
    for (std::size_t k = 0; k < writes.size(); ++k) {
      ops_.push_back({before + k + 1, writes[k].first, writes[k].second});
      if (writes[k].second) nat_.try_emplace(writes[k].first, nat_.size());
    }
  }

  static std::string WithSeq(std::string sql, std::uint64_t seq) {
    const std::string mark = DiffGen::kSeqMark;
    for (std::size_t at; (at = sql.find(mark)) != std::string::npos;) {
      sql.replace(at, mark.size(), std::to_string(seq));
    }
    return sql;
  }

  // SEARCH "word" on the document id at seq, with the search indexes
  // created so far.
  bool Search(std::uint64_t seq, const std::string& id, const std::string& word) const {
    return test::SearchMatches(states_.at(seq).at(id), search_paths_, word);
  }

  // The model's state after every op up to seq.
  Docs State(std::uint64_t seq) const {
    Docs state;
    for (const Op& op : ops_) {
      if (op.seq > seq) break;
      if (op.id.empty()) continue;  // a checkpoint
      if (op.doc) {
        state[op.id] = *op.doc;
      } else {
        state.erase(op.id);
      }
    }
    return state;
  }

  // The oracle's table of the state at seq (the model: every op up to seq).
  std::string Snapshot(std::uint64_t seq) {
    const std::string name = "s" + std::to_string(seq);
    if (loaded_.insert(seq).second) {
      Docs state = State(seq);
      oracle_.Load(name, state, nat_);
      states_[seq] = std::move(state);
    }
    return name;
  }

  // The oracle's answer as NEDB's rows (kStar: the ids).
  json Expected(const DiffQuery& q) {
    json out = json::array();
    for (const auto& row : oracle_.Query(q.sqlite)) {
      if (q.shape == DiffQuery::Shape::kStar) {
        out.push_back(row[0]);
        continue;
      }
      json o = json::object();
      for (std::size_t k = 0; k < q.outputs.size(); ++k) {
        const json& kind = row[2 * k];
        const json& v = row[2 * k + 1];
        if (v.is_null()) {
          o[q.outputs[k].name] = nullptr;
        } else if (kind.is_number_integer() && kind.get<int>() == test::kBool) {
          o[q.outputs[k].name] = v.get<std::int64_t>() != 0;
        } else if (kind.is_number_integer() && kind.get<int>() >= test::kArray) {
          o[q.outputs[k].name] = json::parse(v.get<std::string>());
        } else {
          o[q.outputs[k].name] = v;
        }
      }
      out.push_back(std::move(o));
    }
    return out;
  }

  bool Same(const DiffQuery& q, const json& want, const json& got, std::uint64_t seq,
            std::string* why) {
    auto fail = [&](const std::string& what) {
      *why = what + "\n  expected: " + want.dump() + "\n  actual:   " + got.dump();
      return false;
    };
    if (!got.is_array() || got.size() != want.size()) return fail("row counts differ");
    for (std::size_t i = 0; i < want.size(); ++i) {
      if (q.shape == DiffQuery::Shape::kStar) {
        const std::string id = want[i].get<std::string>();
        const json& doc = states_.at(seq).at(id);
        if (got[i] != doc) return fail("row " + std::to_string(i) + " is not document " + id);
        continue;
      }
      if (got[i].size() != want[i].size()) return fail("row " + std::to_string(i) + "'s keys");
      for (const test::DiffOutput& o : q.outputs) {
        if (!got[i].contains(o.name) || !SameValue(want[i][o.name], got[i][o.name]) ||
            (o.exact_int &&
             want[i][o.name].is_number_integer() != got[i][o.name].is_number_integer())) {
          return fail("row " + std::to_string(i) + " column " + o.name);
        }
      }
    }
    return true;
  }

  bool Check(const DiffQuery& q, std::string* why) {
    const std::uint64_t seq = SnapshotSeq(q);
    json want;
    try {
      want = Expected(q);
    } catch (const std::exception& e) {
      *why = std::string("the oracle failed: ") + e.what();
      return false;
    }
    json got;
    try {
      got = sql_exec(*db_, q.nedb);
    } catch (const std::exception& e) {
      *why = std::string("sql_exec threw: ") + e.what();
      return false;
    }
    if (!Same(q, want, got, seq, why)) return false;
    if (rng_.Chance(10)) {  // the read-only overload answers the same
      const json ro = sql_exec(static_cast<const NEDB&>(*db_), q.nedb);
      if (ro != got) {
        *why = "sql_exec(const NEDB&) differs: " + ro.dump();
        return false;
      }
    }
    // NQL, when the SELECT is expressible: the same rows.
    std::string nql;
    try {
      nql = sql_to_nql(q.nedb);
    } catch (const SQLUnsupportedError&) {
      return true;
    } catch (const std::exception& e) {
      *why = std::string("sql_to_nql threw: ") + e.what();
      return false;
    }
    try {
      const std::vector<json> rows = db_->query(nql);
      ++nql_checked_;
      if (!Same(q, want, json(rows), seq, why)) {
        *why = "NQL " + nql + ": " + *why;
        return false;
      }
    } catch (const std::exception& e) {
      *why = "NQL " + nql + " threw: " + e.what();
      return false;
    }
    return true;
  }

  std::uint64_t SnapshotSeq(const DiffQuery& q) const {
    const std::size_t at = q.sqlite.find(" FROM s");
    return std::stoull(q.sqlite.substr(at + 7));
  }

  std::uint64_t seed_;
  DiffRng rng_;
  DiffGen gen_;
  std::size_t round_;
  std::optional<test::TempDir> dir_;  // a durable round's directory
  std::unique_ptr<NEDB> db_;
  test::SqliteOracle oracle_;
  std::vector<Op> ops_;
  std::map<std::string, std::uint64_t> nat_;  // id -> place in the natural order
  std::set<std::uint64_t> loaded_;
  std::map<std::uint64_t, std::map<std::string, json>> states_;
  std::string indexes_;
  std::string events_;                               // checkpoints and reopens
  std::set<std::vector<std::string>> search_paths_;  // of the search indexes
  std::size_t queries_ = 0;
  std::size_t nql_checked_ = 0;
};

TEST(SqlSqliteDiffTest, RandomQueriesAgreeWithSqlite) {
  const std::uint64_t seed = EnvNumber(
      "NEDB_DIFF_SEED",
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) %
          1000000007);
  const std::uint64_t queries = EnvNumber("NEDB_DIFF_QUERIES", 2000);
  std::cout << "sql_sqlite_diff_test: NEDB_DIFF_SEED=" << seed << " NEDB_DIFF_QUERIES=" << queries
            << std::endl;
  RecordProperty("seed", std::to_string(seed));
  constexpr std::uint64_t kPerRound = 100;
  int budget = 10;  // failures reported before stopping
  std::size_t nql = 0;
  for (std::uint64_t done = 0, round = 0; done < queries && budget > 0; ++round) {
    Round r(seed, round);
    r.Build();
    if (HasFailure()) break;
    const std::uint64_t n = std::min(kPerRound, queries - done);
    budget -= r.Run(n, budget);
    nql += r.nql_checked();
    done += n;
  }
  std::cout << "sql_sqlite_diff_test: " << nql << " of the SELECTs also checked as NQL"
            << std::endl;
  if (budget <= 0) std::cout << "sql_sqlite_diff_test: stopped after 10 failures" << std::endl;
  EXPECT_GT(budget, 0) << "replay with NEDB_DIFF_SEED=" << seed;
}

}  // namespace
}  // namespace nedb
