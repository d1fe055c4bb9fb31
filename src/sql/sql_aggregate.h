// SPDX-License-Identifier: Apache-2.0
// GROUP BY and aggregates in the adapter, with NQL's semantics (docs/NQL.md,
// "GROUP BY"; docs/SQL.md, "Aggregates").
#ifndef NEDB_SQL_SQL_AGGREGATE_H_
#define NEDB_SQL_SQL_AGGREGATE_H_

#include <nlohmann/json.hpp>
#include <vector>

#include "sql/sql_ast.h"
#include "sql/sql_plan.h"

namespace nedb::sql {

// Groups rows by s.group_by (missing groups with null; one group of every
// row, even none, without GROUP BY), computes plan.outputs per group, and
// returns the groups in the total order of their keys.
std::vector<nlohmann::json> Aggregate(const Select& s, const SelectPlan& plan,
                                      const std::vector<nlohmann::json>& rows);

}  // namespace nedb::sql

#endif  // NEDB_SQL_SQL_AGGREGATE_H_
