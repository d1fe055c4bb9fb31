// SPDX-License-Identifier: Apache-2.0
// The query half of the public API: create_index, query, q, explain, the
// fluent builder and AutoIndexDB.
#include <iostream>

#include "db/db_impl.h"
#include "db/validate.h"
#include "nedb/nedb.h"
#include "nedb/query.h"
#include "query/nql_parser.h"

namespace nedb {

namespace {

nql::FieldPath CheckedField(std::string_view field) {
  nql::FieldPath p = nql::ParseFieldPath(field);
  return p;
}

}  // namespace

void NEDB::create_index(std::string_view coll, std::string_view field, std::string_view kind) {
  impl_->CheckOpen();
  ValidateCollection(coll);
  try {
    nql::ParseFieldPath(field);
  } catch (const QueryError& e) {
    throw InvalidArgument("index field \"" + std::string(field) +
                          "\" is not a field path (name or a.b.c): " + e.what());
  }
  if (kind != "eq" && kind != "ordered" && kind != "search") {
    throw InvalidArgument("index kind \"" + std::string(kind) +
                          "\" is invalid: use \"eq\", \"ordered\" or \"search\"");
  }
  impl_->CreateIndex(IndexSpec{std::string(coll), std::string(field), std::string(kind)});
}

std::vector<std::vector<std::string>> NEDB::indexes() const {
  impl_->CheckOpen();
  std::shared_lock<std::shared_mutex> sl(impl_->state_mu_);
  std::vector<std::vector<std::string>> out;
  for (const IndexSpec& s : impl_->state_.indexes().Specs())
    out.push_back({s.coll, s.field, s.kind});
  return out;
}

std::vector<nlohmann::json> NEDB::query(std::string_view text) const {
  impl_->CheckOpen();
  return impl_->RunQuery(nql::Parse(text));
}

nlohmann::json NEDB::explain(std::string_view text) const {
  impl_->CheckOpen();
  return impl_->ExplainQuery(nql::Parse(text));
}

Query NEDB::q(std::string_view coll) const {
  impl_->CheckOpen();
  if (const char* why = NameProblem(coll)) {
    throw QueryError("collection name \"" + std::string(coll) + "\" " + why +
                         ": a collection name is " + std::string(kNameRule),
                     0);
  }
  return Query(this, coll);
}

// ---- Query ----

Query::Query(const NEDB* db, std::string_view coll)
    : db_(db), ast_(std::make_unique<nql::Query>()) {
  ast_->coll = std::string(coll);
}
Query::Query(const Query& o) : db_(o.db_), ast_(std::make_unique<nql::Query>(*o.ast_)) {}
Query& Query::operator=(const Query& o) {
  db_ = o.db_;
  ast_ = std::make_unique<nql::Query>(*o.ast_);
  return *this;
}
Query::~Query() = default;

Query& Query::where(std::string_view field, std::string_view op, nlohmann::json value) {
  static const std::pair<std::string_view, nql::CmpOp> kOps[] = {
      {"=", nql::CmpOp::kEq}, {"==", nql::CmpOp::kEq}, {"!=", nql::CmpOp::kNe},
      {"<", nql::CmpOp::kLt}, {"<=", nql::CmpOp::kLe}, {">", nql::CmpOp::kGt},
      {">=", nql::CmpOp::kGe}};
  nql::Condition c;
  c.field = CheckedField(field);
  bool found = false;
  for (const auto& [text, cmp] : kOps) {
    if (text == op) {
      c.op = cmp;
      found = true;
    }
  }
  if (!found) {
    throw QueryError("where(): operator \"" + std::string(op) + "\" is invalid: use = != < <= > >=",
                     0);
  }
  if (value.is_object() || value.is_array() || value.is_binary() || value.is_discarded()) {
    throw QueryError("where(): the value must be a string, number, boolean or null", 0);
  }
  if (value.is_number_float() && !std::isfinite(value.get<double>())) {
    throw QueryError("where(): the value must be a finite number", 0);
  }
  c.value = std::move(value);
  ast_->where.push_back(std::move(c));
  return *this;
}

Query& Query::as_of(std::uint64_t seq) {
  ast_->as_of = seq;
  return *this;
}

Query& Query::search(std::string_view text) {
  if (!IsValidUtf8(text)) throw QueryError("search(): the text is not valid UTF-8", 0);
  ast_->search = std::string(text);
  return *this;
}

namespace {
std::string Upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}
}  // namespace

Query& Query::order_by(std::string_view field, std::string_view direction) {
  const std::string dir = Upper(direction);
  if (dir != "ASC" && dir != "DESC") {
    throw QueryError(
        "order_by(): direction \"" + std::string(direction) + "\" is invalid: use ASC or DESC", 0);
  }
  ast_->order_by = nql::OrderBy{CheckedField(field), dir == "DESC"};
  return *this;
}

Query& Query::traverse(std::string_view relation) {
  if (const char* why = NameProblem(relation)) {
    throw QueryError("traverse(): relation \"" + std::string(relation) + "\" " + why +
                         ": a relation name is " + std::string(kNameRule),
                     0);
  }
  ast_->traverse = std::string(relation);
  return *this;
}

Query& Query::group_by(std::string_view field, std::string_view fn, std::string_view of) {
  static const std::pair<std::string_view, nql::AggFn> kFns[] = {{"COUNT", nql::AggFn::kCount},
                                                                 {"SUM", nql::AggFn::kSum},
                                                                 {"AVG", nql::AggFn::kAvg},
                                                                 {"MIN", nql::AggFn::kMin},
                                                                 {"MAX", nql::AggFn::kMax}};
  nql::GroupBy g;
  g.field = CheckedField(field);
  const std::string f = Upper(fn);
  bool found = false;
  for (const auto& [name, agg] : kFns) {
    if (name == f) {
      g.fn = agg;
      found = true;
    }
  }
  if (!found) throw QueryError("group_by(): unknown aggregate \"" + std::string(fn) + "\"", 0);
  if (g.fn == nql::AggFn::kCount) {
    if (!of.empty()) throw QueryError("group_by(): COUNT takes no field", 0);
  } else {
    if (of.empty()) throw QueryError("group_by(): " + f + " needs the field it aggregates", 0);
    g.agg_field = CheckedField(of);
  }
  ast_->group_by = std::move(g);
  return *this;
}

Query& Query::limit(std::uint64_t n) {
  ast_->limit = n;
  return *this;
}

std::vector<nlohmann::json> Query::run() const {
  db_->impl_->CheckOpen();
  return db_->impl_->RunQuery(*ast_);
}

nlohmann::json Query::explain() const {
  db_->impl_->CheckOpen();
  return db_->impl_->ExplainQuery(*ast_);
}

std::string Query::nql() const { return nql::ToNql(*ast_); }

// ---- AutoIndexDB ----

AutoIndexDB::AutoIndexDB(NEDB& db, int threshold, bool verbose)
    : db_(db), threshold_(threshold), verbose_(verbose) {
  if (threshold < 1) throw InvalidArgument("AutoIndexDB threshold must be at least 1");
}

std::vector<nlohmann::json> AutoIndexDB::query(std::string_view text) {
  nql::Query q = nql::Parse(text);
  std::vector<std::pair<std::string, std::string>> wanted;  // field, kind
  for (const auto& c : q.where) {
    const bool eq = c.op == nql::CmpOp::kEq || c.op == nql::CmpOp::kNe;
    wanted.emplace_back(c.field.text, eq ? "eq" : "ordered");
  }
  if (q.order_by) wanted.emplace_back(q.order_by->field.text, "ordered");
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  for (const auto& [field, kind] : wanted) {
    const std::string key = q.coll + "." + field + " (" + kind + ")";
    if (++tallies_[key] == threshold_) {
      db_.create_index(q.coll, field, kind);
      created_.push_back(key);
      if (verbose_) {
        std::cout << "[autoindex] created " << kind << " index on " << q.coll << "." << field
                  << " (threshold=" << threshold_ << ")\n";
      }
    }
  }
  return db_.impl_->RunQuery(q);
}

nlohmann::json AutoIndexDB::analyze() const {
  nlohmann::json t = nlohmann::json::object();
  for (const auto& [k, n] : tallies_) t[k] = n;
  return {{"tallies", t}, {"indexes_created", created_}, {"threshold", threshold_}};
}

std::vector<std::string> AutoIndexDB::suggest() const {
  std::vector<std::string> out;
  for (const auto& [k, n] : tallies_) {
    if (n < threshold_) {
      out.push_back(k + " \u2014 " + std::to_string(n) + "/" + std::to_string(threshold_) +
                    " queries");
    }
  }
  return out;
}

nlohmann::json AutoIndexDB::put(std::string_view coll, std::string_view id, nlohmann::json doc) {
  return db_.put(coll, id, std::move(doc));
}
std::optional<nlohmann::json> AutoIndexDB::get(std::string_view coll, std::string_view id,
                                               std::optional<std::uint64_t> as_of) const {
  return db_.get(coll, id, as_of);
}
bool AutoIndexDB::remove(std::string_view coll, std::string_view id) {
  return db_.remove(coll, id);
}
bool AutoIndexDB::link(std::string_view f, std::string_view r, std::string_view t) {
  return db_.link(f, r, t);
}
bool AutoIndexDB::unlink(std::string_view f, std::string_view r, std::string_view t) {
  return db_.unlink(f, r, t);
}
std::vector<std::string> AutoIndexDB::neighbors(std::string_view f, std::string_view r,
                                                std::optional<std::uint64_t> as_of) const {
  return db_.neighbors(f, r, as_of);
}
std::vector<std::string> AutoIndexDB::inbound(std::string_view t, std::string_view r,
                                              std::optional<std::uint64_t> as_of) const {
  return db_.inbound(t, r, as_of);
}
void AutoIndexDB::create_index(std::string_view c, std::string_view f, std::string_view k) {
  db_.create_index(c, f, k);
}
Query AutoIndexDB::q(std::string_view coll) const { return db_.q(coll); }
nlohmann::json AutoIndexDB::explain(std::string_view nql) const { return db_.explain(nql); }
std::uint64_t AutoIndexDB::seq() const { return db_.seq(); }
std::string AutoIndexDB::head() const { return db_.head(); }
bool AutoIndexDB::verify() const { return db_.verify(); }
bool AutoIndexDB::verify_determinism() const { return db_.verify_determinism(); }
void AutoIndexDB::flush() { db_.flush(); }
void AutoIndexDB::close() { db_.close(); }

}  // namespace nedb
