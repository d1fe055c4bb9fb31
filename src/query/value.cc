// SPDX-License-Identifier: Apache-2.0
#include "query/value.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace nedb {

namespace {

int Sign(long double x) { return x < 0 ? -1 : (x > 0 ? 1 : 0); }

// Parses a JSON number's text.
void ParseNumber(std::string_view t, Scalar* out) {
  out->rank = Rank::kNumber;
  const bool integral = t.find_first_of(".eE") == std::string_view::npos;
  if (integral) {
    long long v;
    auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (r.ec == std::errc() && r.ptr == t.data() + t.size()) {
      out->is_int = true;
      out->i = v;
      return;
    }
    unsigned long long u;
    r = std::from_chars(t.data(), t.data() + t.size(), u);
    if (r.ec == std::errc() && r.ptr == t.data() + t.size()) {
      out->is_int = true;
      out->i = u;
      return;
    }
  }
  double d = 0;
  std::from_chars(t.data(), t.data() + t.size(), d);
  out->is_int = false;
  out->d = d;
}

int CompareNumbers(const Scalar& a, const Scalar& b) {
  if (a.is_int && b.is_int) return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  // long double holds every int64/uint64 exactly on x86-64.
  long double x = a.is_int ? static_cast<long double>(a.i) : a.d;
  long double y = b.is_int ? static_cast<long double>(b.i) : b.d;
  return Sign(x - y);
}

int CompareBytes(std::string_view a, std::string_view b) {
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

Scalar Scalar::FromView(const ValueView& v) {
  Scalar s;
  s.rank = v.rank;
  switch (v.rank) {
    case Rank::kMissing:
    case Rank::kNull: break;
    case Rank::kBool: s.b = v.raw[0] == 't'; break;
    case Rank::kNumber: ParseNumber(v.raw, &s); break;
    case Rank::kString: UnescapeJsonString(v.raw.substr(1, v.raw.size() - 2), &s.s); break;
    case Rank::kArray:
    case Rank::kObject: s.s.assign(v.raw); break;
  }
  return s;
}

Scalar Scalar::FromJson(const nlohmann::json& j) {
  Scalar s;
  switch (j.type()) {
    case nlohmann::json::value_t::null: s.rank = Rank::kNull; break;
    case nlohmann::json::value_t::boolean:
      s.rank = Rank::kBool;
      s.b = j.get<bool>();
      break;
    case nlohmann::json::value_t::number_integer:
      s.rank = Rank::kNumber;
      s.is_int = true;
      s.i = j.get<std::int64_t>();
      break;
    case nlohmann::json::value_t::number_unsigned:
      s.rank = Rank::kNumber;
      s.is_int = true;
      s.i = j.get<std::uint64_t>();
      break;
    case nlohmann::json::value_t::number_float:
      s.rank = Rank::kNumber;
      s.d = j.get<double>();
      break;
    case nlohmann::json::value_t::string:
      s.rank = Rank::kString;
      s.s = j.get<std::string>();
      break;
    case nlohmann::json::value_t::array:
      s.rank = Rank::kArray;
      s.s = j.dump();
      break;
    case nlohmann::json::value_t::object:
      s.rank = Rank::kObject;
      s.s = j.dump();
      break;
    default: s.rank = Rank::kNull; break;  // binary/discarded: not produced by NEDB
  }
  return s;
}

nlohmann::json Scalar::ToJson() const {
  switch (rank) {
    case Rank::kMissing:
    case Rank::kNull: return nullptr;
    case Rank::kBool: return b;
    case Rank::kNumber:
      if (!is_int) return d;
      if (i < 0) return static_cast<std::int64_t>(i);
      return static_cast<std::uint64_t>(i);
    case Rank::kString: return s;
    case Rank::kArray:
    case Rank::kObject: return nlohmann::json::parse(s);
  }
  return nullptr;
}

int Compare(const Scalar& a, const Scalar& b) {
  if (a.rank != b.rank) return a.rank < b.rank ? -1 : 1;
  switch (a.rank) {
    case Rank::kMissing:
    case Rank::kNull: return 0;
    case Rank::kBool: return a.b == b.b ? 0 : (a.b ? 1 : -1);
    case Rank::kNumber: return CompareNumbers(a, b);
    default: return CompareBytes(a.s, b.s);
  }
}

int CompareView(const ValueView& v, const Scalar& c) {
  if (v.rank != c.rank) return v.rank < c.rank ? -1 : 1;
  if (v.rank == Rank::kString) {
    std::string_view body = v.raw.substr(1, v.raw.size() - 2);
    if (body.find('\\') == std::string_view::npos) return CompareBytes(body, c.s);
  } else if (v.rank == Rank::kNumber) {
    Scalar n;
    ParseNumber(v.raw, &n);
    return CompareNumbers(n, c);
  } else if (v.rank == Rank::kBool) {
    bool b = v.raw[0] == 't';
    return b == c.b ? 0 : (b ? 1 : -1);
  } else if (v.rank == Rank::kNull || v.rank == Rank::kMissing) {
    return 0;
  }
  return Compare(Scalar::FromView(v), c);
}

std::string EqKey(const Scalar& s) {
  std::string k(1, static_cast<char>('0' + static_cast<int>(s.rank)));
  switch (s.rank) {
    case Rank::kMissing:
    case Rank::kNull: break;
    case Rank::kBool: k.push_back(s.b ? '1' : '0'); break;
    case Rank::kNumber: {
      Int128 iv = s.i;
      bool integral = s.is_int;
      if (!integral && std::isfinite(s.d) && s.d == std::trunc(s.d) && std::fabs(s.d) < 1e38) {
        iv = static_cast<Int128>(s.d);
        integral = true;
      }
      char buf[64];
      if (integral) {
        // Two 64-bit halves: exact and unambiguous.
        const bool neg = iv < 0;
        UInt128 u = neg ? -static_cast<UInt128>(iv) : iv;
        k.push_back(neg ? '-' : '+');
        auto r = std::to_chars(buf, buf + sizeof buf, static_cast<std::uint64_t>(u >> 64));
        k.append(buf, r.ptr);
        k.push_back(':');
        r = std::to_chars(buf, buf + sizeof buf, static_cast<std::uint64_t>(u));
        k.append(buf, r.ptr);
      } else {
        k.push_back('d');
        auto r = std::to_chars(buf, buf + sizeof buf, s.d);
        k.append(buf, r.ptr);
      }
      break;
    }
    default: k.append(s.s);
  }
  return k;
}

}  // namespace nedb
