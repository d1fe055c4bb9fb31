// SPDX-License-Identifier: Apache-2.0
// Evaluating SQL conditions over rows (JSON documents) in the adapter, with
// NQL's comparison semantics (docs/SQL.md, "Semantics").
#ifndef NEDB_SQL_SQL_EVAL_H_
#define NEDB_SQL_SQL_EVAL_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "query/value.h"
#include "sql/sql_ast.h"

namespace nedb::sql {

// The value at path in row, or nullptr if a step is absent or not an object.
const nlohmann::json* Find(const nlohmann::json& row, const std::vector<std::string>& path);
// The same as a Scalar (rank kMissing when absent).
Scalar Lookup(const nlohmann::json& row, const std::vector<std::string>& path);

// SQL LIKE: % any run of characters, _ one UTF-8 character, escape makes
// the next character literal. Case-sensitive, byte-wise.
bool Like(std::string_view s, std::string_view pattern, std::optional<char> escape);

// For LIKE '%word%' where word is one SEARCH token (ASCII letters and digits
// and non-ASCII bytes): word. NEDB maps exactly these to SEARCH (the
// reference's mapping); every other pattern is matched with Like().
std::optional<std::string> SearchTerm(const Expr& like);

// SEARCH term -> the _ids of the rows SEARCH finds.
using SearchSets = std::map<std::string, std::set<std::string>>;

// Every SEARCH term of e's LIKE nodes.
void CollectSearchTerms(const Expr& e, std::set<std::string>* out);

// Whether row satisfies e (two-valued: see docs/SQL.md).
bool Test(const Expr& e, const nlohmann::json& row, const SearchSets& search);

// Sets path in doc to value, creating (or replacing non-object) parents.
void SetPath(nlohmann::json& doc, const std::vector<std::string>& path, nlohmann::json value);

}  // namespace nedb::sql

#endif  // NEDB_SQL_SQL_EVAL_H_
