// SPDX-License-Identifier: Apache-2.0
// sql_exec and sql_to_nql (include/nedb/sql.h): a statement is parsed, a
// SELECT is planned into an NQL query plus what the adapter does over its
// rows, and writes run as one put or delete per row (docs/SQL.md).
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "nedb/nedb.h"
#include "nedb/query.h"
#include "nedb/sql.h"
#include "query/nql_lexer.h"
#include "query/nql_parser.h"
#include "sql/sql_aggregate.h"
#include "sql/sql_ast.h"
#include "sql/sql_eval.h"
#include "sql/sql_lexer.h"
#include "sql/sql_parser.h"
#include "sql/sql_plan.h"

namespace nedb {

namespace sql {
namespace {

using Rows = std::vector<nlohmann::json>;

Rows RunNql(const NEDB& db, const nql::Query& q) {
  Query b = db.q(q.coll);
  if (q.as_of) b.as_of(*q.as_of);
  for (const nql::Condition& c : q.where) b.where(c.field.text, nql::CmpOpText(c.op), c.value);
  if (q.search) b.search(*q.search);
  if (q.order_by) b.order_by(q.order_by->field.text, q.order_by->desc ? "DESC" : "ASC");
  if (q.group_by) {
    b.group_by(q.group_by->field.text, nql::AggFnText(q.group_by->fn),
               q.group_by->agg_field ? q.group_by->agg_field->text : "");
  }
  if (q.limit) b.limit(*q.limit);
  return b.run();
}

// Stable sort by keys; extract(row, k) gives the k-th key's value.
template <typename Extract>
void SortRows(Rows& rows, const std::vector<OrderKey>& keys, const Extract& extract) {
  std::vector<std::pair<std::vector<Scalar>, nlohmann::json>> decorated;
  decorated.reserve(rows.size());
  for (nlohmann::json& r : rows) {
    std::vector<Scalar> k;
    for (std::size_t i = 0; i < keys.size(); ++i) k.push_back(extract(r, i));
    decorated.emplace_back(std::move(k), std::move(r));
  }
  std::stable_sort(decorated.begin(), decorated.end(), [&](const auto& a, const auto& b) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const int c = Compare(a.first[i], b.first[i]);
      if (c != 0) return keys[i].desc ? c > 0 : c < 0;
    }
    return false;
  });
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = std::move(decorated[i].second);
}

void Window(Rows& rows, std::optional<std::uint64_t> offset, std::optional<std::uint64_t> limit) {
  const std::uint64_t skip = std::min<std::uint64_t>(offset.value_or(0), rows.size());
  rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(skip));
  if (limit && *limit < rows.size()) rows.resize(*limit);
}

Rows RunSelect(const NEDB& db, const Select& s, std::string_view text) {
  const SelectPlan plan = PlanSelect(s, text);
  Rows rows = RunNql(db, plan.fetch);
  if (plan.aggregated && plan.exact) return rows;  // NQL's GROUP BY
  if (!plan.residual.empty()) {
    std::set<std::string> terms;
    for (const Expr* e : plan.residual) CollectSearchTerms(*e, &terms);
    SearchSets search;
    for (const std::string& t : terms) {
      Query q = db.q(s.table);
      if (s.as_of) q.as_of(*s.as_of);
      std::set<std::string>& ids = search[t];
      for (const nlohmann::json& r : q.search(t).run()) ids.insert(r.value("_id", ""));
    }
    Rows kept;
    for (nlohmann::json& r : rows) {
      const bool ok = std::all_of(plan.residual.begin(), plan.residual.end(),
                                  [&](const Expr* e) { return Test(*e, r, search); });
      if (ok) kept.push_back(std::move(r));
    }
    rows = std::move(kept);
  }
  if (plan.aggregated) {
    rows = Aggregate(s, plan, rows);
    SortRows(rows, plan.order, [&](const nlohmann::json& r, std::size_t i) {
      return Lookup(r, {plan.order_outputs[i]});
    });
    Window(rows, s.offset, s.limit);
    return rows;
  }
  if (!plan.order_in_fetch && !plan.order.empty()) {
    SortRows(rows, plan.order, [&](const nlohmann::json& r, std::size_t i) {
      return Lookup(r, plan.order[i].column.parts);
    });
  }
  Window(rows, s.offset, s.limit);
  if (!s.star) {
    for (nlohmann::json& r : rows) {
      nlohmann::json out = nlohmann::json::object();
      for (const SelectItem& it : s.items) {
        const nlohmann::json* v = Find(r, it.column->parts);
        out[it.alias.empty() ? it.column->name : it.alias] = v ? *v : nlohmann::json(nullptr);
      }
      r = std::move(out);
    }
  }
  return rows;
}

// The rows a write's WHERE selects, at HEAD.
Rows Matching(const NEDB& db, const std::string& table, std::optional<Expr> where,
              std::string_view text) {
  Select s;
  s.star = true;
  s.table = table;
  s.where = std::move(where);
  return RunSelect(db, s, text);
}

nlohmann::json Written(const NEDB& db, std::uint64_t affected) {
  return {{"affected", affected}, {"seq", db.seq()}};
}

nlohmann::json RunInsert(NEDB& db, const Insert& ins) {
  std::uint64_t affected = 0;
  for (const std::vector<nlohmann::json>& row : ins.rows) {
    nlohmann::json doc = nlohmann::json::object();
    std::string id;
    for (std::size_t k = 0; k < ins.columns.size(); ++k) {
      if (ins.columns[k].parts == std::vector<std::string>{"_id"}) {
        id = row[k].is_string() ? row[k].get<std::string>() : row[k].dump();
      } else {
        SetPath(doc, ins.columns[k].parts, row[k]);
      }
    }
    db.put(ins.table, id, std::move(doc));
    ++affected;
  }
  return Written(db, affected);
}

nlohmann::json RunUpdate(NEDB& db, Update up, std::string_view text) {
  std::uint64_t affected = 0;
  for (nlohmann::json& row : Matching(db, up.table, std::move(up.where), text)) {
    const std::string id = row.at("_id").get<std::string>();
    for (const Assignment& a : up.sets) SetPath(row, a.column.parts, a.value);
    db.put(up.table, id, std::move(row));
    ++affected;
  }
  return Written(db, affected);
}

nlohmann::json RunDelete(NEDB& db, Delete del, std::string_view text) {
  std::uint64_t affected = 0;
  for (const nlohmann::json& row : Matching(db, del.table, std::move(del.where), text)) {
    if (db.remove(del.table, row.at("_id").get<std::string>())) ++affected;
  }
  return Written(db, affected);
}

// st's SELECT; for a write, SQLUnsupportedError "<INSERT|...><why>".
const Select& SelectOf(const Statement& st, std::string_view text, std::string_view why) {
  static constexpr std::string_view kNames[] = {"SELECT", "INSERT", "UPDATE", "DELETE"};
  const Select* s = std::get_if<Select>(&st);
  if (s == nullptr)
    throw Unsupported(text, 0, 0, std::string(kNames[st.index()]) + std::string(why));
  return *s;
}

}  // namespace
}  // namespace sql

nlohmann::json sql_exec(NEDB& db, std::string_view text) {
  sql::Statement st = sql::Parse(text);
  if (auto* s = std::get_if<sql::Select>(&st)) return sql::RunSelect(db, *s, text);
  if (auto* i = std::get_if<sql::Insert>(&st)) return sql::RunInsert(db, *i);
  if (auto* u = std::get_if<sql::Update>(&st)) return sql::RunUpdate(db, std::move(*u), text);
  return sql::RunDelete(db, std::move(std::get<sql::Delete>(st)), text);
}

nlohmann::json sql_exec(const NEDB& db, std::string_view text) {
  sql::Statement st = sql::Parse(text);
  return sql::RunSelect(
      db, sql::SelectOf(st, text, " on a read-only database (a const NEDB&: SELECT only)"), text);
}

std::string sql_to_nql(std::string_view text) {
  sql::Statement st = sql::Parse(text);
  const sql::Select* s =
      &sql::SelectOf(st, text, " has no NQL equivalent (NQL only reads; run it with sql_exec)");
  const sql::SelectPlan plan = sql::PlanSelect(*s, text);
  if (!plan.exact) {
    throw sql::Unsupported(text, plan.why_pos, 1,
                           plan.why + " has no NQL equivalent (sql_exec runs it in the adapter)");
  }
  std::string nql = nql::ToNql(plan.fetch);
  if (nql.size() > nql::kMaxQueryBytes) {
    throw sql::Unsupported(text, 0, 0, "a SELECT whose NQL text would exceed NQL's 1 MiB limit");
  }
  return nql;
}

}  // namespace nedb
