// Copyright (c) NEDB authors. The SQL adapter: standard SQL onto NQL and the
// SPDX-License-Identifier: Apache-2.0
// engine (docs/SQL.md).
//
//   nlohmann::json rows = nedb::sql_exec(db, "SELECT name FROM users WHERE age > 30");
//   nedb::sql_exec(db, "INSERT INTO users (id, name) VALUES ('u1', 'Ada')");
//   // -> {"affected": 1, "seq": 7}
//   std::string nql = nedb::sql_to_nql("SELECT * FROM users WHERE status = 'active' LIMIT 5");
//   // -> FROM users WHERE status = "active" LIMIT 5
//
// Every error in the SQL text is an SQLError (a QueryError: position() is the
// 0-based byte offset of the offending token): SQLSyntaxError for malformed
// SQL, SQLUnsupportedError for valid SQL NEDB does not run (JOIN, subqueries,
// UNION, ...), plain SQLError for statements that make no sense for NEDB (an
// INSERT without an id column, ...). Engine errors (InvalidArgument for AS OF
// a future seq, ClosedError, IOError, ...) pass through unchanged.
#ifndef NEDB_SQL_H_
#define NEDB_SQL_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "nedb/errors.h"
#include "nedb/nedb.h"

namespace nedb {

// A problem with a SQL statement (base of the two below).
class SQLError : public QueryError {
 public:
  SQLError(const std::string& what, std::size_t position) : QueryError(what, position) {}
};

// Malformed SQL: "SQL syntax error at position P (near "X"): expected ...".
class SQLSyntaxError : public SQLError {
 public:
  SQLSyntaxError(const std::string& what, std::size_t position) : SQLError(what, position) {}
};

// Valid SQL that NEDB does not run, or (from sql_to_nql) a SELECT that NQL
// cannot express: "SQL not supported at position P (near "X"): <construct>".
class SQLUnsupportedError : public SQLError {
 public:
  SQLUnsupportedError(const std::string& what, std::size_t position) : SQLError(what, position) {}
};

// Runs one SQL statement (an optional trailing ';' allowed). SELECT returns
// the rows (a JSON array); INSERT, UPDATE and DELETE return {"affected": N,
// "seq": S} where S is the database's seq after the statement.
nlohmann::json sql_exec(NEDB& db, std::string_view sql);
// Read-only: SELECT only (a write raises SQLUnsupportedError).
nlohmann::json sql_exec(const NEDB& db, std::string_view sql);

// The exact NQL text of a SELECT that NQL can express (the same rows as
// sql_exec). Raises SQLUnsupportedError for anything else (projection,
// OR, OFFSET, writes, ...), SQLSyntaxError for malformed SQL.
std::string sql_to_nql(std::string_view sql);

}  // namespace nedb

#endif  // NEDB_SQL_H_
