// SPDX-License-Identifier: Apache-2.0
// Planning a SELECT: the part NQL answers (pushed down) and the part the
// adapter runs over NQL's rows (docs/SQL.md, "How a SELECT runs").
#ifndef NEDB_SQL_SQL_PLAN_H_
#define NEDB_SQL_SQL_PLAN_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "query/ast.h"
#include "sql/sql_ast.h"

namespace nedb::sql {

// One output column of an aggregated SELECT.
struct OutputColumn {
  std::string name;  // key in the result rows
  const SelectItem* item = nullptr;
};

struct SelectPlan {
  nql::Query fetch;                        // run by the engine
  std::vector<const Expr*> residual;       // AND-ed conditions the adapter tests
  bool aggregated = false;                 // aggregates or GROUP BY
  bool order_in_fetch = false;             // fetch.order_by is the whole ORDER BY
  std::vector<OrderKey> order;             // ORDER BY, aliases resolved to columns
  std::vector<OutputColumn> outputs;       // aggregated: the SELECT list's keys
  std::vector<std::string> order_outputs;  // aggregated: ORDER BY as output keys
  // fetch's rows are exactly the statement's rows; otherwise why (what NQL
  // cannot express) and where.
  bool exact = true;
  std::string why;
  std::size_t why_pos = 0;
};

// Plans s (parsed from text, which error messages quote). Throws SQLError for
// a SELECT that makes no sense (a column neither grouped nor aggregated, ...).
SelectPlan PlanSelect(const Select& s, std::string_view text);

// The output key of an aggregate: count, count_f, sum_f, avg_f, min_f, max_f
// (NQL's GROUP BY names) with f the column as written (sum_id for the
// document id, which NQL would call sum__id), or its alias.
std::string OutputName(const SelectItem& item);

}  // namespace nedb::sql

#endif  // NEDB_SQL_SQL_PLAN_H_
