// SPDX-License-Identifier: Apache-2.0
#include "sql/sql_aggregate.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "query/value.h"
#include "sql/sql_eval.h"

namespace nedb::sql {

namespace {

// One aggregate over one group.
struct Acc {
  std::uint64_t count = 0;    // rows (COUNT(*)) or non-null values (COUNT(col))
  std::uint64_t numeric = 0;  // numeric values seen
  bool int_sum = true;
  Int128 isum = 0;
  long double dsum = 0;
  std::optional<Scalar> min, max;

  void AddNumber(const Scalar& n) {
    ++numeric;
    if (n.is_int && int_sum) {
      isum += n.i;
    } else {
      if (int_sum) dsum = static_cast<long double>(isum);
      int_sum = false;
      dsum += n.is_int ? static_cast<long double>(n.i) : n.d;
    }
    if (!min || Compare(n, *min) < 0) min = n;
    if (!max || Compare(n, *max) > 0) max = n;
  }

  nlohmann::json Result(AggKind kind) const {
    const long double sum = int_sum ? static_cast<long double>(isum) : dsum;
    switch (kind) {
      case AggKind::kCount: return count;
      case AggKind::kSum:
        if (int_sum && isum >= INT64_MIN && isum <= INT64_MAX)
          return static_cast<std::int64_t>(isum);
        return static_cast<double>(sum);
      case AggKind::kAvg:
        return numeric ? nlohmann::json(static_cast<double>(sum / numeric))
                       : nlohmann::json(nullptr);
      case AggKind::kMin: return min ? min->ToJson() : nullptr;
      case AggKind::kMax: return max ? max->ToJson() : nullptr;
      case AggKind::kNone: break;
    }
    return nullptr;
  }
};

struct Group {
  std::vector<Scalar> key;
  std::vector<Acc> accs;  // one per output column
};

}  // namespace

std::vector<nlohmann::json> Aggregate(const Select& s, const SelectPlan& plan,
                                      const std::vector<nlohmann::json>& rows) {
  std::vector<Group> groups;
  std::map<std::string, std::size_t> by_key;
  if (s.group_by.empty()) groups.push_back(Group{{}, std::vector<Acc>(plan.outputs.size())});
  for (const nlohmann::json& row : rows) {
    std::size_t g = 0;
    if (!s.group_by.empty()) {
      std::vector<Scalar> key;
      std::string eq;
      for (const Column& c : s.group_by) {
        Scalar v = Lookup(row, c.parts);
        if (v.rank == Rank::kMissing) v.rank = Rank::kNull;  // missing groups with null
        std::string k = EqKey(v);
        eq += std::to_string(k.size()) + ":" + k;
        key.push_back(std::move(v));
      }
      auto [it, fresh] = by_key.try_emplace(eq, groups.size());
      if (fresh) groups.push_back(Group{std::move(key), std::vector<Acc>(plan.outputs.size())});
      g = it->second;
    }
    for (std::size_t k = 0; k < plan.outputs.size(); ++k) {
      const SelectItem& it = *plan.outputs[k].item;
      Acc& a = groups[g].accs[k];
      if (it.agg == AggKind::kNone) continue;
      if (!it.column) {
        ++a.count;
        continue;
      }
      const nlohmann::json* v = Find(row, it.column->parts);
      if (it.agg == AggKind::kCount) {
        if (v != nullptr && !v->is_null()) ++a.count;
      } else if (v != nullptr && v->is_number()) {
        a.AddNumber(Scalar::FromJson(*v));  // non-numeric values are skipped
      }
    }
  }
  std::sort(groups.begin(), groups.end(), [](const Group& x, const Group& y) {
    for (std::size_t k = 0; k < x.key.size(); ++k) {
      const int c = Compare(x.key[k], y.key[k]);
      if (c != 0) return c < 0;
    }
    return false;
  });
  std::vector<nlohmann::json> out;
  out.reserve(groups.size());
  for (const Group& grp : groups) {
    nlohmann::json row = nlohmann::json::object();
    for (std::size_t k = 0; k < plan.outputs.size(); ++k) {
      const SelectItem& it = *plan.outputs[k].item;
      if (it.agg == AggKind::kNone) {
        for (std::size_t c = 0; c < s.group_by.size(); ++c) {
          if (s.group_by[c].parts == it.column->parts)
            row[plan.outputs[k].name] = grp.key[c].ToJson();
        }
      } else {
        row[plan.outputs[k].name] = grp.accs[k].Result(it.agg);
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace nedb::sql
