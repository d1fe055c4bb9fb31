// SPDX-License-Identifier: Apache-2.0
// The NQL front end: text -> Query and back. Grammar, lexical rules and error
// format: docs/NQL.md.
#ifndef NEDB_QUERY_NQL_PARSER_H_
#define NEDB_QUERY_NQL_PARSER_H_

#include <string>
#include <string_view>

#include "query/ast.h"

namespace nedb::nql {

// Parses one NQL query. Throws nedb::QueryError (position() = byte offset of
// the offending token) on any malformed input, including text over 1 MiB.
// Never recurses; linear in the length of the text.
Query Parse(std::string_view text);

// The canonical NQL text of q: upper-case keywords, single spaces, strings
// re-escaped, numbers as nlohmann::json dumps them, ASC omitted. For every q
// returned by Parse, Parse(ToNql(q)) == q. Throws nedb::InvalidArgument if q
// cannot be written as NQL (an invalid name or field path, a non-finite
// double, an array/object value, invalid UTF-8, agg_field inconsistent with
// fn).
std::string ToNql(const Query& q);

// Parses a bare field path such as "address.city" (identifier ('.'
// identifier)*, no spaces). Throws nedb::QueryError.
FieldPath ParseFieldPath(std::string_view text);

}  // namespace nedb::nql

#endif  // NEDB_QUERY_NQL_PARSER_H_
