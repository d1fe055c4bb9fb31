// SPDX-License-Identifier: Apache-2.0
// Key expiry times (docs/RESP.md, "TTL"): whole milliseconds since the
// epoch, as Redis keeps them. A document carries the engine's
// "_expires_at" (seconds, a double: what NEDB's lazy expiry and sweep()
// read) and "_expires_at_ms", the exact integer the double was made from.
// The integer counts only while it still agrees with "_expires_at"
// (another writer, e.g. NEDB::expire() over HTTP, changes only the double);
// otherwise, and for documents written before it existed, the time is the
// double rounded to milliseconds.
#include <charconv>
#include <cmath>

#include "nedb/env.h"
#include "redis/internal.h"
#include "util/json_text.h"

namespace nedb::redis {

namespace {

constexpr const char* kAt = "_expires_at";
constexpr const char* kAtMs = "_expires_at_ms";

double SecondsOf(std::int64_t ms) { return static_cast<double>(ms) / 1000.0; }

std::int64_t RoundToMs(double at) {
  const double ms = std::nearbyint(at * 1000.0);
  if (!(ms < 9223372036854775807.0)) return INT64_MAX;
  if (!(ms > -9223372036854775807.0)) return INT64_MIN;
  return static_cast<std::int64_t>(ms);
}

std::optional<std::int64_t> Resolve(std::optional<double> at, std::optional<std::int64_t> ms) {
  if (!at) return std::nullopt;
  if (ms && SecondsOf(*ms) == *at) return ms;
  return RoundToMs(*at);
}

template <typename T>
std::optional<T> NumberOf(std::string_view raw) {
  T v{};
  const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (ec != std::errc() || end != raw.data() + raw.size()) return std::nullopt;
  return v;
}

}  // namespace

std::int64_t NowMillis() { return Env::Default()->NowMicros() / 1000; }

std::optional<std::int64_t> ExpiresAtMs(const nlohmann::json& doc) {
  std::optional<double> at;
  std::optional<std::int64_t> ms;
  if (auto it = doc.find(kAt); it != doc.end() && it->is_number()) at = it->get<double>();
  if (auto it = doc.find(kAtMs); it != doc.end()) {
    if (it->is_number_unsigned()) {
      if (it->get<std::uint64_t>() <= INT64_MAX) ms = it->get<std::int64_t>();
    } else if (it->is_number_integer()) {
      ms = it->get<std::int64_t>();
    }
  }
  return Resolve(at, ms);
}

std::optional<std::int64_t> ExpiresAtMsOfText(std::string_view text) {
  const ValueView at = LookupMember(text, kAt);
  if (at.rank != Rank::kNumber) return std::nullopt;
  const ValueView ms = LookupMember(text, kAtMs);
  return Resolve(NumberOf<double>(at.raw),
                 ms.rank == Rank::kNumber ? NumberOf<std::int64_t>(ms.raw) : std::nullopt);
}

void SetExpiresAtMs(nlohmann::json& doc, std::int64_t ms) {
  doc[kAt] = SecondsOf(ms);
  doc[kAtMs] = ms;
}

bool ClearExpiry(nlohmann::json& doc) {
  const bool had = doc.erase(kAt) > 0;
  doc.erase(kAtMs);
  return had;
}

void AppendExpiryMembers(std::int64_t ms, std::string* out) {
  out->append("\"_expires_at\":").append(nlohmann::json(SecondsOf(ms)).dump());
  out->append(",\"_expires_at_ms\":").append(std::to_string(ms)).append(",");
}

void AppendKeptExpiryMembers(std::string_view text, std::string* out) {
  for (const char* name : {kAt, kAtMs}) {
    const ValueView v = LookupMember(text, name);
    if (v.rank != Rank::kMissing) {
      out->append("\"").append(name).append("\":").append(v.raw).append(",");
    }
  }
}

std::int64_t ExpireArgMs(std::string_view arg, bool seconds, bool relative, const char* cmd) {
  std::int64_t ms = ParseInt(arg);
  const auto invalid = [cmd] {
    Fail(std::string("ERR invalid expire time in '") + cmd + "' command");
  };
  if (ms <= 0 || (seconds && ms > INT64_MAX / 1000)) invalid();
  if (seconds) ms *= 1000;
  if (relative) {
    const std::int64_t now = NowMillis();
    if (ms > INT64_MAX - now) invalid();
    ms += now;
  }
  return ms;
}

}  // namespace nedb::redis
