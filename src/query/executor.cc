// SPDX-License-Identifier: Apache-2.0
#include "query/executor.h"

#include <algorithm>
#include <functional>

#include "util/json_parse.h"
#include "util/str_map.h"

namespace nedb {

namespace {

using nql::CmpOp;

bool Matches(const ValueView& v, CmpOp op, const Scalar& c) {
  if (v.rank == Rank::kMissing) return op == CmpOp::kNe;  // docs/NQL.md: missing fields
  const int r = CompareView(v, c);
  switch (op) {
    case CmpOp::kEq: return r == 0;
    case CmpOp::kNe: return r != 0;
    case CmpOp::kLt: return r < 0;
    case CmpOp::kLe: return r <= 0;
    case CmpOp::kGt: return r > 0;
    case CmpOp::kGe: return r >= 0;
  }
  return false;
}

// Every string in the document (keys excluded), for SEARCH without an index.
void AllStringTokens(std::string_view doc, std::vector<std::string>* out) {
  std::string text;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    if (doc[i] != '"') continue;
    std::size_t j = i + 1;
    while (j < doc.size() && doc[j] != '"') j += doc[j] == '\\' ? 2 : 1;
    std::size_t after = j + 1;
    const bool is_key = after < doc.size() && doc[after] == ':';
    if (!is_key) {
      text.clear();
      UnescapeJsonString(doc.substr(i + 1, j - i - 1), &text);
      std::vector<std::string> t = Tokenize(text);
      out->insert(out->end(), t.begin(), t.end());
    }
    i = j;
  }
}

bool SearchMatches(const Plan& p, std::string_view doc) {
  std::vector<std::string> tokens;
  if (p.search_indexes.empty()) {
    AllStringTokens(doc, &tokens);
  } else {
    for (const SearchIndex* ix : p.search_indexes) {
      TokensOfValue(LookupField(doc, ix->path()), &tokens);
    }
  }
  std::sort(tokens.begin(), tokens.end());
  for (const std::string& t : p.terms) {
    if (!std::binary_search(tokens.begin(), tokens.end(), t)) return false;
  }
  return true;
}

bool RowMatches(const Plan& p, std::string_view doc) {
  const auto& where = p.query->where;
  for (std::size_t i = 0; i < where.size(); ++i) {
    if (!Matches(LookupField(doc, where[i].field.parts), where[i].op, p.values[i])) return false;
  }
  if (p.query->search && !p.search_by_index && !SearchMatches(p, doc)) return false;
  return true;
}

// Entries holding every search term, from the search indexes (sorted).
std::vector<std::uint32_t> SearchCandidates(const Plan& p) {
  std::vector<std::uint32_t> acc;
  if (p.search_indexes.size() == 1) {
    // One index: walk the shortest posting list, probe the others.
    std::vector<const EntrySet*> lists;
    for (const std::string& term : p.terms) {
      const EntrySet* s = p.search_indexes[0]->Postings(term);
      if (s == nullptr) return acc;
      lists.push_back(s);
    }
    std::sort(lists.begin(), lists.end(),
              [](const EntrySet* a, const EntrySet* b) { return a->size() < b->size(); });
    for (std::uint32_t e : *lists[0]) {
      bool all = true;
      for (std::size_t i = 1; i < lists.size() && all; ++i) all = lists[i]->contains(e);
      if (all) acc.push_back(e);
    }
    return acc;
  }
  bool first = true;
  for (const std::string& term : p.terms) {
    std::vector<std::uint32_t> hits;
    for (const SearchIndex* ix : p.search_indexes) {
      if (const EntrySet* s = ix->Postings(term)) {
        std::vector<std::uint32_t> merged;
        std::set_union(hits.begin(), hits.end(), s->begin(), s->end(), std::back_inserter(merged));
        hits.swap(merged);
      }
    }
    if (first) {
      acc.swap(hits);
      first = false;
    } else {
      std::vector<std::uint32_t> both;
      std::set_intersection(acc.begin(), acc.end(), hits.begin(), hits.end(),
                            std::back_inserter(both));
      acc.swap(both);
    }
    if (acc.empty()) break;
  }
  return acc;
}

// Calls fn(entry) for candidate entries in source order until it returns false.
void ForEachCandidate(const Plan& p, const Collection& c,
                      const std::function<bool(std::uint32_t)>& fn) {
  switch (p.source) {
    case Plan::Source::kScan: {
      const auto n = static_cast<std::uint32_t>(c.entries().size());
      for (std::uint32_t e = 0; e < n; ++e) {
        if (!fn(e)) return;
      }
      return;
    }
    case Plan::Source::kEqIndex: {
      if (const EntrySet* s = p.eq->Find(p.values[p.eq_cond])) {
        for (std::uint32_t e : *s) {
          if (!fn(e)) return;
        }
      }
      return;
    }
    case Plan::Source::kEqHistory: {
      if (const EntrySet* s = p.eq->FindEver(p.values[p.eq_cond])) {
        for (std::uint32_t e : *s) {
          if (!fn(e)) return;
        }
      }
      return;
    }
    case Plan::Source::kSearchIndex: {
      for (std::uint32_t e : SearchCandidates(p)) {
        if (!fn(e)) return;
      }
      return;
    }
    case Plan::Source::kOrderedIndex: {
      const auto& set = p.ordered->set();
      // Missing values sort lowest but satisfy no range condition.
      Scalar null_value;
      null_value.rank = Rank::kNull;
      auto begin = p.lo ? p.ordered->LowerBound(*p.lo, p.lo_strict)
                        : (p.hi ? p.ordered->LowerBound(null_value, false) : set.begin());
      auto end = p.hi ? p.ordered->LowerBound(*p.hi, !p.hi_strict) : set.end();
      // An empty or inverted range (lo > hi, or lo past the last key) may
      // put begin after end: there is nothing to read, and walking from
      // begin would step past end (issue 13).
      if (begin == set.end() || (end != set.end() && !OrderedIndex::KeyLess()(*begin, *end))) {
        return;
      }
      const bool desc = p.order_by_index && p.query->order_by->desc;
      if (!desc) {
        for (auto it = begin; it != end; ++it) {
          if (!fn(it->entry)) return;
        }
        return;
      }
      // Descending by value; equal values keep ascending entry order.
      // Each run of equal values is found by one B-tree search (not by
      // walking back over it), then read forwards.
      auto it = end;
      while (it != begin) {
        auto run_end = it;
        auto run_start = p.ordered->LowerBound(std::prev(it)->value, false);
        if (OrderedIndex::KeyLess()(*run_start, *begin)) run_start = begin;
        for (auto r = run_start; r != run_end; ++r) {
          if (!fn(r->entry)) return;
        }
        it = run_start;
      }
      return;
    }
  }
}

struct Row {
  std::uint32_t entry;
  std::string_view doc;
};

nlohmann::json Parse(std::string_view doc) { return ParseJsonText(doc); }

// Targets of TRAVERSE from rows, deduplicated, in row then edge order.
std::vector<std::string_view> Traverse(const Plan& p, const State& st, const Collection& c,
                                       const std::vector<Row>& rows, std::size_t limit,
                                       std::vector<std::pair<std::string, std::string>>* expired) {
  std::vector<std::string_view> out;
  StrSet seen;
  for (const Row& r : rows) {
    const std::string key = p.query->coll + ":" + c.entries()[r.entry].id;
    for (const std::string& target : st.graph().Out(key, *p.query->traverse, p.seq)) {
      if (!seen.insert(target).second) continue;
      const std::size_t colon = target.find(':');
      const Blob* b = st.Read(std::string_view(target).substr(0, colon),
                              std::string_view(target).substr(colon + 1), p.seq);
      if (b == nullptr) continue;
      if (p.expire_at && IsExpired(b->view(), *p.expire_at)) {
        if (expired) expired->emplace_back(target.substr(0, colon), target.substr(colon + 1));
        continue;
      }
      out.push_back(b->view());
      if (out.size() >= limit) return out;
    }
  }
  return out;
}

nlohmann::json NumberJson(const Scalar& s) { return s.ToJson(); }

std::vector<nlohmann::json> Group(const Plan& p, const std::vector<std::string_view>& docs) {
  const nql::GroupBy& g = *p.query->group_by;
  struct Acc {
    Scalar key;
    std::uint64_t count = 0;
    std::uint64_t numeric = 0;
    bool int_sum = true;
    Int128 isum = 0;
    long double dsum = 0;
    std::optional<Scalar> min, max;
  };
  std::vector<Acc> groups;
  StrMap<std::size_t> by_key;
  for (std::string_view doc : docs) {
    Scalar key = Scalar::FromView(LookupField(doc, g.field.parts));
    if (key.rank == Rank::kMissing) key.rank = Rank::kNull;  // missing groups with null
    auto [it, fresh] = by_key.try_emplace(EqKey(key), groups.size());
    if (fresh) groups.push_back(Acc{std::move(key)});
    Acc& a = groups[it->second];
    a.count++;
    if (!g.agg_field) continue;
    ValueView v = LookupField(doc, g.agg_field->parts);
    if (v.rank != Rank::kNumber) continue;  // non-numeric values are skipped
    Scalar n = Scalar::FromView(v);
    a.numeric++;
    if (n.is_int && a.int_sum) {
      a.isum += n.i;
    } else {
      if (a.int_sum) {
        a.dsum = static_cast<long double>(a.isum);
        a.int_sum = false;
      }
      a.dsum += n.is_int ? static_cast<long double>(n.i) : n.d;
    }
    if (!a.min || Compare(n, *a.min) < 0) a.min = n;
    if (!a.max || Compare(n, *a.max) > 0) a.max = n;
  }
  std::sort(groups.begin(), groups.end(),
            [](const Acc& x, const Acc& y) { return Compare(x.key, y.key) < 0; });
  std::vector<nlohmann::json> out;
  const std::uint64_t limit = p.query->limit.value_or(UINT64_MAX);
  for (const Acc& a : groups) {
    if (out.size() >= limit) break;
    nlohmann::json row = {{g.field.text, a.key.ToJson()}, {"count", a.count}};
    if (g.agg_field) {
      const std::string& f = g.agg_field->text;
      const long double sum = a.int_sum ? static_cast<long double>(a.isum) : a.dsum;
      switch (g.fn) {
        case nql::AggFn::kCount: break;
        case nql::AggFn::kSum:
          if (a.int_sum && a.isum >= INT64_MIN && a.isum <= INT64_MAX) {
            row["sum_" + f] = static_cast<std::int64_t>(a.isum);
          } else {
            row["sum_" + f] = static_cast<double>(sum);
          }
          break;
        case nql::AggFn::kAvg:
          row["avg_" + f] = a.numeric ? nlohmann::json(static_cast<double>(sum / a.numeric))
                                      : nlohmann::json(nullptr);
          break;
        case nql::AggFn::kMin: row["min_" + f] = a.min ? NumberJson(*a.min) : nullptr; break;
        case nql::AggFn::kMax: row["max_" + f] = a.max ? NumberJson(*a.max) : nullptr; break;
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

Plan MakePlan(const nql::Query& q, const State& st, std::uint64_t seq) {
  Plan p;
  p.query = &q;
  p.seq = seq;
  p.head = seq == st.seq();
  for (const auto& c : q.where) p.values.push_back(Scalar::FromJson(c.value));
  if (q.search) p.terms = Tokenize(*q.search);
  const auto* indexes = st.indexes().For(q.coll);
  if (indexes != nullptr) {
    for (const auto& ix : *indexes) {
      if (ix->spec().kind == "search") {
        p.search_indexes.push_back(static_cast<const SearchIndex*>(ix.get()));
      }
    }
  }
  if (indexes == nullptr) return p;
  if (!p.head) {
    // AS OF: only an eq index's history (a superset, re-checked per row).
    for (std::size_t i = 0; i < q.where.size(); ++i) {
      if (q.where[i].op != CmpOp::kEq) continue;
      if (const Index* ix = st.indexes().Find(q.coll, q.where[i].field.text, "eq")) {
        p.source = Plan::Source::kEqHistory;
        p.eq = static_cast<const EqIndex*>(ix);
        p.eq_cond = i;
        break;
      }
    }
    return p;
  }

  auto find = [&](const std::string& field, const char* kind) {
    return st.indexes().Find(q.coll, field, kind);
  };
  // 1. Equality on an eq index: the smallest posting list wins.
  std::size_t best = SIZE_MAX;
  for (std::size_t i = 0; i < q.where.size(); ++i) {
    if (q.where[i].op != CmpOp::kEq) continue;
    if (const Index* ix = find(q.where[i].field.text, "eq")) {
      const EntrySet* s = static_cast<const EqIndex*>(ix)->Find(p.values[i]);
      const std::size_t n = s ? s->size() : 0;
      if (n < best) {
        best = n;
        p.source = Plan::Source::kEqIndex;
        p.eq = static_cast<const EqIndex*>(ix);
        p.eq_cond = i;
      }
    }
  }
  // ORDER BY + LIMIT on an ordered index stops early; prefer it over a large
  // equality set that would have to be sorted whole.
  const bool no_group = !q.group_by;
  const Index* order_ix = q.order_by ? find(q.order_by->field.text, "ordered") : nullptr;
  constexpr std::size_t kSortCheaperThan = 1000;
  // Range conditions on the ordered index's field bound its iteration.
  auto use_ordered = [&](const Index* ix) {
    p.source = Plan::Source::kOrderedIndex;
    p.ordered = static_cast<const OrderedIndex*>(ix);
    p.order_by_index = q.order_by && q.order_by->field.text == ix->spec().field;
    for (std::size_t j = 0; j < q.where.size(); ++j) {
      if (q.where[j].field.text != ix->spec().field) continue;
      const Scalar& v = p.values[j];
      const CmpOp o = q.where[j].op;
      if ((o == CmpOp::kGt || o == CmpOp::kGe || o == CmpOp::kEq) &&
          (!p.lo || Compare(v, *p.lo) > 0)) {
        p.lo = v;
        p.lo_strict = o == CmpOp::kGt;
      }
      if ((o == CmpOp::kLt || o == CmpOp::kLe || o == CmpOp::kEq) &&
          (!p.hi || Compare(v, *p.hi) < 0)) {
        p.hi = v;
        p.hi_strict = o == CmpOp::kLt;
      }
    }
  };
  if (order_ix != nullptr && no_group && q.limit &&
      (p.source == Plan::Source::kScan || best > kSortCheaperThan)) {
    use_ordered(order_ix);
  }
  // 2. SEARCH answered by the search indexes.
  if (q.search && !p.search_indexes.empty() && !p.terms.empty()) {
    if (p.source == Plan::Source::kScan) {
      p.source = Plan::Source::kSearchIndex;
      p.search_by_index = true;
    }
  }
  // 3. A range (or equality) on an ordered index.
  if (p.source == Plan::Source::kScan) {
    for (const auto& c : q.where) {
      if (c.op == CmpOp::kNe) continue;
      if (const Index* ix = find(c.field.text, "ordered")) {
        use_ordered(ix);
        break;
      }
    }
  }
  // 4. ORDER BY alone on an ordered index.
  if (p.source == Plan::Source::kScan && order_ix != nullptr) use_ordered(order_ix);
  return p;
}

bool IsExpired(std::string_view doc, double now) {
  const std::optional<double> at = ExpiresAtOf(doc);  // as the expiry index reads it
  return at && *at <= now;
}

std::vector<nlohmann::json> Execute(const Plan& p, const State& st,
                                    std::vector<std::pair<std::string, std::string>>* expired) {
  const nql::Query& q = *p.query;
  std::vector<nlohmann::json> out;
  const Collection* c = st.docs().collection(q.coll);
  if (c == nullptr) return out;
  st.CheckNoErasedVisible(q.coll, p.seq);  // before any index can skip one
  const std::uint64_t limit = q.limit.value_or(UINT64_MAX);
  if (limit == 0) return out;
  // Scans and eq/search sources yield rows in entry order (the documented
  // order without ORDER BY); an ordered index yields them by value.
  const bool entry_order = p.source != Plan::Source::kOrderedIndex;
  const bool ordered_output = q.order_by ? p.order_by_index : entry_order;
  // Rows can stop at LIMIT when they come in final order and every row
  // counts (no GROUP BY; TRAVERSE stops on its own count below).
  const bool early_stop = ordered_output && !q.group_by;
  std::vector<Row> rows;
  ForEachCandidate(p, *c, [&](std::uint32_t e) {
    const Version* v = VisibleAt(c->entries()[e].chain, p.seq);
    if (v == nullptr || v->blob == nullptr) return true;
    st.CheckNotErased(q.coll, c->entries()[e].id, *v);  // never skip an erased version silently
    std::string_view doc = v->blob->view();
    if (p.expire_at && IsExpired(doc, *p.expire_at)) {
      if (expired) expired->emplace_back(q.coll, c->entries()[e].id);
      return true;
    }
    if (!RowMatches(p, doc)) return true;
    rows.push_back(Row{e, doc});
    return !(early_stop && !q.traverse && rows.size() >= limit);
  });
  if (!q.order_by && !entry_order) {
    std::sort(rows.begin(), rows.end(),
              [](const Row& a, const Row& b) { return a.entry < b.entry; });
  } else if (!ordered_output) {
    std::vector<Scalar> keys;
    keys.reserve(rows.size());
    for (const Row& r : rows)
      keys.push_back(Scalar::FromView(LookupField(r.doc, q.order_by->field.parts)));
    std::vector<std::size_t> idx(rows.size());
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    const bool desc = q.order_by->desc;
    auto less = [&](std::size_t a, std::size_t b) {
      int cmp = Compare(keys[a], keys[b]);
      if (cmp != 0) return desc ? cmp > 0 : cmp < 0;
      return rows[a].entry < rows[b].entry;
    };
    if (!q.traverse && !q.group_by && limit < idx.size()) {
      std::partial_sort(idx.begin(), idx.begin() + static_cast<long>(limit), idx.end(), less);
      idx.resize(limit);
    } else {
      std::sort(idx.begin(), idx.end(), less);
    }
    std::vector<Row> sorted;
    sorted.reserve(idx.size());
    for (std::size_t i : idx) sorted.push_back(rows[i]);
    rows.swap(sorted);
  }
  std::vector<std::string_view> docs;
  if (q.traverse) {
    docs = Traverse(p, st, *c, rows, q.group_by ? SIZE_MAX : limit, expired);
  } else {
    docs.reserve(rows.size());
    for (const Row& r : rows) docs.push_back(r.doc);
  }
  if (q.group_by) return Group(p, docs);
  for (std::string_view d : docs) {
    if (out.size() >= limit) break;
    out.push_back(Parse(d));
  }
  return out;
}

nlohmann::json ExplainPlan(const Plan& p) {
  const nql::Query& q = *p.query;
  auto index_ref = [](const Index* ix) {
    return nlohmann::json{{"kind", ix->spec().kind}, {"field", ix->spec().field}};
  };
  nlohmann::json steps = nlohmann::json::array();
  nlohmann::json source = {{"step", "source"}, {"collection", q.coll}};
  switch (p.source) {
    case Plan::Source::kScan: source["using"] = "scan"; break;
    case Plan::Source::kEqIndex:
    case Plan::Source::kEqHistory:
      source["using"] = index_ref(p.eq);
      source["value"] = q.where[p.eq_cond].value;
      if (p.source == Plan::Source::kEqHistory) source["history"] = true;
      break;
    case Plan::Source::kSearchIndex: {
      nlohmann::json ixs = nlohmann::json::array();
      for (const SearchIndex* ix : p.search_indexes) ixs.push_back(index_ref(ix));
      source["using"] = ixs.size() == 1 ? ixs[0] : ixs;
      source["terms"] = p.terms;
      break;
    }
    case Plan::Source::kOrderedIndex:
      source["using"] = index_ref(p.ordered);
      if (p.lo) source["from"] = {{"value", p.lo->ToJson()}, {"inclusive", !p.lo_strict}};
      if (p.hi) source["to"] = {{"value", p.hi->ToJson()}, {"inclusive", !p.hi_strict}};
      break;
  }
  steps.push_back(source);
  if (!q.where.empty()) {
    nlohmann::json conds = nlohmann::json::array();
    for (const auto& c : q.where) {
      conds.push_back(c.field.text + " " + std::string(nql::CmpOpText(c.op)) + " " +
                      c.value.dump());
    }
    steps.push_back({{"step", "filter"}, {"conditions", conds}});
  }
  if (q.search) {
    nlohmann::json s = {{"step", "search"}, {"terms", p.terms}};
    if (p.search_by_index) {
      s["using"] = steps[0]["using"];
    } else {
      s["using"] = "scan";
      nlohmann::json fields = nlohmann::json::array();
      for (const SearchIndex* ix : p.search_indexes) fields.push_back(ix->spec().field);
      s["fields"] = p.search_indexes.empty() ? nlohmann::json("all string values") : fields;
    }
    steps.push_back(s);
  }
  if (q.order_by) {
    nlohmann::json o = {{"step", "order"},
                        {"field", q.order_by->field.text},
                        {"direction", q.order_by->desc ? "DESC" : "ASC"}};
    o["using"] = p.order_by_index ? index_ref(p.ordered) : nlohmann::json("sort");
    steps.push_back(o);
  }
  if (q.traverse) steps.push_back({{"step", "traverse"}, {"relation", *q.traverse}});
  if (q.group_by) {
    nlohmann::json g = {{"step", "group"},
                        {"field", q.group_by->field.text},
                        {"aggregate", std::string(nql::AggFnText(q.group_by->fn))}};
    if (q.group_by->agg_field) g["of"] = q.group_by->agg_field->text;
    steps.push_back(g);
  }
  if (q.limit) steps.push_back({{"step", "limit"}, {"n", *q.limit}});
  return {{"collection", q.coll},
          {"as_of", q.as_of ? nlohmann::json(*q.as_of) : nlohmann::json(nullptr)},
          {"snapshot", p.seq},
          {"indexes_usable", p.head},
          {"steps", steps}};
}

}  // namespace nedb
