// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the SQL adapter (docs/SQL.md). Every input must:
//  * parse, or fail with an SQLError whose position is inside the text;
//  * for a SELECT, translate with sql_to_nql or fail with an SQLError; a
//    translation must be canonical NQL (Parse then ToNql gives it back);
//  * run with sql_exec on the fixture database (writes on a fresh copy),
//    failing only with an SQLError or the engine's InvalidArgument; a
//    translated SELECT must give the same rows as NEDB::query(nql);
//  * agree with itself: the WHERE evaluated by the adapter over every row
//    keeps the same rows as the pushed-down NQL plus the adapter's residual
//    (so the adapter's comparisons, IN, BETWEEN, NULL tests and LIKE
//    '%word%' mean what NQL's do).
// Seeds: fuzz/corpus/sql/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "../tests/sql/sql_fixture.h"
#include "nedb/nedb.h"
#include "nedb/sql.h"
#include "query/nql_parser.h"
#include "sql/sql_eval.h"
#include "sql/sql_parser.h"
#include "sql/sql_plan.h"

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

std::vector<std::string> Ids(const std::vector<nlohmann::json>& rows) {
  std::vector<std::string> ids;
  for (const nlohmann::json& r : rows) ids.push_back(r.value("_id", ""));
  return ids;
}

// The WHERE over every row (adapter) vs pushed NQL + residual.
void CheckWhere(const nedb::sql::Select& s, std::string_view text) {
  using nedb::sql::Test;
  if (!s.where) return;
  nedb::sql::SelectPlan plan;
  try {
    plan = nedb::sql::PlanSelect(s, text);
  } catch (const nedb::SQLError&) {
    return;
  }
  nedb::nql::Query all;
  all.coll = s.table;
  all.as_of = s.as_of;
  nedb::nql::Query pushed = plan.fetch;
  pushed.order_by.reset();
  pushed.group_by.reset();
  pushed.limit.reset();
  std::vector<nlohmann::json> every, fetched;
  nedb::sql::SearchSets search;
  try {
    every = Fixture().query(nedb::nql::ToNql(all));
    fetched = Fixture().query(nedb::nql::ToNql(pushed));
    std::set<std::string> terms;
    nedb::sql::CollectSearchTerms(*s.where, &terms);
    for (const std::string& t : terms) {
      nedb::nql::Query q = all;
      q.search = t;
      for (const std::string& id : Ids(Fixture().query(nedb::nql::ToNql(q)))) search[t].insert(id);
    }
  } catch (const nedb::InvalidArgument&) {
    return;  // AS OF a future seq
  }
  std::vector<nlohmann::json> expected, got;
  for (const nlohmann::json& r : every) {
    if (Test(*s.where, r, search)) expected.push_back(r);
  }
  for (const nlohmann::json& r : fetched) {
    bool ok = true;
    for (const nedb::sql::Expr* e : plan.residual) ok = ok && Test(*e, r, search);
    if (ok) got.push_back(r);
  }
  if (Ids(expected) != Ids(got)) Die("adapter WHERE and pushed-down NQL disagree", text);
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
  CheckWhere(std::get<nedb::sql::Select>(st), text);
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
