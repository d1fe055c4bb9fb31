// SPDX-License-Identifier: Apache-2.0
// Fast path: a recursive-descent parser over the raw bytes that builds the
// nlohmann::json tree in place (object members are emplaced at the end of the
// std::map, which is O(1) for the sorted keys of canonical text; values are
// parsed straight into the new node). Whatever it does not handle -- errors,
// a BOM, lone surrogates, float overflow/underflow, nesting deeper than
// kMaxDepth -- makes it give up, and nlohmann::json::parse redoes the text, so
// the results and the exceptions are exactly nlohmann's.
#include "util/json_parse.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>

#include "util/json_text.h"

namespace nedb {
namespace {

using json = nlohmann::json;

constexpr int kMaxDepth = 128;

static_assert(std::endian::native == std::endian::little, "SpecialBytes assumes little-endian");

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

// Nonzero iff one of the 8 bytes of w is '"', '\\', < 0x20 or >= 0x80.
inline std::uint64_t SpecialBytes(std::uint64_t w) {
  std::uint64_t quote = w ^ (kOnes * '"');
  std::uint64_t slash = w ^ (kOnes * '\\');
  std::uint64_t r = (quote - kOnes) & ~quote;  // zero byte of quote
  r |= (slash - kOnes) & ~slash;               // zero byte of slash
  r |= (w - kOnes * 0x20) & ~w;                // byte < 0x20 (or borrow chains)
  r |= w;                                      // byte >= 0x80
  return r & kHighs;
}

inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class FastParser {
 public:
  FastParser(const char* begin, const char* end) : p_(begin), end_(end) {}

  // True if the whole text was a valid JSON value, parsed into *out.
  bool ParseDocument(json& out) {
    SkipWhitespace();
    if (p_ == end_ || !Value(out)) return false;
    SkipWhitespace();
    return p_ == end_;
  }

 private:
  void SkipWhitespace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // Expects p_ < end_.
  bool Value(json& out) {
    switch (*p_) {
      case '{': return Object(out);
      case '[': return Array(out);
      case '"': {
        std::string_view s;
        if (!String(&s)) return false;
        out = json(s);
        return true;
      }
      case 't': return Literal("true", 4, json(true), out);
      case 'f': return Literal("false", 5, json(false), out);
      case 'n': return Literal("null", 4, json(nullptr), out);
      default: return Number(out);
    }
  }

  bool Literal(const char* word, std::size_t n, json value, json& out) {
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    out = std::move(value);
    return true;
  }

  bool Object(json& out) {
    if (++depth_ > kMaxDepth) return false;
    ++p_;  // '{'
    out = json(json::value_t::object);
    json::object_t& obj = out.get_ref<json::object_t&>();
    SkipWhitespace();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      --depth_;
      return true;
    }
    while (true) {
      if (p_ == end_ || *p_ != '"') return false;
      std::string_view key;
      if (!String(&key)) return false;
      SkipWhitespace();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      SkipWhitespace();
      if (p_ == end_) return false;
      // Canonical keys arrive sorted, so the end is the right hint. A repeated
      // key finds the existing member, which the new value replaces (as in
      // nlohmann's parser: the last one wins).
      auto it =
          obj.emplace_hint(obj.end(), std::piecewise_construct,
                           std::forward_as_tuple(key.data(), key.size()), std::forward_as_tuple());
      if (!Value(it->second)) return false;
      SkipWhitespace();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        SkipWhitespace();
        continue;
      }
      if (*p_ != '}') return false;
      ++p_;
      --depth_;
      return true;
    }
  }

  bool Array(json& out) {
    if (++depth_ > kMaxDepth) return false;
    ++p_;  // '['
    out = json(json::value_t::array);
    json::array_t& arr = out.get_ref<json::array_t&>();
    SkipWhitespace();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      --depth_;
      return true;
    }
    while (true) {
      if (p_ == end_) return false;
      if (!Value(arr.emplace_back())) return false;
      SkipWhitespace();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        SkipWhitespace();
        continue;
      }
      if (*p_ != ']') return false;
      ++p_;
      --depth_;
      return true;
    }
  }

  // p_ at the opening quote. On success *s is the decoded string: a view of
  // the text when it has no escapes, else of scratch_ (valid until the next
  // String call).
  bool String(std::string_view* s) {
    const char* start = ++p_;
    while (true) {
      // Skip to the first '"', '\\', control or non-ASCII byte, 8 at a time.
      // The lowest flagged byte of SpecialBytes is always a real one; a short
      // tail is padded with zero bytes, which are flagged.
      while (true) {
        std::uint64_t w = 0;
        std::size_t avail = static_cast<std::size_t>(end_ - p_);
        if (avail >= 8) [[likely]] {
          std::memcpy(&w, p_, 8);
        } else {
          std::memcpy(&w, p_, avail);
        }
        std::uint64_t special = SpecialBytes(w);
        if (special != 0) {
          std::size_t skip = static_cast<std::size_t>(std::countr_zero(special)) / 8;
          p_ += skip < avail ? skip : avail;
          break;
        }
        p_ += 8;
      }
      if (p_ == end_) return false;
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        *s = std::string_view(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\') {
        scratch_.assign(start, p_);
        if (!EscapedRest()) return false;
        *s = scratch_;
        return true;
      }
      if (c < 0x20 || !Utf8Sequence()) return false;
    }
  }

  // p_ at a byte >= 0x80: checks one UTF-8 sequence (no overlongs,
  // surrogates or code points above U+10FFFF, as nlohmann) and skips it.
  bool Utf8Sequence() {
    const std::size_t n = Utf8SeqLen(std::string_view(p_, static_cast<std::size_t>(end_ - p_)));
    p_ += n;
    return n != 0;
  }

  // p_ at the first backslash of a string whose earlier bytes are in
  // scratch_: decodes the rest into scratch_, through the closing quote.
  bool EscapedRest() {
    while (true) {
      if (p_ == end_) return false;
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c == '\\') {
        if (end_ - p_ < 2) return false;
        char e = p_[1];
        p_ += 2;
        switch (e) {
          case '"': scratch_.push_back('"'); break;
          case '\\': scratch_.push_back('\\'); break;
          case '/': scratch_.push_back('/'); break;
          case 'b': scratch_.push_back('\b'); break;
          case 'f': scratch_.push_back('\f'); break;
          case 'n': scratch_.push_back('\n'); break;
          case 'r': scratch_.push_back('\r'); break;
          case 't': scratch_.push_back('\t'); break;
          case 'u': {
            std::uint32_t cp;
            if (!Hex4(&cp)) return false;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // lone low surrogate
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              std::uint32_t low;
              if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
              p_ += 2;
              if (!Hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            AppendUtf8(cp, &scratch_);
            break;
          }
          default: return false;
        }
        continue;
      }
      if (c < 0x20) return false;
      const char* from = p_;
      if (c >= 0x80) {
        if (!Utf8Sequence()) return false;
      } else {
        ++p_;
      }
      scratch_.append(from, p_);
    }
  }

  bool Hex4(std::uint32_t* cp) {
    if (end_ - p_ < 4) return false;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = HexValue(p_[i]);
      if (h < 0) return false;
      v = (v << 4) | static_cast<std::uint32_t>(h);
    }
    p_ += 4;
    *cp = v;
    return true;
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  // RFC 8259 number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool Number(json& out) {
    const char* start = p_;
    bool negative = false;
    if (*p_ == '-') {
      negative = true;
      if (++p_ == end_) return false;
    }
    const char* digits = p_;
    std::uint64_t v = 0;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ != end_ && IsDigit(*p_)) {
        v = v * 10 + static_cast<std::uint64_t>(*p_ - '0');  // wraps past 19 digits
        ++p_;
      }
    } else {
      return false;
    }
    std::size_t ndigits = static_cast<std::size_t>(p_ - digits);
    bool is_float = false;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return false;
      while (p_ != end_ && IsDigit(*p_)) ++p_;
      is_float = true;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return false;
      while (p_ != end_ && IsDigit(*p_)) ++p_;
      is_float = true;
    }
    if (!is_float) {
      // nlohmann: non-negative integers are unsigned, negative ones signed,
      // and those that do not fit become doubles.
      if (ndigits <= 19) {  // no wrap-around: 10^19 - 1 < 2^64
        if (!negative) {
          out = static_cast<std::uint64_t>(v);
          return true;
        }
        if (v <= (std::uint64_t{1} << 63)) {
          out = static_cast<std::int64_t>(0 - v);  // modular: -2^63 fits
          return true;
        }
      } else if (!negative && ndigits == 20) {
        std::uint64_t u;
        auto [ptr, ec] = std::from_chars(digits, p_, u);
        if (ec == std::errc() && ptr == p_) {
          out = u;
          return true;
        }
      }
    }
    double d;
    auto [ptr, ec] = std::from_chars(start, p_, d);
    // Overflow is nlohmann's error and underflow its business: let it decide.
    if (ec != std::errc() || ptr != p_ || !std::isfinite(d)) return false;
    out = d;
    return true;
  }

  const char* p_;
  const char* end_;
  int depth_ = 0;
  std::string scratch_;
};

}  // namespace

nlohmann::json ParseJsonText(std::string_view text) {
  json out;
  FastParser parser(text.data(), text.data() + text.size());
  if (parser.ParseDocument(out)) return out;
  return json::parse(text);
}

}  // namespace nedb
