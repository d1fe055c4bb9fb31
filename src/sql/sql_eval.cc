// SPDX-License-Identifier: Apache-2.0
#include "sql/sql_eval.h"

#include <utility>

#include "index/index.h"

namespace nedb::sql {

namespace {

// Length of the UTF-8 character starting with byte c (1 for ASCII and stray
// bytes).
std::size_t CharLen(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

bool CompareHolds(const Scalar& a, nql::CmpOp op, const Scalar& b) {
  // NQL: a missing field matches no comparison except !=.
  if (a.rank == Rank::kMissing || b.rank == Rank::kMissing) return op == nql::CmpOp::kNe;
  const int r = Compare(a, b);
  switch (op) {
    case nql::CmpOp::kEq: return r == 0;
    case nql::CmpOp::kNe: return r != 0;
    case nql::CmpOp::kLt: return r < 0;
    case nql::CmpOp::kLe: return r <= 0;
    case nql::CmpOp::kGt: return r > 0;
    case nql::CmpOp::kGe: return r >= 0;
  }
  return false;
}

Scalar ValueOf(const Expr& e, const nlohmann::json& row) {
  if (e.kind == ExprKind::kColumn) return Lookup(row, e.column.parts);
  return Scalar::FromJson(e.value);
}

bool IsSearchByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

}  // namespace

const nlohmann::json* Find(const nlohmann::json& row, const std::vector<std::string>& path) {
  const nlohmann::json* cur = &row;
  for (const std::string& part : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(part);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

Scalar Lookup(const nlohmann::json& row, const std::vector<std::string>& path) {
  const nlohmann::json* v = Find(row, path);
  if (v == nullptr) return Scalar{};
  return Scalar::FromJson(*v);
}

bool Like(std::string_view s, std::string_view pattern, std::optional<char> escape) {
  enum class Kind { kAny, kOne, kByte };
  struct Elem {
    Kind kind;
    char byte;
  };
  std::vector<Elem> p;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (escape && c == *escape && i + 1 < pattern.size()) {
      p.push_back({Kind::kByte, pattern[++i]});
    } else if (c == '%') {
      if (p.empty() || p.back().kind != Kind::kAny) p.push_back({Kind::kAny, 0});
    } else if (c == '_') {
      p.push_back({Kind::kOne, 0});
    } else {
      p.push_back({Kind::kByte, c});
    }
  }
  // Greedy match with backtracking to the last %.
  std::size_t si = 0, pi = 0, star = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi].kind == Kind::kOne) {
      si += CharLen(static_cast<unsigned char>(s[si]));
      ++pi;
    } else if (pi < p.size() && p[pi].kind == Kind::kByte && p[pi].byte == s[si]) {
      ++si;
      ++pi;
    } else if (pi < p.size() && p[pi].kind == Kind::kAny) {
      star = pi++;
      star_s = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      star_s += CharLen(static_cast<unsigned char>(s[star_s]));
      si = star_s;
    } else {
      return false;
    }
  }
  if (si > s.size()) return false;  // a '_' ran past a truncated character
  while (pi < p.size() && p[pi].kind == Kind::kAny) ++pi;
  return pi == p.size();
}

std::optional<std::string> SearchTerm(const Expr& like) {
  const std::string& p = like.pattern;
  if (p.size() < 3 || p.front() != '%' || p.back() != '%') return std::nullopt;
  if (like.escape && p.find(*like.escape) != std::string::npos) return std::nullopt;
  std::string word = p.substr(1, p.size() - 2);
  for (char c : word) {
    if (!IsSearchByte(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return word;
}

void CollectSearchTerms(const Expr& e, std::set<std::string>* out) {
  if (e.kind == ExprKind::kLike) {
    if (auto t = SearchTerm(e)) out->insert(*t);
  }
  for (const Expr& a : e.args) CollectSearchTerms(a, out);
}

bool Test(const Expr& e, const nlohmann::json& row, const SearchSets& search) {
  switch (e.kind) {
    case ExprKind::kLiteral: return e.value.is_boolean() && e.value.get<bool>();
    case ExprKind::kColumn:
      return CompareHolds(Lookup(row, e.column.parts), nql::CmpOp::kEq, Scalar::FromJson(true));
    case ExprKind::kCompare:
      return CompareHolds(ValueOf(e.args[0], row), e.op, ValueOf(e.args[1], row));
    case ExprKind::kAnd:
      for (const Expr& a : e.args) {
        if (!Test(a, row, search)) return false;
      }
      return true;
    case ExprKind::kOr:
      for (const Expr& a : e.args) {
        if (Test(a, row, search)) return true;
      }
      return false;
    case ExprKind::kNot: return !Test(e.args[0], row, search);
    case ExprKind::kIn: {
      const Scalar x = ValueOf(e.args[0], row);
      bool found = false;
      for (std::size_t k = 1; k < e.args.size() && !found; ++k) {
        found = CompareHolds(x, nql::CmpOp::kEq, Scalar::FromJson(e.args[k].value));
      }
      return found != e.negated;
    }
    case ExprKind::kBetween: {
      const Scalar x = ValueOf(e.args[0], row);
      const bool in = CompareHolds(x, nql::CmpOp::kGe, Scalar::FromJson(e.args[1].value)) &&
                      CompareHolds(x, nql::CmpOp::kLe, Scalar::FromJson(e.args[2].value));
      return in != e.negated;
    }
    case ExprKind::kLike: {
      bool match = false;
      if (auto term = SearchTerm(e)) {
        auto it = search.find(*term);
        const nlohmann::json* id = Find(row, {"_id"});
        match = it != search.end() && id != nullptr && id->is_string() &&
                it->second.count(id->get<std::string>()) > 0;
      } else if (e.args[0].kind == ExprKind::kColumn) {
        const nlohmann::json* v = Find(row, e.args[0].column.parts);
        match = v != nullptr && v->is_string() &&
                Like(v->get_ref<const std::string&>(), e.pattern, e.escape);
      } else {
        match = e.args[0].value.is_string() &&
                Like(e.args[0].value.get_ref<const std::string&>(), e.pattern, e.escape);
      }
      return match != e.negated;
    }
    case ExprKind::kIsNull: {
      const nlohmann::json* v = e.args[0].kind == ExprKind::kColumn
                                    ? Find(row, e.args[0].column.parts)
                                    : &e.args[0].value;
      return (v == nullptr || v->is_null()) != e.negated;
    }
  }
  return false;
}

void SetPath(nlohmann::json& doc, const std::vector<std::string>& path, nlohmann::json value) {
  nlohmann::json* cur = &doc;
  for (std::size_t k = 0; k + 1 < path.size(); ++k) {
    nlohmann::json& next = (*cur)[path[k]];
    if (!next.is_object()) next = nlohmann::json::object();
    cur = &next;
  }
  (*cur)[path.back()] = std::move(value);
}

}  // namespace nedb::sql
