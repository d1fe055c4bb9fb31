// SPDX-License-Identifier: Apache-2.0
// Planning and executing NQL against the state. query() and q() both reach
// Execute() with an nql::Query, so they share one plan.
#ifndef NEDB_QUERY_EXECUTOR_H_
#define NEDB_QUERY_EXECUTOR_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "index/index.h"
#include "query/ast.h"
#include "query/value.h"
#include "state/state.h"

namespace nedb {

// How rows are found and in which order; see docs/NQL.md "Plans".
struct Plan {
  enum class Source { kScan, kEqIndex, kEqHistory, kSearchIndex, kOrderedIndex };

  const nql::Query* query = nullptr;
  std::uint64_t seq = 0;  // the snapshot read
  bool head = true;       // indexes may be used only at HEAD

  Source source = Source::kScan;
  const EqIndex* eq = nullptr;
  std::size_t eq_cond = 0;                         // which WHERE condition the eq index answers
  std::vector<const SearchIndex*> search_indexes;  // the collection's, if any
  bool search_by_index = false;
  const OrderedIndex* ordered = nullptr;
  bool order_by_index = false;   // ORDER BY answered by iterating `ordered`
  std::optional<Scalar> lo, hi;  // kOrderedIndex range on ordered's field
  bool lo_strict = false, hi_strict = false;

  // HEAD reads: documents whose _expires_at <= expire_at are skipped and
  // reported for lazy deletion. Unset for AS OF reads.
  std::optional<double> expire_at;

  std::vector<Scalar> values;      // WHERE constants, normalized
  std::vector<std::string> terms;  // SEARCH tokens
};

// REQUIRES: state locked for reading; seq <= state.seq().
Plan MakePlan(const nql::Query& q, const State& state, std::uint64_t seq);
nlohmann::json ExplainPlan(const Plan& plan);
// Expired documents met (see Plan::expire_at) are appended to *expired as
// (collection, id) when expired is not null.
std::vector<nlohmann::json> Execute(const Plan& plan, const State& state,
                                    std::vector<std::pair<std::string, std::string>>* expired);

// True if doc has a numeric "_expires_at" <= now.
bool IsExpired(std::string_view doc, double now);

}  // namespace nedb

#endif  // NEDB_QUERY_EXECUTOR_H_
