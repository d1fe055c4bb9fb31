// SPDX-License-Identifier: Apache-2.0
#include "util/json_text.h"

#include <cstring>

#include "nedb/errors.h"

namespace nedb {

namespace {

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Hex4(std::string_view s, std::size_t at, std::uint32_t* v) {
  if (at + 4 > s.size()) return false;
  *v = 0;
  for (std::size_t k = at; k < at + 4; ++k) {
    int h = HexVal(s[k]);
    if (h < 0) return false;
    *v = *v << 4 | static_cast<std::uint32_t>(h);
  }
  return true;
}

// Index just past the value starting at i (valid JSON assumed).
std::size_t SkipValue(std::string_view s, std::size_t i) {
  const char c = s[i];
  if (c == '"') {
    // memchr to each quote; it ends the string unless an odd number of
    // backslashes precede it.
    for (++i; i < s.size();) {
      const void* q = std::memchr(s.data() + i, '"', s.size() - i);
      if (q == nullptr) return s.size();
      const std::size_t j = static_cast<std::size_t>(static_cast<const char*>(q) - s.data());
      std::size_t k = j;
      while (k > i && s[k - 1] == '\\') --k;
      if ((j - k) % 2 == 0) return j + 1;
      i = j + 1;
    }
    return s.size();
  }
  if (c == '{' || c == '[') {
    int depth = 0;
    for (; i < s.size(); ++i) {
      char d = s[i];
      if (d == '"') {
        i = SkipValue(s, i) - 1;
      } else if (d == '{' || d == '[') {
        ++depth;
      } else if (d == '}' || d == ']') {
        if (--depth == 0) return i + 1;
      }
    }
    return s.size();
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']') ++i;
  return i;
}

Rank RankOf(char c) {
  switch (c) {
    case 'n': return Rank::kNull;
    case 't':
    case 'f': return Rank::kBool;
    case '"': return Rank::kString;
    case '[': return Rank::kArray;
    case '{': return Rank::kObject;
    default: return Rank::kNumber;
  }
}

}  // namespace

void AppendUtf8(std::uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | cp >> 6));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | cp >> 12));
    out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | cp >> 18));
    out->push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::size_t Utf8SeqLen(std::string_view s) {
  unsigned char c = static_cast<unsigned char>(s[0]);
  std::size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || s.size() < n) return 0;
  std::uint32_t cp = c & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (cc & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

bool UnescapeJsonString(std::string_view s, std::string* out) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (++i >= s.size()) return false;
    switch (s[i]) {
      case '"': out->push_back('"'); break;
      case '\\': out->push_back('\\'); break;
      case '/': out->push_back('/'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'u': {
        std::uint32_t cp;
        if (!Hex4(s, i + 1, &cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::uint32_t lo;
          if (i + 2 >= s.size() || s[i + 1] != '\\' || s[i + 2] != 'u' || !Hex4(s, i + 3, &lo) ||
              lo < 0xDC00 || lo > 0xDFFF) {
            return false;
          }
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          i += 6;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return false;
        }
        AppendUtf8(cp, out);
        break;
      }
      default: return false;
    }
  }
  return true;
}

ValueView LookupMember(std::string_view obj, std::string_view want) {
  if (obj.empty() || obj[0] != '{') return {};
  std::size_t i = 1;
  std::string scratch;
  while (i < obj.size() && obj[i] == '"') {
    const std::size_t key_end = SkipValue(obj, i);  // past the closing quote
    const std::string_view raw_key = obj.substr(i + 1, key_end - i - 2);
    bool match;
    if (raw_key.find('\\') == std::string_view::npos) {
      match = raw_key == want;
      // Canonical documents keep keys sorted: nothing further can match.
      if (!match && raw_key > want) return {};
    } else {
      scratch.clear();
      match = UnescapeJsonString(raw_key, &scratch) && scratch == want;
    }
    const std::size_t v = key_end + 1;  // past ':'
    const std::size_t v_end = SkipValue(obj, v);
    if (match) {
      if (v_end == v) return {};
      const std::string_view raw = obj.substr(v, v_end - v);
      return ValueView{RankOf(raw[0]), raw};
    }
    i = v_end;
    if (i < obj.size() && obj[i] == ',') ++i;
  }
  return {};
}

ValueView LookupField(std::string_view doc, const std::vector<std::string>& path) {
  ValueView v{Rank::kObject, doc};
  for (const std::string& step : path) {
    v = LookupMember(v.raw, step);
    if (v.rank == Rank::kMissing) return {};
  }
  if (v.raw.empty()) return {};
  return ValueView{RankOf(v.raw[0]), v.raw};
}

std::string WithMembers(std::string_view obj, const std::vector<MemberUpdate>& updates) {
  for (std::size_t k = 0; k < updates.size(); ++k) {
    for (const char c : updates[k].key) {
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        throw InvalidArgument("WithMembers: key is not plain ASCII");
      }
    }
    if (k > 0 && !(updates[k - 1].key < updates[k].key)) {
      throw InvalidArgument("WithMembers: keys not sorted and unique");
    }
  }
  if (obj.empty() || obj[0] != '{') throw InvalidArgument("WithMembers: not an object");
  std::string out = "{";
  std::size_t u = 0;
  auto emit = [&out](std::string_view key, std::string_view value, bool quote) {
    if (out.size() > 1) out.push_back(',');
    if (quote)
      out.append("\"").append(key).append("\"");
    else
      out.append(key);
    out.push_back(':');
    out.append(value);
  };
  std::size_t i = 1;
  std::string decoded;
  while (i < obj.size() && obj[i] == '"') {
    const std::size_t key_end = SkipValue(obj, i);
    const std::string_view quoted = obj.substr(i, key_end - i);
    std::string_view key = quoted.substr(1, quoted.size() - 2);
    if (key.find('\\') != std::string_view::npos) {
      decoded.clear();
      if (!UnescapeJsonString(key, &decoded)) throw InvalidArgument("WithMembers: bad key");
      key = decoded;
    }
    const std::size_t v = key_end + 1;
    const std::size_t v_end = SkipValue(obj, v);
    while (u < updates.size() && updates[u].key < key) {
      emit(updates[u].key, updates[u].raw_value, true);
      ++u;
    }
    if (u < updates.size() && updates[u].key == key) {
      emit(updates[u].key, updates[u].raw_value, true);
      ++u;
    } else {
      emit(quoted, obj.substr(v, v_end - v), false);
    }
    i = v_end;
    if (i < obj.size() && obj[i] == ',') ++i;
  }
  for (; u < updates.size(); ++u) emit(updates[u].key, updates[u].raw_value, true);
  out.push_back('}');
  return out;
}

}  // namespace nedb
