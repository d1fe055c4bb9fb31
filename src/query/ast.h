// SPDX-License-Identifier: Apache-2.0
// The NQL abstract syntax tree: what nql::Parse() produces and the executor
// consumes. See docs/NQL.md for the grammar.
#ifndef NEDB_QUERY_AST_H_
#define NEDB_QUERY_AST_H_

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nedb::nql {

enum class CmpOp { kEq, kNe, kLt, kLe, kGt, kGe };

// "=", "!=", "<", "<=", ">", ">=".
std::string_view CmpOpText(CmpOp op);

// A (possibly dotted) document field: "address.city" has parts
// {"address", "city"}. "_id" is an ordinary field. text is the parts joined
// with '.'.
struct FieldPath {
  std::string text;
  std::vector<std::string> parts;

  bool operator==(const FieldPath&) const = default;
};

// <field> <op> <value>. value is a JSON string, integer (int64, or uint64 for
// values above INT64_MAX), finite double, boolean or null. pos is the byte
// offset of the field in the query text (diagnostics only: it takes no part
// in ==). == also requires the JSON value types to match, so 1 != 1.0 here.
struct Condition {
  FieldPath field;
  CmpOp op = CmpOp::kEq;
  nlohmann::json value;
  std::size_t pos = 0;

  bool operator==(const Condition& o) const {
    return field == o.field && op == o.op && value.type() == o.value.type() && value == o.value;
  }
};

enum class AggFn { kCount, kSum, kAvg, kMin, kMax };

// "COUNT", "SUM", "AVG", "MIN", "MAX".
std::string_view AggFnText(AggFn fn);

struct OrderBy {
  FieldPath field;
  bool desc = false;

  bool operator==(const OrderBy&) const = default;
};

// GROUP BY <field> COUNT | SUM|AVG|MIN|MAX <agg_field>.
struct GroupBy {
  FieldPath field;
  AggFn fn = AggFn::kCount;
  std::optional<FieldPath> agg_field;  // absent iff fn == kCount

  bool operator==(const GroupBy&) const = default;
};

struct Query {
  std::string coll;
  std::optional<std::uint64_t> as_of;
  std::vector<Condition> where;       // AND-ed, in query order
  std::optional<std::string> search;  // the text inside SEARCH "..." (unescaped)
  std::optional<OrderBy> order_by;
  std::optional<std::string> traverse;
  std::optional<GroupBy> group_by;
  std::optional<std::uint64_t> limit;

  bool operator==(const Query&) const = default;
};

}  // namespace nedb::nql

#endif  // NEDB_QUERY_AST_H_
