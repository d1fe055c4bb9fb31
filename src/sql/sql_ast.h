// SPDX-License-Identifier: Apache-2.0
// The SQL syntax tree: what sql::Parse() produces (docs/SQL.md, "Grammar").
#ifndef NEDB_SQL_SQL_AST_H_
#define NEDB_SQL_SQL_AST_H_

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "query/ast.h"

namespace nedb::sql {

// A column: a (possibly dotted) field path. The column `id` is resolved to
// `_id` (the document id); name is the text as written (for output keys).
struct Column {
  std::vector<std::string> parts;  // resolved path
  std::string name;                // as written, parts joined with '.'
  std::size_t pos = 0;

  // The resolved path joined with '.' (NQL's FieldPath::text).
  std::string Path() const;
};

enum class ExprKind {
  kColumn,   // column
  kLiteral,  // value
  kCompare,  // args[0] op args[1]
  kAnd,      // args...
  kOr,       // args...
  kNot,      // NOT args[0]
  kIn,       // args[0] [NOT] IN (args[1..])
  kBetween,  // args[0] [NOT] BETWEEN args[1] AND args[2]
  kLike,     // args[0] [NOT] LIKE pattern [ESCAPE escape]
  kIsNull,   // args[0] IS [NOT] NULL
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  std::size_t pos = 0;
  Column column;                    // kColumn
  nlohmann::json value;             // kLiteral: string, number, boolean or null
  nql::CmpOp op = nql::CmpOp::kEq;  // kCompare
  bool negated = false;             // kIn, kBetween, kLike, kIsNull
  std::string pattern;              // kLike
  std::optional<char> escape;       // kLike
  std::vector<Expr> args;
};

enum class AggKind { kNone, kCount, kSum, kAvg, kMin, kMax };

// SELECT list entry: a column, or an aggregate over a column (COUNT(*): no
// column).
struct SelectItem {
  AggKind agg = AggKind::kNone;
  std::optional<Column> column;  // absent only for COUNT(*)
  std::string alias;             // AS name, or empty
  std::size_t pos = 0;
};

// ORDER BY column, or (agg != kNone) an aggregate of column (COUNT(*): no
// parts) that must be in the SELECT list.
struct OrderKey {
  Column column;
  bool desc = false;
  AggKind agg = AggKind::kNone;
};

struct Select {
  bool star = false;  // SELECT *
  std::vector<SelectItem> items;
  std::string table;
  std::size_t table_pos = 0;
  std::optional<std::uint64_t> as_of;
  std::optional<Expr> where;
  std::vector<Column> group_by;
  std::vector<OrderKey> order_by;
  std::optional<std::uint64_t> limit;
  std::optional<std::uint64_t> offset;
};

struct Insert {
  std::string table;
  std::size_t table_pos = 0;
  std::vector<Column> columns;
  std::vector<std::vector<nlohmann::json>> rows;
  std::vector<std::size_t> row_pos;  // byte offset of each row's '('
};

struct Assignment {
  Column column;
  nlohmann::json value;
};

struct Update {
  std::string table;
  std::size_t table_pos = 0;
  std::vector<Assignment> sets;
  std::optional<Expr> where;
};

struct Delete {
  std::string table;
  std::size_t table_pos = 0;
  std::optional<Expr> where;
};

using Statement = std::variant<Select, Insert, Update, Delete>;

}  // namespace nedb::sql

#endif  // NEDB_SQL_SQL_AST_H_
