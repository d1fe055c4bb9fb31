// SPDX-License-Identifier: Apache-2.0
// Differential tests: ParseJsonText against nlohmann::json::parse on random
// valid and broken JSON text -- same values, same node types, same dump(),
// and the same exceptions.
#include "util/json_parse.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace nedb {
namespace {

using json = nlohmann::json;

// Empty if a and b have the same shape and node types (and identical doubles,
// bit for bit), else where they differ.
std::string TypeDiff(const json& a, const json& b, const std::string& where = "$") {
  if (a.type() != b.type()) {
    return where + ": " + std::string(a.type_name()) + " vs " + b.type_name() + " (" +
           std::to_string(static_cast<int>(a.type())) + " vs " +
           std::to_string(static_cast<int>(b.type())) + ")";
  }
  switch (a.type()) {
    case json::value_t::object: {
      if (a.size() != b.size()) return where + ": object sizes";
      auto ia = a.begin();
      auto ib = b.begin();
      for (; ia != a.end(); ++ia, ++ib) {
        if (ia.key() != ib.key()) return where + ": keys " + ia.key() + " vs " + ib.key();
        std::string d = TypeDiff(*ia, *ib, where + "." + ia.key());
        if (!d.empty()) return d;
      }
      return "";
    }
    case json::value_t::array: {
      if (a.size() != b.size()) return where + ": array sizes";
      for (std::size_t i = 0; i < a.size(); ++i) {
        std::string d = TypeDiff(a[i], b[i], where + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
      }
      return "";
    }
    case json::value_t::number_float:
      if (std::bit_cast<std::uint64_t>(a.get<double>()) !=
          std::bit_cast<std::uint64_t>(b.get<double>())) {
        return where + ": doubles " + a.dump() + " vs " + b.dump();
      }
      return "";
    default: return a == b ? "" : where + ": values " + a.dump() + " vs " + b.dump();
  }
}

// Parses text both ways and checks the outcomes agree.
void CheckSame(const std::string& text) {
  SCOPED_TRACE(::testing::Message()
               << "text: " << json(text).dump(-1, ' ', false, json::error_handler_t::replace));
  json expected;
  std::string expected_error;
  try {
    expected = json::parse(text);
  } catch (const json::exception& e) {
    expected_error = e.what();
  }
  json got;
  std::string got_error;
  try {
    got = ParseJsonText(text);
  } catch (const json::exception& e) {
    got_error = e.what();
  }
  ASSERT_EQ(got_error, expected_error);
  if (!expected_error.empty()) return;
  ASSERT_EQ(TypeDiff(got, expected), "");
  ASSERT_EQ(got, expected);
  ASSERT_EQ(got.dump(), expected.dump());
}

const char* const kNumbers[] = {
    "0",
    "-0",
    "1",
    "-1",
    "7",
    "42",
    "-42",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775807",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999",
    "-99999999999999999999",
    "1000000000000000000",
    "9999999999999999999",
    "10000000000000000000",
    "123456789012345678901234567890",
    "0.1",
    "-0.1",
    "0.0",
    "-0.0",
    "1.5",
    "1e308",
    "1.7976931348623157e308",
    "1.7976931348623158e308",
    "1e309",
    "-1e400",
    "5e-324",
    "4.9406564584124654e-324",
    "2e-324",
    "3e-324",
    "1e-400",
    "2.2250738585072014e-308",
    "2.2250738585072011e-308",
    "1E+2",
    "1e-2",
    "1E2",
    "0e0",
    "-0E-0",
    "0.30000000000000004",
    "3.141592653589793",
    "123456789.123456789e-5",
    "9007199254740993",
    "9007199254740993.0",
    "0.000000000000000000000000000001",
    "1.00000000000000011102230246251565404236316680908203125",
    "1.00000000000000011102230246251565404236316680908203124",
};

class Gen {
 public:
  explicit Gen(std::uint32_t seed) : rng_(seed) {}

  int Int(int n) { return static_cast<int>(rng_() % static_cast<std::uint32_t>(n)); }
  bool Coin(int one_in) { return Int(one_in) == 0; }

  void Ws(std::string* out) {
    if (!noisy_ || !Coin(4)) return;
    static const char kWs[] = {' ', '\t', '\n', '\r'};
    int n = 1 + Int(3);
    for (int i = 0; i < n; ++i) out->push_back(kWs[Int(4)]);
  }

  void Utf8(std::uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  std::uint32_t CodePoint() {
    switch (Int(6)) {
      case 0: return 0x80 + static_cast<std::uint32_t>(Int(0x780));
      case 1: return 0x800 + static_cast<std::uint32_t>(Int(0xD000));  // below surrogates
      case 2: return 0xE000 + static_cast<std::uint32_t>(Int(0x2000));
      case 3: return 0x10000 + static_cast<std::uint32_t>(Int(0x100000));
      case 4: return 0x20 + static_cast<std::uint32_t>(Int(0x60));
      default: return static_cast<std::uint32_t>(Int(0x20));  // control: escape it
    }
  }

  void Hex4(std::uint32_t v, std::string* out) {
    const char* digits = Coin(2) ? "0123456789abcdef" : "0123456789ABCDEF";
    out->append("\\u");
    for (int s = 12; s >= 0; s -= 4) out->push_back(digits[(v >> s) & 0xF]);
  }

  void String(std::string* out) {
    out->push_back('"');
    int n = Coin(3) ? Int(40) : Int(6);
    for (int i = 0; i < n; ++i) {
      switch (Int(10)) {
        case 0: {
          static const char* const kEsc[] = {"\\\"", "\\\\", "\\/", "\\b",
                                             "\\f",  "\\n",  "\\r", "\\t"};
          out->append(kEsc[Int(8)]);
          break;
        }
        case 1: {
          std::uint32_t cp = CodePoint();
          if (cp >= 0x10000) {
            cp -= 0x10000;
            Hex4(0xD800 + (cp >> 10), out);
            Hex4(0xDC00 + (cp & 0x3FF), out);
          } else {
            Hex4(cp, out);
          }
          break;
        }
        case 2: {
          std::uint32_t cp = CodePoint();
          if (cp < 0x20) {
            Hex4(cp, out);
          } else {
            Utf8(cp, out);
          }
          break;
        }
        default: {
          static const char kPlain[] = "abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789_-.:,{}[]'~\x7f";
          out->push_back(kPlain[Int(sizeof(kPlain) - 1)]);
        }
      }
    }
    out->push_back('"');
  }

  void Number(std::string* out) {
    switch (Int(6)) {
      case 0: out->append(kNumbers[Int(std::size(kNumbers))]); break;
      case 1: out->append(std::to_string(static_cast<std::int64_t>(Rand64()))); break;
      case 2: out->append(std::to_string(Rand64() >> Int(64))); break;
      case 3: {
        double d;
        do {
          d = std::bit_cast<double>(Rand64());
        } while (!std::isfinite(d));
        out->append(json(d).dump());
        break;
      }
      case 4: out->append(json(static_cast<double>(Int(2000000) - 1000000) / 1000).dump()); break;
      default: {
        if (Coin(3)) out->push_back('-');
        int n = 1 + Int(25);
        out->push_back(static_cast<char>('1' + Int(9)));
        for (int i = 1; i < n; ++i) out->push_back(static_cast<char>('0' + Int(10)));
        if (Coin(2)) {
          out->push_back('.');
          int m = 1 + Int(20);
          for (int i = 0; i < m; ++i) out->push_back(static_cast<char>('0' + Int(10)));
        }
        if (Coin(2)) {
          out->push_back("eE"[Int(2)]);
          if (Coin(2)) out->push_back("+-"[Int(2)]);
          out->append(std::to_string(Int(Coin(4) ? 400 : 30)));
        }
      }
    }
  }

  void Value(int depth, std::string* out) {
    int kind = Int(depth >= 6 ? 6 : 9);
    switch (kind) {
      case 0: out->append("null"); break;
      case 1: out->append("true"); break;
      case 2: out->append("false"); break;
      case 3:
      case 4: Number(out); break;
      case 5: String(out); break;
      case 6:
      case 7: {
        out->push_back('{');
        Ws(out);
        int n = Int(7);
        std::vector<std::string> keys;
        for (int i = 0; i < n; ++i) {
          std::string k;
          if (!keys.empty() && Coin(8)) {
            k = keys[static_cast<std::size_t>(Int(static_cast<int>(keys.size())))];  // repeat
          } else if (Coin(2)) {
            k = "\"";
            k.push_back(static_cast<char>('a' + Int(26)));
            if (Coin(2)) k.push_back(static_cast<char>('a' + Int(26)));
            k.push_back('"');
          } else {
            String(&k);
          }
          keys.push_back(k);
        }
        if (!noisy_) std::sort(keys.begin(), keys.end());
        for (int i = 0; i < n; ++i) {
          if (i > 0) {
            out->push_back(',');
            Ws(out);
          }
          out->append(keys[static_cast<std::size_t>(i)]);
          Ws(out);
          out->push_back(':');
          Ws(out);
          Value(depth + 1, out);
          Ws(out);
        }
        out->push_back('}');
        break;
      }
      default: {
        out->push_back('[');
        Ws(out);
        int n = Int(6);
        for (int i = 0; i < n; ++i) {
          if (i > 0) {
            out->push_back(',');
            Ws(out);
          }
          Value(depth + 1, out);
          Ws(out);
        }
        out->push_back(']');
      }
    }
  }

  std::string Document(bool noisy) {
    noisy_ = noisy;
    std::string out;
    Ws(&out);
    Value(Coin(3) ? 0 : 6 - Int(3), &out);
    Ws(&out);
    return out;
  }

  std::string Mutate(std::string s) {
    int n = 1 + Int(3);
    for (int i = 0; i < n; ++i) {
      std::size_t at = s.empty() ? 0 : static_cast<std::size_t>(Int(static_cast<int>(s.size())));
      static const char kBytes[] = "{}[]\",:\\u0-+.eE tfn\x80\xff\xc3\xed\xf4\x01";
      char b = kBytes[Int(sizeof(kBytes) - 1)];
      switch (Int(4)) {
        case 0:
          if (!s.empty()) s.erase(at, 1);
          break;
        case 1: s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), b); break;
        case 2:
          if (!s.empty()) s[at] = b;
          break;
        default: s.resize(at);
      }
    }
    return s;
  }

  std::uint64_t Rand64() { return (static_cast<std::uint64_t>(rng_()) << 32) | rng_(); }

 private:
  std::mt19937 rng_;
  bool noisy_ = false;
};

TEST(JsonParseTest, StoredDocuments) {
  CheckSame(R"({"_id":"u123","age":31,"bio":"some words here","name":"Alice","status":"active"})");
  CheckSame(R"({"a":[1,2.5,-3,true,false,null,{"b":"\u00e9\ud83d\ude00\n"}],"c":{}})");
  CheckSame(R"([])");
  CheckSame(R"({})");
  CheckSame(R"("")");
  CheckSame("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

TEST(JsonParseTest, Numbers) {
  for (const char* n : kNumbers) {
    CheckSame(n);
    CheckSame(std::string("[") + n + "]");
    CheckSame(std::string("{\"x\":") + n + "}");
    CheckSame(std::string(" ") + n + "\n");
  }
  // Integer types: nlohmann makes every non-negative integer unsigned.
  EXPECT_TRUE(ParseJsonText("0").is_number_unsigned());
  EXPECT_TRUE(ParseJsonText("-0").is_number_integer() && !ParseJsonText("-0").is_number_unsigned());
  EXPECT_TRUE(ParseJsonText("-1").is_number_integer());
  EXPECT_TRUE(ParseJsonText("18446744073709551615").is_number_unsigned());
  EXPECT_TRUE(ParseJsonText("18446744073709551616").is_number_float());
  EXPECT_TRUE(ParseJsonText("-9223372036854775808").is_number_integer());
  EXPECT_TRUE(ParseJsonText("-9223372036854775809").is_number_float());
  EXPECT_EQ(ParseJsonText("-0.0").dump(), "-0.0");
}

TEST(JsonParseTest, DuplicateKeysLastWins) {
  CheckSame(R"({"a":1,"a":2})");
  CheckSame(R"({"b":1,"a":[1],"b":{"c":2},"a":"x"})");
  EXPECT_EQ(ParseJsonText(R"({"a":1,"a":{"z":2}})").dump(), R"({"a":{"z":2}})");
}

TEST(JsonParseTest, Unusual) {
  CheckSame(std::string(200, '[') + std::string(200, ']'));  // deeper than the fast path
  CheckSame(std::string(128, '[') + std::string(128, ']'));
  CheckSame(std::string(129, '[') + std::string(129, ']'));
  std::string deep_obj;
  for (int i = 0; i < 150; ++i) deep_obj += "{\"k\":";
  deep_obj += "1" + std::string(150, '}');
  CheckSame(deep_obj);
  CheckSame("\xef\xbb\xbf{\"a\":1}");     // BOM
  CheckSame(std::string("[1]\0xyz", 7));  // nlohmann stops at NUL
  CheckSame(std::string("\"a\0b\"", 5));  // raw NUL in a string
  CheckSame("\"\\u0000\"");               // escaped NUL
  CheckSame(" \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } } \n");
}

TEST(JsonParseTest, InvalidInputsThrow) {
  const char* const kBad[] = {
      "",
      " ",
      "{",
      "}",
      "[",
      "]",
      "[1,]",
      "{\"a\":1,}",
      "{\"a\"}",
      "{\"a\":}",
      "{a:1}",
      "{'a':1}",
      "01",
      "-",
      "+1",
      "1.",
      ".5",
      "1e",
      "1e+",
      "--1",
      "0x10",
      "NaN",
      "Infinity",
      "-Infinity",
      "tru",
      "truee",
      "nul",
      "fals",
      "[1 2]",
      "{\"a\":1 \"b\":2}",
      "\"abc",
      "\"\\x\"",
      "\"\\u12\"",
      "\"\\ud800\"",
      "\"\\udc00\"",
      "\"\\ud800\\u0041\"",
      "\"\\ud800x\"",
      "\"\x01\"",
      "\"\n\"",
      "\"\x80\"",
      "\"\xc0\xaf\"",
      "\"\xed\xa0\x80\"",
      "\"\xf4\x90\x80\x80\"",
      "\"\xe2\x82\"",
      "1 2",
      "1e400",
      "-1e400",
      "[1e309]",
      "{}{}",
      "[]]",
      "//c\n1",
      "\xef\xbb",
      "\xef\xbb\xbf",
  };
  for (const char* bad : kBad) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(ParseJsonText(bad), json::exception);
    CheckSame(bad);
  }
}

TEST(JsonParseTest, RandomCanonicalDocuments) {
  Gen gen(12345);
  for (int i = 0; i < 20000; ++i) {
    std::string text = gen.Document(false);
    CheckSame(text);
    json j;
    try {
      j = json::parse(text);
    } catch (const json::exception&) {
      continue;  // e.g. a number that overflows
    }
    CheckSame(j.dump());  // the exact stored form
    if (HasFailure()) return;
  }
}

TEST(JsonParseTest, RandomNoisyDocuments) {
  Gen gen(777);
  for (int i = 0; i < 20000; ++i) {
    CheckSame(gen.Document(true));
    if (HasFailure()) return;
  }
}

TEST(JsonParseTest, RandomBrokenDocuments) {
  Gen gen(4242);
  for (int i = 0; i < 30000; ++i) {
    CheckSame(gen.Mutate(gen.Document(i % 2 == 0)));
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace nedb
