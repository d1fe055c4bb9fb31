// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the NQL front end: any input either fails with a
// QueryError pointing inside the text, or parses to a query whose canonical
// text (ToNql) parses back to the same query and is a fixed point.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "nedb/errors.h"
#include "query/ast.h"
#include "query/nql_parser.h"

namespace {

[[noreturn]] void Die(const char* what, std::string_view detail) {
  std::fprintf(stderr, "nql_parser_fuzz: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  nedb::nql::Query q;
  try {
    q = nedb::nql::Parse(text);
  } catch (const nedb::QueryError& e) {
    if (e.position() > size) Die("error position beyond the text", e.what());
    return 0;
  }
  std::string canon;
  try {
    canon = nedb::nql::ToNql(q);
  } catch (const std::exception& e) {
    Die("ToNql failed on a parsed query", e.what());
  }
  nedb::nql::Query again;
  try {
    again = nedb::nql::Parse(canon);
  } catch (const nedb::QueryError& e) {
    Die("canonical text does not parse", std::string(e.what()) + " in: " + canon);
  }
  if (!(again == q)) Die("Parse(ToNql(q)) != q", canon);
  if (nedb::nql::ToNql(again) != canon) Die("ToNql is not a fixed point", canon);
  return 0;
}
