// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: ParseJsonText must agree with nlohmann::json::parse on
// every input -- both throw the same error, or both return equal values with
// the same node types (doubles bit for bit) and the same dump(); and
// IsCanonicalJsonObject accepts exactly the texts that are dump() of an object.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "util/canonical_json.h"
#include "util/json_parse.h"

namespace {

using json = nlohmann::json;

[[noreturn]] void Die(const char* what, const std::string& a, const std::string& b) {
  std::fprintf(stderr, "json_parse_fuzz: %s\n  fast:     %s\n  nlohmann: %s\n", what, a.c_str(),
               b.c_str());
  std::abort();
}

bool SameTypes(const json& a, const json& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::value_t::object: {
      if (a.size() != b.size()) return false;
      for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
        if (ia.key() != ib.key() || !SameTypes(*ia, *ib)) return false;
      }
      return true;
    }
    case json::value_t::array: {
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!SameTypes(a[i], b[i])) return false;
      }
      return true;
    }
    case json::value_t::number_float:
      return std::bit_cast<std::uint64_t>(a.get<double>()) ==
             std::bit_cast<std::uint64_t>(b.get<double>());
    default: return a == b;
  }
}

// Nesting depth of arrays and objects (a scalar is 0).
int Depth(const json& j) {
  if (!j.is_structured()) return 0;
  int d = 0;
  for (const auto& v : j) d = std::max(d, Depth(v));
  return d + 1;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', true, json::error_handler_t::replace); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  json expected;
  std::string expected_error;
  bool expected_ok = true;
  try {
    expected = json::parse(text);
  } catch (const json::exception& e) {
    expected_ok = false;
    expected_error = e.what();
  }
  json got;
  std::string got_error;
  bool got_ok = true;
  try {
    got = nedb::ParseJsonText(text);
  } catch (const json::exception& e) {
    got_ok = false;
    got_error = e.what();
  }
  if (got_ok != expected_ok || got_error != expected_error) {
    Die("outcomes differ", got_ok ? Dump(got) : got_error,
        expected_ok ? Dump(expected) : expected_error);
  }
  // IsCanonicalJsonObject(text) iff text is dump() of the object it parses to.
  const bool canonical = expected_ok && expected.is_object() &&
                         Depth(expected) <= nedb::kMaxCanonicalDepth && expected.dump() == text;
  std::string why;
  if (nedb::IsCanonicalJsonObject(text, &why) != canonical) {
    Die("canonical check differs", canonical ? "not canonical: " + why : "canonical",
        canonical ? "canonical" : "not canonical");
  }
  if (!got_ok) return 0;
  if (got != expected) Die("values differ", Dump(got), Dump(expected));
  if (!SameTypes(got, expected)) Die("types differ", Dump(got), Dump(expected));
  if (got.dump() != expected.dump()) Die("dumps differ", Dump(got), Dump(expected));
  return 0;
}
