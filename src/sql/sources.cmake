# SPDX-License-Identifier: Apache-2.0
# The SQL adapter (include/nedb/sql.h, docs/SQL.md), compiled into libnedb.
target_sources(nedb PRIVATE
  src/sql/sql_lexer.cc
  src/sql/sql_parser.cc
  src/sql/sql_parse_expr.cc
  src/sql/sql_parse_stmt.cc
  src/sql/sql_eval.cc
  src/sql/sql_plan.cc
  src/sql/sql_aggregate.cc
  src/sql/sql_exec.cc
)
