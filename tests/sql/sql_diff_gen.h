// SPDX-License-Identifier: Apache-2.0
// Random documents and random SELECTs for sql_sqlite_diff_test. Every query
// is rendered twice: as NEDB SQL, and as an SQLite query over the oracle's
// table (sqlite_oracle.h) that evaluates NEDB's documented semantics
// (docs/SQL.md, "Semantics"), where they differ from SQL's:
//
//  * Two-valued logic and the total order missing < null < false < true <
//    numbers < strings < arrays < objects (arrays and objects by their
//    canonical text). SQLite would give NULL for `a < 3` with a null `a`,
//    and NOT NULL is NULL; NEDB says null < 3 is true and NOT is the plain
//    complement. So each comparison is translated into a CASE over the
//    operands' kinds (missing: only != holds; different kinds: compare the
//    kinds; both null: equal) and only two values of the same kind are
//    compared by SQLite itself. AND, OR, NOT, ORDER BY, LIMIT/OFFSET,
//    GROUP BY, the aggregates and LIKE are SQLite's own.
//  * `f = NULL` matches a null (a value in NEDB), IS NULL matches missing or
//    null, IN / BETWEEN are ORs / ANDs of comparisons (so an inverted
//    BETWEEN is empty, and NOT IN matches a missing field).
//  * Aggregates count and sum as NEDB documents: SUM/AVG/MIN/MAX over
//    numbers only (SQLite would read '10' as 10), SUM of nothing is 0.
//  * Groups: missing and null are one group (null); a boolean group is kept
//    apart from the numbers 0 and 1 by its kind.
//  * Ties in ORDER BY keep the natural order (the order ids were first put):
//    every SQLite ORDER BY ends with the id's natural place.
//  * `LIKE '%word%'` with one SEARCH token is SEARCH (docs/SQL.md, LIKE):
//    the SQLite side calls nedb_search(), which the test implements from
//    docs/NQL.md over its model (search_model.h: whole tokens of the
//    search-indexed fields, or of every string value when the collection
//    has no search index). Other patterns are SQLite's LIKE, made
//    case-sensitive as NEDB's is (PRAGMA case_sensitive_like).
//  * Not generated: array and object literals (SQL has none), ORDER BY
//    aggregates in an ungrouped SELECT (an error), a trailing ESCAPE
//    character. Numbers in documents add up exactly in both engines (see
//    Value()); extreme numbers are literals only.
#ifndef NEDB_TESTS_SQL_SQL_DIFF_GEN_H_
#define NEDB_TESTS_SQL_SQL_DIFF_GEN_H_

#include <algorithm>
#include <climits>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sqlite_oracle.h"

namespace nedb::test {

class DiffRng {
 public:
  explicit DiffRng(std::uint64_t seed) : g_(seed) {}
  std::uint64_t operator()(std::uint64_t n) { return n == 0 ? 0 : g_() % n; }
  bool Chance(int percent) { return (*this)(100) < static_cast<std::uint64_t>(percent); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[(*this)(v.size())];
  }

 private:
  std::mt19937_64 g_;
};

// One output column: its key in NEDB's rows and whether its number must
// have the same integer-ness (COUNT and SUM are integers over integers).
struct DiffOutput {
  std::string name;
  bool exact_int = false;
};

struct DiffQuery {
  enum class Shape { kStar, kColumns, kGrouped };
  Shape shape = Shape::kStar;
  std::string nedb;    // NEDB SQL
  std::string sqlite;  // the oracle's query: SELECT id (kStar) or (kind, value) per output
  std::vector<DiffOutput> outputs;
};

class DiffGen {
 public:
  // Stands for the snapshot's seq in SQLite text (nedb_search's first
  // argument); the caller replaces it.
  static constexpr const char* kSeqMark = "@SEQ@";

  explicit DiffGen(DiffRng& rng) : r_(rng) {}

  // A value for field f (-1: any literal). Kinds are mixed on purpose.
  nlohmann::json Value(int f) {
    // Data numbers add up exactly in a double and in NEDB's wider sums
    // (dyadic fractions, integers far below 2^53), so SUM and AVG agree
    // to the last bit and ORDER BY AVG(...) ties the same way in both.
    // Values near 2^53 and inexact decimals are literals only.
    static const std::vector<std::int64_t> kInts = {-2, -1, 0, 1, 2, 3, 5, 8, 1000000000000};
    static const std::vector<double> kDoubles = {-1.5, -0.5, 0.5,  1.5,  2.0,      2.5,
                                                 3.0,  7.25, -0.0, 0.25, 0.0078125};
    static const std::vector<std::string> kStrings = {"",
                                                      "a",
                                                      "b",
                                                      "ab",
                                                      "Ab",
                                                      "B",
                                                      "a b",
                                                      "\xc3\xa9",
                                                      "\xc3\xa9"
                                                      "a",
                                                      "10",
                                                      "3",
                                                      "a%b",
                                                      "a_b",
                                                      "x!y",
                                                      "ba",
                                                      "q\"",
                                                      "back\\slash",
                                                      "a\tb",
                                                      "\x01",
                                                      "~",
                                                      "\xf0\x9f\x98\x80"};
    // Literals only: extremes that no sum may add up (SQLite's SUM raises on
    // int64 overflow, NEDB's becomes a double).
    static const std::vector<nlohmann::json> kExtremes = {
        INT64_MAX,          INT64_MIN + 1,    1e300,      -1e300,
        9007199254740992.0, 9007199254740993, UINT64_MAX, std::uint64_t{1} << 63,
        INT64_MIN,          5e-324,           0.1,        1e-7};
    static const std::vector<nlohmann::json> kComposites = {
        nlohmann::json::array(),  {1, 2},     {"a"},
        nlohmann::json::object(), {{"k", 1}}, {{"a", {1, "b"}}}};
    // Weights of null, bool, int, double, string, array/object per field
    // (a: numeric, b: anything, s: mostly strings, o.x and "f g": anything;
    // the last row: literals).
    static const int kWeights[6][6] = {{6, 6, 50, 28, 10, 0},    {12, 12, 22, 18, 24, 12},
                                       {6, 6, 10, 8, 70, 0},     {10, 10, 26, 18, 26, 10},
                                       {10, 10, 30, 20, 20, 10}, {8, 10, 30, 22, 30, 0}};
    const int* w = kWeights[f < 0 ? 5 : f];
    int pick = static_cast<int>(r_(100));
    int kind = 0;
    while (kind < 5 && pick >= w[kind]) pick -= w[kind++];
    if (f < 0 && r_.Chance(3)) return r_.Pick(kExtremes);
    switch (kind) {
      case 0: return nullptr;
      case 1: return r_.Chance(50);
      case 2: return r_.Pick(kInts);
      case 3: return r_.Pick(kDoubles);
      case 4: return r_.Pick(kStrings);
      default: return r_.Pick(kComposites);
    }
  }

  // A value SQL can write as a literal (no arrays or objects).
  nlohmann::json LitValue(int f) {
    nlohmann::json v;
    do {
      v = Value(f);
    } while (v.is_structured());
    return v;
  }

  nlohmann::json Doc() {
    nlohmann::json d = nlohmann::json::object();
    for (int f : {0, 1, 2, 4}) {
      if (!r_.Chance(f == 4 ? 40 : 12)) d[DiffFields()[f].key] = Value(f);
    }
    const std::uint64_t o = r_(10);
    if (o < 2) return d;                            // no o
    if (o == 2) d["o"] = 5;                         // o.x missing: o not an object
    if (o == 3) d["o"] = nlohmann::json::object();  // o.x missing
    if (o >= 4) d["o"] = nlohmann::json{{"x", Value(3)}, {"y", 1}};
    return d;
  }

  // A WHERE condition for UPDATE / DELETE: {NEDB SQL, SQLite}.
  std::pair<std::string, std::string> Where() {
    alias_.clear();
    return Cond(static_cast<int>(r_(3)));
  }
  // A column written by INSERT / UPDATE: sometimes qualified by the table.
  std::string WriteColumn(int f) {
    alias_.clear();
    return ColumnText(f);
  }
  std::string LiteralText(const nlohmann::json& v) { return Literal(v, false).nedb; }

  DiffQuery Select(const std::string& table, std::optional<std::uint64_t> as_of) {
    DiffQuery q;
    alias_.clear();
    if (r_.Chance(20)) alias_ = "q";
    const std::string at = as_of ? " AS OF " + std::to_string(*as_of) : "";
    std::string from = " FROM t" + at;
    if (!alias_.empty()) {  // the alias before or after AS OF
      const std::string a = (r_.Chance(50) ? " AS " : " ") + alias_;
      from = r_.Chance(50) ? " FROM t" + a + at : " FROM t" + at + a;
    }
    std::string where_nedb, where_sqlite = " WHERE 1";
    if (r_.Chance(80)) {
      auto [n, s] = Cond(static_cast<int>(r_(4)));
      where_nedb = " WHERE " + n;
      where_sqlite = " WHERE " + s;
    }
    const std::uint64_t shape = r_(100);
    if (shape < 45) {
      q.shape = DiffQuery::Shape::kStar;
      Rows(q, true, table, from, where_nedb, where_sqlite);
    } else if (shape < 70) {
      q.shape = DiffQuery::Shape::kColumns;
      Rows(q, false, table, from, where_nedb, where_sqlite);
    } else {
      q.shape = DiffQuery::Shape::kGrouped;
      Grouped(q, table, from, where_nedb, where_sqlite);
    }
    return q;
  }

 private:
  static constexpr int kId = 5;  // the column `id` (the document id)

  // A column as written in NEDB SQL, sometimes qualified by the table or
  // its alias (which the parser strips).
  std::string ColumnText(int f) {
    std::string name = f == kId ? "id" : DiffFields()[f].sql;
    if (name[0] != '"' && r_.Chance(5)) {  // quoted identifiers: "o"."x" is the path o.x
      std::string quoted;
      for (std::size_t start = 0;;) {
        const std::size_t dot = name.find('.', start);
        quoted += "\"" + name.substr(start, dot - start) + "\"";
        if (dot == std::string::npos) break;
        quoted += ".";
        start = dot + 1;
      }
      name = quoted;
    }
    const std::uint64_t q = r_(10);
    if (q == 0) return "t." + name;
    if (q < 3 && !alias_.empty()) return alias_ + "." + name;
    return name;
  }
  static std::string Name(int f) { return f == kId ? "id" : DiffFields()[f].key; }
  static std::string KindExpr(int f) {
    return f == kId ? "3" : std::string(DiffFields()[f].column) + "_k";
  }
  static std::string ValueExpr(int f) { return f == kId ? "id" : DiffFields()[f].column; }
  // ORDER BY f: by kind, then value ("3" would be SQLite's column number).
  static std::string OrderExpr(int f, bool desc) {
    const std::string d = desc ? " DESC, " : ", ";
    return f == kId ? "id" + d : KindExpr(f) + d + ValueExpr(f) + d;
  }
  int Field(int id_percent) {
    return r_.Chance(id_percent) ? kId : static_cast<int>(r_(DiffFields().size()));
  }

  static std::string Quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
  }

  struct Operand {
    std::string nedb, kind, value;  // kind: SQLite expression of its kind
  };
  // A literal; compared with id, a number is its text (docs/SQL.md: ids
  // are strings, `id = 7` is `_id = "7"`).
  Operand Literal(const nlohmann::json& v, bool vs_id) {
    if (v.is_null()) return {"NULL", "1", "NULL"};
    if (v.is_boolean()) return {v.get<bool>() ? "TRUE" : "FALSE", "2", v.get<bool>() ? "1" : "0"};
    if (v.is_string()) return {Quote(v.get<std::string>()), "3", Quote(v.get<std::string>())};
    const std::string text = v.dump();  // 2.0 stays a double: "2.0"
    return {text, "3", vs_id ? Quote(text) : text};
  }
  Operand Column(int f) { return {ColumnText(f), KindExpr(f), ValueExpr(f)}; }

  // NEDB's comparison: missing matches only !=; kinds compare first.
  static std::string Compare(const Operand& x, const std::string& op, const Operand& y) {
    const std::string ne = op == "<>" ? "1" : "0";
    const std::string eqish = op == "=" || op == "<=" || op == ">=" ? "1" : "0";
    return "(CASE WHEN " + x.kind + " = 0 OR " + y.kind + " = 0 THEN " + ne + " WHEN " + x.kind +
           " <> " + y.kind + " THEN (" + x.kind + " " + op + " " + y.kind + ") WHEN " + x.kind +
           " = 1 THEN " + eqish + " ELSE (" + x.value + " " + op + " " + y.value + ") END)";
  }

  std::pair<std::string, std::string> Cond(int depth) {
    const std::uint64_t k = r_(depth > 0 ? 100 : 64);
    if (k >= 64) {
      if (k < 78) return Chain(depth, " AND ", " AND ");
      if (k < 90) return Chain(depth, " OR ", " OR ");
      auto [n, s] = Cond(depth - 1);
      const bool chain =
          n.find(" AND ") != std::string::npos || n.find(" OR ") != std::string::npos;
      return {chain ? "NOT (" + n + ")" : "NOT " + n, "(NOT " + s + ")"};
    }
    if (k < 28) return Comparison();
    if (k < 36) return In();
    if (k < 44) return Between();
    if (k < 52) return LikePredicate();
    if (k < 58) return IsNull();
    if (k < 62) {  // a bare column: col = TRUE
      const int f = Field(0);
      Operand c = Column(f);
      return {c.nedb, Compare(c, "=", Literal(true, false))};
    }
    return r_.Chance(50) ? std::pair<std::string, std::string>{"TRUE", "1"}
                         : std::pair<std::string, std::string>{"FALSE", "0"};
  }

  std::pair<std::string, std::string> Chain(int depth, const char* nedb_op, const char* sql_op) {
    const int n = 2 + static_cast<int>(r_(2));
    std::string a, b;
    for (int i = 0; i < n; ++i) {
      auto [x, y] = Cond(depth - 1);
      const bool composite = x.find(" AND ") != std::string::npos ||
                             x.find(" OR ") != std::string::npos || x.rfind("NOT ", 0) == 0;
      if (i > 0) {
        a += nedb_op;
        b += sql_op;
      }
      a += composite || r_.Chance(10) ? "(" + x + ")" : x;
      b += y;
    }
    return {a, "(" + b + ")"};
  }

  std::pair<std::string, std::string> Comparison() {
    static const std::vector<std::pair<std::string, std::string>> kOps = {
        {"=", "="}, {"==", "="},  {"!=", "<>"}, {"<>", "<>"},
        {"<", "<"}, {"<=", "<="}, {">", ">"},   {">=", ">="}};
    const auto& [nop, sop] = r_.Pick(kOps);
    const int f = Field(8);
    Operand col = Column(f);
    const std::uint64_t form = r_(20);
    if (form < 2) {  // two columns
      Operand other = Column(Field(8));
      return {col.nedb + " " + nop + " " + other.nedb, Compare(col, sop, other)};
    }
    if (form == 2) {  // two values
      Operand x = Literal(LitValue(-1), false), y = Literal(LitValue(-1), false);
      return {x.nedb + " " + nop + " " + y.nedb, Compare(x, sop, y)};
    }
    Operand lit = Literal(LitValue(f == kId ? 2 : f), f == kId);
    if (form < 6) return {lit.nedb + " " + nop + " " + col.nedb, Compare(lit, sop, col)};
    return {col.nedb + " " + nop + " " + lit.nedb, Compare(col, sop, lit)};
  }

  std::pair<std::string, std::string> In() {
    const int f = Field(8);
    Operand col = Column(f);
    const bool neg = r_.Chance(40);
    std::string list, any;
    const int n = 1 + static_cast<int>(r_(4));
    for (int i = 0; i < n; ++i) {
      Operand lit = Literal(LitValue(f == kId ? 2 : f), f == kId);
      list += (i ? ", " : "") + lit.nedb;
      any += (i ? " OR " : "") + Compare(col, "=", lit);
    }
    std::string s = "(" + any + ")";
    return {col.nedb + (neg ? " NOT IN (" : " IN (") + list + ")", neg ? "(NOT " + s + ")" : s};
  }

  std::pair<std::string, std::string> Between() {
    const int f = Field(5);
    Operand col = Column(f);
    const bool neg = r_.Chance(30);
    Operand lo = Literal(LitValue(f == kId ? 2 : f), f == kId);
    Operand hi = Literal(LitValue(f == kId ? 2 : f), f == kId);
    std::string s = "(" + Compare(col, ">=", lo) + " AND " + Compare(col, "<=", hi) + ")";
    return {col.nedb + (neg ? " NOT BETWEEN " : " BETWEEN ") + lo.nedb + " AND " + hi.nedb,
            neg ? "(NOT " + s + ")" : s};
  }

  // NEDB maps LIKE '%word%' (one SEARCH token) to SEARCH: not generated.
  static bool IsSearchPattern(const std::string& p, bool escape) {
    if (p.size() < 3 || p.front() != '%' || p.back() != '%') return false;
    if (escape && p.find('!') != std::string::npos) return false;
    for (std::size_t i = 1; i + 1 < p.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(p[i]);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c >= 0x80))
        return false;
    }
    return true;
  }

  std::pair<std::string, std::string> LikePredicate() {
    static const std::vector<std::string> kPieces = {"a", "b",        "A",  "%",  "%",  "_", "_",
                                                     " ", "\xc3\xa9", "!%", "!_", "!!", "x", "1"};
    if (r_.Chance(25)) {  // LIKE '%word%': SEARCH (docs/SQL.md), emulated by the test
      static const std::vector<std::string> kWords = {
          "a", "b",    "ab",       "Ab", "A",     "x",    "y",  "1",  "10", "2",
          "5", "true", "\xc3\xa9", "k",  "slash", "back", "ba", "07", "B"};
      const std::string& w = r_.Pick(kWords);
      Operand col = r_.Chance(5) ? Literal(LitValue(2), false) : Column(Field(6));
      const bool neg = r_.Chance(30);
      const std::string s = "nedb_search(" + std::string(kSeqMark) + ", id, " + Quote(w) + ")";
      return {col.nedb + (neg ? " NOT LIKE '%" : " LIKE '%") + w + "%'",
              neg ? "(NOT " + s + ")" : s};
    }
    const bool escape = r_.Chance(30);
    std::string p;
    do {
      p.clear();
      const int n = static_cast<int>(r_(5));
      for (int i = 0; i < n; ++i) {
        std::string piece = r_.Pick(kPieces);
        if (!escape && piece[0] == '!') piece = piece.substr(1);
        p += piece;
      }
    } while (IsSearchPattern(p, escape));
    const int f = Field(6);
    Operand col = r_.Chance(5) ? Literal(LitValue(2), false) : Column(f);
    const bool neg = r_.Chance(30);
    const std::string esc = escape ? " ESCAPE '!'" : "";
    std::string s = "(CASE WHEN " + col.kind + " = 3 AND typeof(" + col.value +
                    ") = 'text' THEN (" + col.value + " LIKE " + Quote(p) + esc + ") ELSE 0 END)";
    return {col.nedb + (neg ? " NOT LIKE " : " LIKE ") + Quote(p) + esc,
            neg ? "(NOT " + s + ")" : s};
  }

  std::pair<std::string, std::string> IsNull() {
    Operand x = r_.Chance(5) ? Literal(LitValue(-1), false) : Column(Field(5));
    const bool neg = r_.Chance(50);
    return {x.nedb + (neg ? " IS NOT NULL" : " IS NULL"),
            "(" + x.kind + (neg ? " >= 2)" : " <= 1)")};
  }

  void Window(std::string* nedb, std::string* sqlite) {
    if (r_.Chance(5)) {
      const auto off = r_(5), lim = r_(8);
      *nedb += " LIMIT " + std::to_string(off) + ", " + std::to_string(lim);
      *sqlite += " LIMIT " + std::to_string(lim) + " OFFSET " + std::to_string(off);
      return;
    }
    const bool limit = r_.Chance(30), offset = r_.Chance(15);
    // Now and then the largest counts: LIMIT 2^64-1 (no limit; SQLite's
    // -1) and OFFSET 2^63-1 (past every row).
    const bool huge_limit = r_.Chance(5), huge_offset = r_.Chance(5);
    const std::string lim = huge_limit ? "18446744073709551615" : std::to_string(r_(9));
    const std::string off = huge_offset ? "9223372036854775807" : std::to_string(r_(6));
    if (limit) *nedb += " LIMIT " + lim;
    if (offset) *nedb += " OFFSET " + off + (r_.Chance(20) ? " ROWS" : "");
    if (limit || offset) *sqlite += " LIMIT " + (limit && !huge_limit ? lim : std::string("-1"));
    if (offset) *sqlite += " OFFSET " + off;
  }

  void Rows(DiffQuery& q, bool star, const std::string& table, const std::string& from,
            const std::string& where_nedb, const std::string& where_sqlite) {
    std::string list, cols;
    std::vector<std::pair<std::string, int>> aliases;
    if (star) {
      list = "*";
      cols = "id";
    } else {
      std::set<int> used;
      const int n = 1 + static_cast<int>(r_(3));
      for (int i = 0; i < n; ++i) {
        const int f = Field(15);
        if (!used.insert(f).second) continue;
        std::string name = Name(f);
        std::string item = ColumnText(f);
        if (r_.Chance(25)) {
          name = "c" + std::to_string(i);
          item += (r_.Chance(50) ? " AS " : " ") + name;
          aliases.emplace_back(name, f);
        }
        list += (list.empty() ? "" : ", ") + item;
        cols += (cols.empty() ? "" : ", ") + KindExpr(f) + ", " + ValueExpr(f);
        q.outputs.push_back({name});
      }
    }
    std::string order_nedb, order_sqlite;
    const int keys = r_.Chance(45) ? 1 + static_cast<int>(r_(2)) : 0;
    for (int i = 0; i < keys; ++i) {
      const int f = Field(12);
      const std::uint64_t dir = r_(3);
      std::string key = ColumnText(f);
      if (!aliases.empty() && r_.Chance(25)) {  // an alias sorts by its column
        const auto& [name, af] = r_.Pick(aliases);
        key = name;
        order_sqlite += OrderExpr(af, dir == 2);
      } else {
        order_sqlite += OrderExpr(f, dir == 2);
      }
      order_nedb += (i ? ", " : " ORDER BY ") + key + (dir == 1 ? " ASC" : dir == 2 ? " DESC" : "");
    }
    q.nedb = "SELECT " + list + from + where_nedb + order_nedb;
    q.sqlite =
        "SELECT " + cols + " FROM " + table + where_sqlite + " ORDER BY " + order_sqlite + "nat";
    Window(&q.nedb, &q.sqlite);
  }

  void Grouped(DiffQuery& q, const std::string& table, const std::string& from,
               const std::string& where_nedb, const std::string& where_sqlite) {
    static const char* kAggs[] = {"COUNT", "COUNT", "SUM", "AVG", "MIN", "MAX"};
    const std::uint64_t ng = r_(10) < 3 ? 0 : (r_(10) < 7 ? 1 : 2);
    std::vector<int> groups;
    for (std::uint64_t i = 0; i < ng; ++i) {
      const int f = Field(5);
      if (std::find(groups.begin(), groups.end(), f) == groups.end()) groups.push_back(f);
    }
    struct Item {
      std::string nedb, kind, value, agg_text;
      DiffOutput out;
      int group = -1;  // index into groups, or -1 for an aggregate
    };
    std::vector<Item> items;
    std::set<std::string> names;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      if (!r_.Chance(80)) continue;
      const int f = groups[g];
      const bool alias = r_.Chance(15);  // SELECT a AS k0 ... GROUP BY a
      const std::string name = alias ? "k" + std::to_string(g) : Name(f);
      if (!names.insert(name).second) continue;
      items.push_back(
          {ColumnText(f) + (alias ? " AS " + name : ""),
           f == kId ? "3"
                    : "(CASE WHEN " + KindExpr(f) + " <= 1 THEN 1 ELSE " + KindExpr(f) + " END)",
           f == kId ? "id" : "(CASE WHEN " + KindExpr(f) + " >= 2 THEN " + ValueExpr(f) + " END)",
           f == kId ? "id" : DiffFields()[f].sql,  // ORDER BY the grouped column
           {name},
           static_cast<int>(g)});
    }
    const int naggs = static_cast<int>(r_(4)) + (groups.empty() ? 1 : 0);
    for (int i = 0; i < naggs || items.empty(); ++i) {
      const int a = static_cast<int>(r_(6));
      const bool star = a == 0;
      const int f = Field(10);
      std::string fn = kAggs[a];
      std::string arg = star ? "*" : ColumnText(f);
      std::string name = star ? "count"
                              : (a == 1        ? "count"
                                 : fn == "SUM" ? "sum"
                                 : fn == "AVG" ? "avg"
                                 : fn == "MIN" ? "min"
                                               : "max") +
                                    std::string("_") + Name(f);
      std::string text = fn + "(" + (r_.Chance(10) && !star ? "ALL " : "") + arg + ")";
      const std::string agg_text = text;
      if (r_.Chance(20)) {
        name = "g" + std::to_string(i);
        text += " AS " + name;
      }
      if (!names.insert(name).second) {
        if (i > 8) break;
        continue;
      }
      const std::string num = f == kId ? "NULL"
                                       : "(CASE WHEN " + KindExpr(f) + " = 3 AND typeof(" +
                                             ValueExpr(f) + ") IN ('integer', 'real') THEN " +
                                             ValueExpr(f) + " END)";
      std::string value;
      if (star)
        value = "COUNT(*)";
      else if (a == 1)
        value = "COUNT(" + ValueExpr(f) + ")";
      else if (fn == "SUM")
        value = "COALESCE(SUM(" + num + "), 0)";
      else
        value = fn + "(" + num + ")";
      items.push_back({text, "3", value, agg_text, {name, a <= 2}, -1});
    }
    // Shuffle the SELECT list.
    for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[r_(i)]);
    std::string list, cols;
    for (const Item& it : items) {
      list += (list.empty() ? "" : ", ") + it.nedb;
      cols += (cols.empty() ? "" : ", ") + it.kind + ", " + it.value;
      q.outputs.push_back(it.out);
    }
    std::string group_nedb, group_sqlite, group_order;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const int f = groups[g];
      group_nedb += (g ? ", " : " GROUP BY ") + ColumnText(f);
      const std::string k =
          f == kId ? "3"
                   : "(CASE WHEN " + KindExpr(f) + " <= 1 THEN 1 ELSE " + KindExpr(f) + " END)";
      const std::string v =
          f == kId ? "id" : "(CASE WHEN " + KindExpr(f) + " >= 2 THEN " + ValueExpr(f) + " END)";
      const std::string kv = f == kId ? v : k + ", " + v;  // GROUP BY 3: a column number
      group_sqlite += (g ? ", " : " GROUP BY ") + kv;
      group_order += ", " + kv;
    }
    std::string order_nedb, order_sqlite;
    const int keys = r_.Chance(40) ? 1 + static_cast<int>(r_(2)) : 0;
    for (int i = 0; i < keys; ++i) {
      const Item& it = r_.Pick(items);
      const std::uint64_t dir = r_(3);
      const std::string d = dir == 2 ? " DESC" : "";
      // An output key that is no identifier path is quoted ("max_f g").
      std::string key =
          it.out.name.find(' ') == std::string::npos ? it.out.name : "\"" + it.out.name + "\"";
      if (r_.Chance(30)) key = it.agg_text;  // the aggregate written out, or the column
      order_nedb += (i ? ", " : " ORDER BY ") + key + (dir == 1 ? " ASC" : d);
      if (it.group >= 0 && it.value == "id") {
        order_sqlite += it.value + d + ", ";
      } else if (it.group >= 0) {
        order_sqlite += it.kind + d + ", " + it.value + d + ", ";
      } else {
        order_sqlite += it.value + d + ", ";
      }
    }
    q.nedb = "SELECT " + list + from + where_nedb + group_nedb + order_nedb;
    q.sqlite = "SELECT " + cols + " FROM " + table + where_sqlite + group_sqlite;
    if (!groups.empty() || !order_sqlite.empty()) {
      std::string o = order_sqlite + group_order.substr(group_order.empty() ? 0 : 2);
      while (!o.empty() && (o.back() == ' ' || o.back() == ',')) o.pop_back();
      if (!o.empty()) q.sqlite += " ORDER BY " + o;
    }
    Window(&q.nedb, &q.sqlite);
  }

  DiffRng& r_;
  std::string alias_;
};

}  // namespace nedb::test

#endif  // NEDB_TESTS_SQL_SQL_DIFF_GEN_H_
