// SPDX-License-Identifier: Apache-2.0
#include "sql/sql_plan.h"

#include <algorithm>
#include <set>
#include <utility>

#include "query/nql_lexer.h"
#include "sql/sql_eval.h"
#include "sql/sql_lexer.h"

namespace nedb::sql {

namespace {

bool NqlField(const Column& c) {
  return !c.parts.empty() && std::all_of(c.parts.begin(), c.parts.end(),
                                         [](const std::string& p) { return nql::IsIdentifier(p); });
}

nql::FieldPath ToField(const Column& c) { return nql::FieldPath{c.Path(), c.parts}; }

nql::CmpOp Flip(nql::CmpOp op) {
  switch (op) {
    case nql::CmpOp::kLt: return nql::CmpOp::kGt;
    case nql::CmpOp::kLe: return nql::CmpOp::kGe;
    case nql::CmpOp::kGt: return nql::CmpOp::kLt;
    case nql::CmpOp::kGe: return nql::CmpOp::kLe;
    default: return op;
  }
}

nql::CmpOp Negate(nql::CmpOp op) {
  return op == nql::CmpOp::kEq ? nql::CmpOp::kNe : nql::CmpOp::kEq;
}

nql::Condition Cond(const Column& c, nql::CmpOp op, nlohmann::json v) {
  nql::Condition out;
  out.field = ToField(c);
  out.op = op;
  out.value = std::move(v);
  out.pos = c.pos;
  return out;
}

// True if e reads no column and no SEARCH: the same for every row.
bool IsConstant(const Expr& e) {
  if (e.kind == ExprKind::kColumn) return false;
  if (e.kind == ExprKind::kLike && SearchTerm(e)) return false;
  return std::all_of(e.args.begin(), e.args.end(), [](const Expr& a) { return IsConstant(a); });
}

// What NQL cannot express about condition e.
std::string Describe(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kOr: return "OR";
    case ExprKind::kNot: return "NOT (other than NOT col = value)";
    case ExprKind::kIn: return e.negated ? "NOT IN on this column" : "IN with several values";
    case ExprKind::kBetween: return e.negated ? "NOT BETWEEN" : "BETWEEN on this column";
    case ExprKind::kLike: return e.negated ? "NOT LIKE" : "LIKE with a pattern other than '%word%'";
    case ExprKind::kIsNull: return e.negated ? "IS NOT NULL on this column" : "IS NULL";
    case ExprKind::kLiteral: return "a constant condition";
    default: return "a condition that is not column <op> value on a plain field name";
  }
}

const char* AggPrefix(AggKind k) {
  switch (k) {
    case AggKind::kCount: return "count";
    case AggKind::kSum: return "sum";
    case AggKind::kAvg: return "avg";
    case AggKind::kMin: return "min";
    case AggKind::kMax: return "max";
    case AggKind::kNone: break;
  }
  return "";
}

class Planner {
 public:
  Planner(const Select& s, std::string_view text) : s_(s), text_(text) {}

  SelectPlan Run() {
    p_.fetch.coll = s_.table;
    p_.fetch.as_of = s_.as_of;
    if (s_.where) {
      std::vector<const Expr*> conjuncts;
      Conjuncts(*s_.where, &conjuncts);
      for (const Expr* c : conjuncts) {
        if (!Push(*c)) {
          p_.residual.push_back(c);
          NotExact(Describe(*c), c->pos);
        }
      }
    }
    if (!terms_.empty()) {
      std::string joined;
      for (const std::string& t : terms_) joined += (joined.empty() ? "" : " ") + t;
      p_.fetch.search = joined;
    }
    p_.aggregated = !s_.group_by.empty() ||
                    std::any_of(s_.items.begin(), s_.items.end(),
                                [](const SelectItem& i) { return i.agg != AggKind::kNone; });
    if (p_.aggregated) {
      PlanAggregated();
    } else {
      PlanRows();
    }
    return std::move(p_);
  }

 private:
  void NotExact(const std::string& why, std::size_t pos) {
    if (!p_.exact) return;
    p_.exact = false;
    p_.why = why;
    p_.why_pos = pos;
  }

  static void Conjuncts(const Expr& e, std::vector<const Expr*>* out) {
    if (e.kind != ExprKind::kAnd) {
      out->push_back(&e);
      return;
    }
    for (const Expr& a : e.args) Conjuncts(a, out);
  }

  // Adds c to the fetch if NQL can express it exactly.
  bool Push(const Expr& c) {
    std::vector<nql::Condition> conds;
    const Expr* col = !c.args.empty() ? &c.args[0] : nullptr;
    const bool plain_col = col && col->kind == ExprKind::kColumn && NqlField(col->column);
    if (IsConstant(c)) return Test(c, nlohmann::json::object(), {});  // true: drop it
    switch (c.kind) {
      case ExprKind::kCompare: {
        const Expr& a = c.args[0];
        const Expr& b = c.args[1];
        if (a.kind == ExprKind::kColumn && b.kind == ExprKind::kLiteral && NqlField(a.column)) {
          conds.push_back(Cond(a.column, c.op, b.value));
        } else if (b.kind == ExprKind::kColumn && a.kind == ExprKind::kLiteral &&
                   NqlField(b.column)) {
          conds.push_back(Cond(b.column, Flip(c.op), a.value));
        } else {
          return false;
        }
        break;
      }
      case ExprKind::kIsNull:
        if (!c.negated || !plain_col) return false;
        conds.push_back(Cond(col->column, nql::CmpOp::kGt, nullptr));  // present, not null
        break;
      case ExprKind::kBetween:
        if (c.negated || !plain_col) return false;
        conds.push_back(Cond(col->column, nql::CmpOp::kGe, c.args[1].value));
        conds.push_back(Cond(col->column, nql::CmpOp::kLe, c.args[2].value));
        break;
      case ExprKind::kIn:
        if (!plain_col || (!c.negated && c.args.size() != 2)) return false;
        for (std::size_t k = 1; k < c.args.size(); ++k) {
          conds.push_back(
              Cond(col->column, c.negated ? nql::CmpOp::kNe : nql::CmpOp::kEq, c.args[k].value));
        }
        break;
      case ExprKind::kNot: {
        const Expr& in = c.args[0];
        if (in.kind == ExprKind::kCompare &&
            (in.op == nql::CmpOp::kEq || in.op == nql::CmpOp::kNe)) {
          Expr flipped = in;
          flipped.op = Negate(in.op);
          return Push(flipped);
        }
        if ((in.kind == ExprKind::kIsNull && !in.negated) || in.kind == ExprKind::kIn) {
          Expr flipped = in;
          flipped.negated = !in.negated;
          return Push(flipped);
        }
        if (in.kind == ExprKind::kNot) return Push(in.args[0]);
        return false;
      }
      case ExprKind::kLike: {
        if (c.negated) return false;
        std::optional<std::string> term = SearchTerm(c);
        if (!term) return false;
        terms_.push_back(std::move(*term));
        return true;
      }
      default: return false;
    }
    for (nql::Condition& x : conds) p_.fetch.where.push_back(std::move(x));
    return true;
  }

  void PlanRows() {
    if (!s_.star) NotExact("column projection (SELECT a, b)", s_.items[0].pos);
    for (const OrderKey& k : s_.order_by) {
      if (k.agg != AggKind::kNone) {
        throw StatementError(text_, k.column.pos, k.column.name.size(),
                             "ORDER BY an aggregate in a SELECT without GROUP BY or aggregates");
      }
      OrderKey r = k;
      for (const SelectItem& it : s_.items) {
        if (!it.alias.empty() && it.alias == k.column.name && it.column) r.column = *it.column;
      }
      p_.order.push_back(std::move(r));
    }
    if (p_.order.size() == 1 && NqlField(p_.order[0].column)) {
      p_.fetch.order_by = nql::OrderBy{ToField(p_.order[0].column), p_.order[0].desc};
      p_.order_in_fetch = true;
    } else if (!p_.order.empty()) {
      NotExact(p_.order.size() > 1 ? "ORDER BY several columns" : "ORDER BY this column",
               s_.order_by[0].column.pos);
    }
    const std::uint64_t offset = s_.offset.value_or(0);
    if (offset > 0) NotExact("OFFSET", 0);
    if (s_.limit && p_.residual.empty() && (p_.order.empty() || p_.order_in_fetch)) {
      p_.fetch.limit = *s_.limit > UINT64_MAX - offset ? UINT64_MAX : *s_.limit + offset;
    }
  }

  void PlanAggregated() {
    if (s_.star) {
      throw StatementError(text_, 7, 1,
                           "SELECT * with GROUP BY (list the grouped columns and aggregates)");
    }
    for (const SelectItem& it : s_.items) {
      if (it.agg == AggKind::kNone) {
        const bool grouped =
            std::any_of(s_.group_by.begin(), s_.group_by.end(),
                        [&](const Column& g) { return g.parts == it.column->parts; });
        if (!grouped) {
          throw StatementError(
              text_, it.pos, it.column->name.size(),
              "column " + it.column->name + " must be in GROUP BY or inside an aggregate");
        }
      }
      p_.outputs.push_back(
          {it.agg == AggKind::kNone && it.alias.empty() ? it.column->name : OutputName(it), &it});
    }
    for (const OrderKey& k : s_.order_by) {
      std::string name;
      for (const OutputColumn& o : p_.outputs) {
        const bool match =
            k.agg != AggKind::kNone
                ? o.item->agg == k.agg && o.item->column.has_value() == !k.column.parts.empty() &&
                      (!o.item->column || o.item->column->parts == k.column.parts)
                : o.name == k.column.name ||
                      (o.item->agg == AggKind::kNone && o.item->column->parts == k.column.parts);
        if (match) {
          name = o.name;
          break;
        }
      }
      if (name.empty()) {
        throw StatementError(text_, k.column.pos, k.column.name.size(),
                             "ORDER BY " + k.column.name +
                                 " in a grouped SELECT must name a column of the SELECT list");
      }
      p_.order_outputs.push_back(name);
      p_.order.push_back(k);
    }
    PlanNqlGroup();
  }

  // GROUP BY f with COUNT(*) and at most one SUM/AVG/MIN/MAX is NQL's GROUP BY.
  void PlanNqlGroup() {
    const std::size_t pos = s_.items[0].pos;
    if (s_.group_by.size() != 1) {
      NotExact(s_.group_by.empty() ? "aggregates without GROUP BY" : "GROUP BY several columns",
               pos);
      return;
    }
    const Column& g = s_.group_by[0];
    if (!NqlField(g)) return NotExact("GROUP BY this column", g.pos);
    bool key = false, count = false;
    std::optional<nql::GroupBy> group = nql::GroupBy{ToField(g), nql::AggFn::kCount, std::nullopt};
    std::set<std::string> names;
    for (const OutputColumn& o : p_.outputs) {
      const SelectItem& it = *o.item;
      if (!names.insert(o.name).second)
        return NotExact("two output columns named " + o.name, it.pos);
      if (it.agg == AggKind::kNone) {
        if (o.name != g.Path())
          return NotExact("an alias or qualified name for the group column", it.pos);
        key = true;
      } else if (it.agg == AggKind::kCount && !it.column) {
        if (o.name != "count") return NotExact("an alias for COUNT(*)", it.pos);
        count = true;
      } else if (it.agg == AggKind::kCount) {
        return NotExact("COUNT(column)", it.pos);
      } else {
        // NQL names the aggregate by the resolved path (sum__id for id).
        if (group->agg_field || !NqlField(*it.column) ||
            o.name != std::string(AggPrefix(it.agg)) + "_" + it.column->Path()) {
          return NotExact("this aggregate (NQL's GROUP BY takes COUNT(*) and one more, unaliased)",
                          it.pos);
        }
        static constexpr nql::AggFn kFns[] = {nql::AggFn::kCount, nql::AggFn::kCount,
                                              nql::AggFn::kSum,   nql::AggFn::kAvg,
                                              nql::AggFn::kMin,   nql::AggFn::kMax};
        group->fn = kFns[static_cast<int>(it.agg)];
        group->agg_field = ToField(*it.column);
      }
    }
    if (!key || !count) {
      return NotExact("a grouped SELECT without both the group column and COUNT(*)", pos);
    }
    if (!p_.order.empty() &&
        (p_.order.size() > 1 || p_.order[0].desc || p_.order_outputs[0] != g.Path())) {
      return NotExact("this ORDER BY (NQL orders groups by their key, ascending)",
                      s_.order_by[0].column.pos);
    }
    if (s_.offset.value_or(0) > 0) return NotExact("OFFSET", pos);
    if (!p_.exact) return;
    p_.fetch.group_by = std::move(group);
    p_.fetch.limit = s_.limit;
  }

  const Select& s_;
  std::string_view text_;
  SelectPlan p_;
  std::vector<std::string> terms_;
};

}  // namespace

std::string OutputName(const SelectItem& item) {
  if (!item.alias.empty()) return item.alias;
  if (item.agg == AggKind::kCount && !item.column) return "count";
  return std::string(AggPrefix(item.agg)) + "_" + item.column->name;  // as written: sum_id
}

SelectPlan PlanSelect(const Select& s, std::string_view text) { return Planner(s, text).Run(); }

}  // namespace nedb::sql
