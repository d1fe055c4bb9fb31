// SPDX-License-Identifier: Apache-2.0
// Helpers of the Redis layer: Redis's number parsing and glob matching,
// base64, value encoding.
#include <cctype>

#include "db/validate.h"
#include "nedb/env.h"
#include "redis/internal.h"

namespace nedb::redis {

bool ToInt64(std::string_view s, std::int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  if (s.size() == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  std::size_t i = 0;
  const bool neg = s[0] == '-';
  if (neg) i = 1;
  if (i >= s.size() || s[i] < '1' || s[i] > '9') return false;
  std::uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    const std::uint64_t d = static_cast<std::uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (neg) {
    if (v > static_cast<std::uint64_t>(INT64_MAX) + 1) return false;
    *out =
        v == static_cast<std::uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<std::int64_t>(v);
  } else {
    if (v > static_cast<std::uint64_t>(INT64_MAX)) return false;
    *out = static_cast<std::int64_t>(v);
  }
  return true;
}

std::int64_t ParseInt(std::string_view s, const char* error) {
  std::int64_t v;
  if (!ToInt64(s, &v)) Fail(error);
  return v;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

namespace {

unsigned char Fold(unsigned char c, bool nocase) {
  return nocase ? static_cast<unsigned char>(std::tolower(c)) : c;
}

// Redis's stringmatchlen (util.c), iterative over '*' by recursion depth
// bounded with a nesting counter like Redis 7.
bool Match(const unsigned char* p, std::size_t plen, const unsigned char* s, std::size_t slen,
           bool nocase, int nesting, bool* skip_longer) {
  if (nesting > 1000) return false;
  while (plen > 0 && slen > 0) {
    switch (p[0]) {
      case '*':
        while (plen > 1 && p[1] == '*') {
          ++p;
          --plen;
        }
        if (plen == 1) return true;
        while (slen > 0) {
          if (Match(p + 1, plen - 1, s, slen, nocase, nesting + 1, skip_longer)) return true;
          if (*skip_longer) return false;
          ++s;
          --slen;
        }
        *skip_longer = true;
        return false;
      case '?':
        ++s;
        --slen;
        break;
      case '[': {
        ++p;
        --plen;
        const bool negate = plen > 0 && p[0] == '^';
        if (negate) {
          ++p;
          --plen;
        }
        bool match = false;
        for (;;) {
          if (plen == 0) {
            break;
          } else if (p[0] == '\\' && plen >= 2) {
            ++p;
            --plen;
            if (p[0] == s[0]) match = true;
          } else if (p[0] == ']') {
            break;
          } else if (plen >= 3 && p[1] == '-') {
            unsigned char start = Fold(p[0], nocase), end = Fold(p[2], nocase);
            const unsigned char c = Fold(s[0], nocase);
            if (start > end) std::swap(start, end);
            p += 2;
            plen -= 2;
            if (c >= start && c <= end) match = true;
          } else if (Fold(p[0], nocase) == Fold(s[0], nocase)) {
            match = true;
          }
          ++p;
          --plen;
        }
        if (plen == 0) {  // unterminated class: Redis stays on the last char
          ++plen;
          --p;
        }
        if (negate) match = !match;
        if (!match) return false;
        ++s;
        --slen;
        break;
      }
      case '\\':
        if (plen >= 2) {
          ++p;
          --plen;
        }
        [[fallthrough]];
      default:
        if (Fold(p[0], nocase) != Fold(s[0], nocase)) return false;
        ++s;
        --slen;
        break;
    }
    ++p;
    --plen;
    if (slen == 0) {
      while (plen > 0 && *p == '*') {
        ++p;
        --plen;
      }
      break;
    }
  }
  return plen == 0 && slen == 0;
}

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view s, bool nocase) {
  bool skip_longer = false;
  return Match(reinterpret_cast<const unsigned char*>(pattern.data()), pattern.size(),
               reinterpret_cast<const unsigned char*>(s.data()), s.size(), nocase, 0, &skip_longer);
}

std::string Base64Encode(std::string_view in, bool url) {
  const char* abc = url ? kUrlAlphabet : kAlphabet;
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    out += abc[(v >> 6) & 63];
    out += abc[v & 63];
  }
  const std::size_t rest = in.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    if (rest == 2) out += abc[(v >> 6) & 63];
    if (!url) out.append(rest == 2 ? "=" : "==");
  }
  return out;
}

bool Base64Decode(std::string_view in, std::string* out, bool url) {
  const char* abc = url ? kUrlAlphabet : kAlphabet;
  out->clear();
  if (url ? in.size() % 4 == 1 : in.size() % 4 != 0) return false;
  if (!url) {  // at most two '=', only at the end
    std::size_t pad = 0;
    while (pad < 2 && pad < in.size() && in[in.size() - 1 - pad] == '=') ++pad;
    in.remove_suffix(pad);
  }
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::char_traits<char>::find(abc, 64, c);
    if (p == nullptr) return false;
    acc = (acc << 6) | static_cast<unsigned>(p - abc);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

nlohmann::json EncodeValue(std::string_view v) {
  std::int64_t n;
  if (ToInt64(v, &n)) return n;
  if (IsValidUtf8(v)) return std::string(v);
  return nlohmann::json{{"base64", Base64Encode(v)}};
}

std::string DecodeValue(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_object() && v.size() == 1) {
    auto it = v.find("base64");
    std::string out;
    if (it != v.end() && it->is_string() && Base64Decode(it->get_ref<const std::string&>(), &out)) {
      return out;
    }
  }
  return v.dump();
}

const char* TypeName(KeyType t) {
  switch (t) {
    case KeyType::kString: return "string";
    case KeyType::kHash: return "hash";
    case KeyType::kSet: return "set";
    case KeyType::kList: return "list";
    case KeyType::kNone: break;
  }
  return "none";
}

}  // namespace nedb::redis
