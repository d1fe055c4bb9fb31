// SPDX-License-Identifier: Apache-2.0
// A fast parser for JSON text into nlohmann::json, tuned for the compact
// canonical text NEDB stores (what nlohmann::json::dump() writes).
#ifndef NEDB_UTIL_JSON_PARSE_H_
#define NEDB_UTIL_JSON_PARSE_H_

#include <nlohmann/json.hpp>
#include <string_view>

namespace nedb {

// Parses any JSON text (RFC 8259) into exactly the value, with the same node
// types and double rounding, that nlohmann::json::parse(text) produces. The
// common case (valid text, nesting depth <= 128) takes a fast path; anything
// unusual (errors, a BOM, lone surrogates, number overflow, deep nesting) is
// handed to nlohmann::json::parse, so errors are its nlohmann::json::
// parse_error / out_of_range exceptions.
nlohmann::json ParseJsonText(std::string_view text);

}  // namespace nedb

#endif  // NEDB_UTIL_JSON_PARSE_H_
