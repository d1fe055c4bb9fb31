// SPDX-License-Identifier: Apache-2.0
#include "state/expiry_index.h"

#include <charconv>
#include <cstring>
#include <limits>

#include "util/json_text.h"

namespace nedb {

std::optional<double> ExpiresAtOf(std::string_view doc) {
  // Stored documents are canonical JSON, where a member named _expires_at
  // is spelled exactly so (only '"', '\\' and control characters are
  // escaped): most documents have none, and memmem rules that out faster
  // than walking the members (measured: 12% of a replay, bench/RESULTS.md).
  static constexpr std::string_view kKey = "\"_expires_at\"";
  if (::memmem(doc.data(), doc.size(), kKey.data(), kKey.size()) == nullptr) return std::nullopt;
  const ValueView v = LookupMember(doc, "_expires_at");
  if (v.rank != Rank::kNumber) return std::nullopt;
  double at = 0;
  const auto [end, ec] = std::from_chars(v.raw.data(), v.raw.data() + v.raw.size(), at);
  if (ec == std::errc::result_out_of_range) {
    // Past double's range: a huge magnitude, or a tiny one (an exponent "e-").
    const bool tiny =
        v.raw.find("e-") != std::string_view::npos || v.raw.find("E-") != std::string_view::npos;
    if (tiny) return 0.0;
    return v.raw[0] == '-' ? -std::numeric_limits<double>::infinity()
                           : std::numeric_limits<double>::infinity();
  }
  if (ec != std::errc()) return std::nullopt;
  return at;
}

void ExpiryIndex::Set(const Collection* c, std::string_view name, std::uint32_t entry,
                      std::optional<double> at) {
  const auto key = std::make_pair(c, entry);
  auto it = at_.find(key);
  if (it != at_.end()) {
    if (at && *at == it->second) return;
    by_time_.erase(Item{it->second, c, entry});
    if (!at) {
      at_.erase(it);
      return;
    }
    it->second = *at;
  } else {
    if (!at) return;
    at_.emplace(key, *at);
    if (!names_.contains(c)) names_.emplace(c, std::string(name));
  }
  by_time_.insert(Item{*at, c, entry});
}

}  // namespace nedb
