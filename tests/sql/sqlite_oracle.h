// SPDX-License-Identifier: Apache-2.0
// SQLite in memory as the oracle of sql_sqlite_diff_test: a snapshot of the
// random collection is loaded into a table whose columns carry each field's
// value and its kind (missing, null, boolean, other), so that a translated
// query can evaluate NEDB's documented semantics (docs/SQL.md) exactly.
#ifndef NEDB_TESTS_SQL_SQLITE_ORACLE_H_
#define NEDB_TESTS_SQL_SQLITE_ORACLE_H_

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace nedb::test {

// A field's kind, the first level of NEDB's total order. Numbers and strings
// share kind 3: SQLite orders them (numbers first, by value; strings by
// bytes) as NEDB does, when the columns have no type affinity. Arrays and
// objects are stored as their canonical JSON text, which is how NEDB
// orders them within their kind.
enum FieldKind : int { kMissing = 0, kNull = 1, kBool = 2, kValue = 3, kArray = 4, kObject = 5 };

// The document fields the test generates: the column as written in SQL, its
// output key, the JSON path, and the SQLite column (its kind column is
// <column>_k). "f g" is not an NQL field name: everything about it runs in
// the SQL adapter (and it cannot be indexed).
struct DiffField {
  const char* sql;
  const char* key;
  std::vector<std::string> path;
  const char* column;
};
inline const std::vector<DiffField>& DiffFields() {
  static const std::vector<DiffField> kFields = {{"a", "a", {"a"}, "a"},
                                                 {"b", "b", {"b"}, "b"},
                                                 {"s", "s", {"s"}, "s"},
                                                 {"o.x", "o.x", {"o", "x"}, "ox"},
                                                 {"\"f g\"", "f g", {"f g"}, "fg"}};
  return kFields;
}
// The fields an index may name (NQL field paths).
inline constexpr int kIndexableFields = 4;

class SqliteOracle {
 public:
  SqliteOracle() {
    if (sqlite3_open(":memory:", &db_) != SQLITE_OK) throw std::runtime_error("sqlite3_open");
    // NEDB's LIKE is case-sensitive; SQLite's is not unless asked.
    Exec("PRAGMA case_sensitive_like = ON");
  }
  ~SqliteOracle() { sqlite3_close(db_); }

  // SEARCH as an SQL function: nedb_search(seq, id, word) is search(seq,
  // id, word) ? 1 : 0 (the test emulates docs/NQL.md's SEARCH over its
  // model; SQLite has no such tokenizer).
  using SearchFn = std::function<bool(std::uint64_t, const std::string&, const std::string&)>;
  void SetSearch(SearchFn fn) {
    search_ = std::move(fn);
    auto call = [](sqlite3_context* ctx, int, sqlite3_value** argv) {
      auto* self = static_cast<SqliteOracle*>(sqlite3_user_data(ctx));
      auto text = [&](int i) {
        return std::string(reinterpret_cast<const char*>(sqlite3_value_text(argv[i])),
                           static_cast<std::size_t>(sqlite3_value_bytes(argv[i])));
      };
      const bool hit =
          self->search_(static_cast<std::uint64_t>(sqlite3_value_int64(argv[0])), text(1), text(2));
      sqlite3_result_int(ctx, hit ? 1 : 0);
    };
    sqlite3_create_function(db_, "nedb_search", 3, SQLITE_UTF8, this, call, nullptr, nullptr);
  }
  SqliteOracle(const SqliteOracle&) = delete;
  SqliteOracle& operator=(const SqliteOracle&) = delete;

  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("sqlite: " + msg + " in " + sql);
    }
  }

  // Creates table `name` holding docs (id -> document; nat: the id's place
  // in the natural order). Columns have no declared type: no affinity, so
  // SQLite never converts between numbers and strings.
  void Load(const std::string& name, const std::map<std::string, nlohmann::json>& docs,
            const std::map<std::string, std::uint64_t>& nat) {
    std::string cols = "id, nat";
    std::string marks = "?, ?";
    for (const DiffField& f : DiffFields()) {
      cols += std::string(", ") + f.column + ", " + f.column + "_k";
      marks += ", ?, ?";
    }
    Exec("CREATE TABLE " + name + " (" + cols + ")");
    sqlite3_stmt* st = Prepare("INSERT INTO " + name + " VALUES (" + marks + ")");
    for (const auto& [id, doc] : docs) {
      sqlite3_reset(st);
      sqlite3_bind_text(st, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
      sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(nat.at(id)));
      int i = 3;
      for (const DiffField& f : DiffFields()) {
        const nlohmann::json* v = &doc;
        for (const std::string& p : f.path) {
          v = v->is_object() && v->contains(p) ? &(*v)[p] : nullptr;
          if (v == nullptr) break;
        }
        BindValue(st, i, v);
        sqlite3_bind_int(st, i + 1, KindOf(v));
        i += 2;
      }
      if (sqlite3_step(st) != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
    }
    sqlite3_finalize(st);
  }

  // Runs a query; each row is its columns as JSON (integer, double, string
  // or null).
  std::vector<std::vector<nlohmann::json>> Query(const std::string& sql) {
    sqlite3_stmt* st = Prepare(sql);
    std::vector<std::vector<nlohmann::json>> rows;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::vector<nlohmann::json> row;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        switch (sqlite3_column_type(st, c)) {
          case SQLITE_INTEGER: row.emplace_back(std::int64_t{sqlite3_column_int64(st, c)}); break;
          case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(st, c)); break;
          case SQLITE_TEXT:
            row.emplace_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, c)),
                                         static_cast<std::size_t>(sqlite3_column_bytes(st, c))));
            break;
          default: row.emplace_back(nullptr); break;
        }
      }
      rows.push_back(std::move(row));
    }
    const std::string err = sqlite3_errmsg(db_);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) throw std::runtime_error("sqlite: " + err + " in " + sql);
    return rows;
  }

  static int KindOf(const nlohmann::json* v) {
    if (v == nullptr) return kMissing;
    if (v->is_null()) return kNull;
    if (v->is_boolean()) return kBool;
    if (v->is_array()) return kArray;
    if (v->is_object()) return kObject;
    return kValue;
  }

 private:
  sqlite3_stmt* Prepare(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr) !=
        SQLITE_OK) {
      throw std::runtime_error("sqlite: " + std::string(sqlite3_errmsg(db_)) + " in " + sql);
    }
    return st;
  }

  // Missing and null are SQL NULL (told apart by the kind column), a
  // boolean is 0 or 1 (its kind keeps it below every number).
  static void BindValue(sqlite3_stmt* st, int i, const nlohmann::json* v) {
    if (v == nullptr || v->is_null()) {
      sqlite3_bind_null(st, i);
    } else if (v->is_boolean()) {
      sqlite3_bind_int(st, i, v->get<bool>() ? 1 : 0);
    } else if (v->is_number_integer()) {
      sqlite3_bind_int64(st, i, v->get<std::int64_t>());
    } else if (v->is_number()) {
      sqlite3_bind_double(st, i, v->get<double>());
    } else if (v->is_string()) {
      const std::string& s = v->get_ref<const std::string&>();
      sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    } else {
      const std::string text = v->dump();  // canonical: keys sorted, no spaces
      sqlite3_bind_text(st, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    }
  }

  sqlite3* db_ = nullptr;
  SearchFn search_;
};

}  // namespace nedb::test

#endif  // NEDB_TESTS_SQL_SQLITE_ORACLE_H_
