// SPDX-License-Identifier: Apache-2.0
// ParseJsonText vs nlohmann::json::parse on canonical stored documents.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <string>

#include "util/json_parse.h"

namespace {

using json = nlohmann::json;

std::string SmallDoc() {
  return json::parse(
             R"({"_id":"u123","age":31,"bio":"some words here","name":"Alice","status":"active"})")
      .dump();
}

std::string LargeDoc() {
  json j = {
      {"_id", "u98765"},
      {"name", "Alice Example"},
      {"email", "alice@example.com"},
      {"age", 31},
      {"score", 1234.5678},
      {"active", true},
      {"tags", {"admin", "beta", "caf\u00e9", "ops"}},
      {"address", {{"city", "Springfield"}, {"street", "742 Evergreen Terrace"}, {"zip", "49007"}}},
      {"bio", "Line one\nLine \"two\" with some words about things and stuff, long enough."},
      {"history",
       {{{"at", 1700000000}, {"event", "login"}, {"ok", true}},
        {{"at", 1700000360}, {"event", "view"}, {"ok", true}},
        {{"at", 1700000720}, {"event", "purchase"}, {"amount", 19.99}, {"ok", false}}}},
      {"prefs", {{"lang", "en-US"}, {"theme", "dark"}, {"tz", -5}, {"notify", nullptr}}},
      {"ratio", 0.1},
      {"big", 18446744073709551615ULL},
  };
  std::string s = j.dump();
  while (s.size() < 1000) {
    j["notes"].push_back("note number " + std::to_string(s.size()) + " with a few words in it");
    s = j.dump();
  }
  return s;
}

void BM_Nlohmann(benchmark::State& state, const std::string& doc) {
  for (auto _ : state) {
    json j = json::parse(doc);
    benchmark::DoNotOptimize(j);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * doc.size()));
  state.SetLabel(std::to_string(doc.size()) + " bytes");
}

void BM_Fast(benchmark::State& state, const std::string& doc) {
  for (auto _ : state) {
    json j = nedb::ParseJsonText(doc);
    benchmark::DoNotOptimize(j);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * doc.size()));
  state.SetLabel(std::to_string(doc.size()) + " bytes");
}

const std::string kSmall = SmallDoc();
const std::string kLarge = LargeDoc();

BENCHMARK_CAPTURE(BM_Nlohmann, small, kSmall);
BENCHMARK_CAPTURE(BM_Fast, small, kSmall);
BENCHMARK_CAPTURE(BM_Nlohmann, large, kLarge);
BENCHMARK_CAPTURE(BM_Fast, large, kLarge);

}  // namespace

BENCHMARK_MAIN();
