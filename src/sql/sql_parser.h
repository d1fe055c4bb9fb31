// SPDX-License-Identifier: Apache-2.0
// The SQL parser: text -> Statement (docs/SQL.md, "Grammar").
#ifndef NEDB_SQL_SQL_PARSER_H_
#define NEDB_SQL_SQL_PARSER_H_

#include <string_view>

#include "sql/sql_ast.h"

namespace nedb::sql {

// Expressions nest (parentheses, NOT) at most this deep.
inline constexpr int kMaxNesting = 100;

// Parses one statement (an optional trailing ';'). Throws SQLSyntaxError for
// malformed SQL, SQLUnsupportedError for constructs NEDB does not run and
// SQLError for statements that make no sense for NEDB. Every error's
// position() is within the text (== size() at its end).
Statement Parse(std::string_view text);

}  // namespace nedb::sql

#endif  // NEDB_SQL_SQL_PARSER_H_
