// libFuzzer target for the SQL adapter (docs/SQL.md). Every input must:
//  * parse, or fail with an SQLError whose position is inside the text;
//  * for a SELECT, translate with sql_to_nql or fail with an SQLError; a
//    translation must be canonical NQL (Parse then ToNql gives it back);
//  * run with sql_exec on the fixture database (writes on a fresh copy),
//    failing only with an SQLError or the engine's InvalidArgument; a
//    translated SELECT must give the same rows as NEDB::query(nql).
// Seeds: fuzz/corpus/sql/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "../tests/sql/sql_fixture.h"
#include "nedb/nedb.h"
#include "nedb/sql.h"
#include "query/nql_parser.h"
#include "sql/sql_parser.h"

namespace {

[[noreturn]] void Die(const char* what, std::string_view detail) {
  std::fprintf(stderr, "sql_parser_fuzz: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

const nedb::NEDB& Fixture() {
  static nedb::NEDB* db = [] {
    auto* d = new nedb::NEDB();
    nedb::test::LoadSqlFixture(*d);
    return d;
  }();
  return *db;
}

// Runs fn; an SQLError (inside the text) or an InvalidArgument is fine.
template <typename Fn>
bool Allowed(const Fn& fn, std::size_t size, const char* what) {
  try {
    fn();
    return true;
  } catch (const nedb::SQLError& e) {
    if (e.position() > size) Die("error position beyond the text", e.what());
  } catch (const nedb::InvalidArgument&) {
  } catch (const std::exception& e) {
    Die(what, e.what());
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  nedb::sql::Statement st;
  try {
    st = nedb::sql::Parse(text);
  } catch (const nedb::SQLError& e) {
    if (e.position() > size) Die("error position beyond the text", e.what());
    return 0;
  } catch (const std::exception& e) {
    Die("Parse threw something other than an SQLError", e.what());
  }
  if (!std::holds_alternative<nedb::sql::Select>(st)) {
    nedb::NEDB db;
    nedb::test::LoadSqlFixture(db);
    Allowed([&] { nedb::sql_exec(db, text); }, size, "a write threw");
    return 0;
  }
  std::string nql;
  const bool translated = Allowed([&] { nql = nedb::sql_to_nql(text); }, size, "sql_to_nql threw");
  if (translated) {
    try {
      if (nedb::nql::ToNql(nedb::nql::Parse(nql)) != nql) Die("NQL not canonical", nql);
    } catch (const std::exception& e) {
      Die("sql_to_nql's text does not parse", std::string(e.what()) + " in: " + nql);
    }
  }
  nlohmann::json rows;
  if (!Allowed([&] { rows = nedb::sql_exec(Fixture(), text); }, size, "sql_exec threw")) return 0;
  if (translated) {
    nlohmann::json via_nql;
    try {
      via_nql = Fixture().query(nql);
    } catch (const nedb::InvalidArgument&) {
      Die("NQL fails where sql_exec succeeded", nql);
    }
    if (via_nql != rows) Die("sql_exec and NQL give other rows", nql);
  }
  return 0;
}
