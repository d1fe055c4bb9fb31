// SPDX-License-Identifier: Apache-2.0
// RedisReply's RESP2 encoding.
#include <charconv>

#include "nedb/redis_compat.h"

namespace nedb {

namespace {

void AppendInt(std::string* out, std::int64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out->append(buf, end);
}

void AppendHeader(std::string* out, char kind, std::int64_t n) {
  out->push_back(kind);
  AppendInt(out, n);
  out->append("\r\n", 2);
}

// Simple strings and errors cannot hold CR or LF: replaced by spaces.
void AppendLine(std::string* out, char kind, const std::string& s) {
  out->push_back(kind);
  const std::size_t start = out->size();
  out->append(s);
  for (std::size_t i = start; i < out->size(); ++i) {
    if ((*out)[i] == '\r' || (*out)[i] == '\n') (*out)[i] = ' ';
  }
  out->append("\r\n", 2);
}

void Render(const RedisReply& r, std::string* out, int indent) {
  switch (r.type()) {
    case RedisReply::Type::kSimple: out->append(r.str()); break;
    case RedisReply::Type::kError: out->append("(error) ").append(r.str()); break;
    case RedisReply::Type::kInteger:
      out->append("(integer) ");
      AppendInt(out, r.integer());
      break;
    case RedisReply::Type::kBulk:
      out->push_back('"');
      for (unsigned char c : r.str()) {
        if (c == '"' || c == '\\') {
          out->push_back('\\');
          out->push_back(static_cast<char>(c));
        } else if (c >= 0x20 && c < 0x7f) {
          out->push_back(static_cast<char>(c));
        } else {
          static const char kHex[] = "0123456789abcdef";
          out->append("\\x");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        }
      }
      out->push_back('"');
      break;
    case RedisReply::Type::kNil:
    case RedisReply::Type::kNilArray: out->append("(nil)"); break;
    case RedisReply::Type::kArray:
      if (r.elements().empty()) {
        out->append("(empty array)");
        break;
      }
      for (std::size_t i = 0; i < r.elements().size(); ++i) {
        if (i > 0) out->append("\n").append(static_cast<std::size_t>(indent), ' ');
        const std::string num = std::to_string(i + 1) + ") ";
        out->append(num);
        Render(r.elements()[i], out, indent + static_cast<int>(num.size()));
      }
      break;
  }
}

}  // namespace

void RedisReply::AppendResp(std::string* out) const {
  switch (type_) {
    case Type::kSimple: AppendLine(out, '+', str_); break;
    case Type::kError: AppendLine(out, '-', str_); break;
    case Type::kInteger: AppendHeader(out, ':', int_); break;
    case Type::kBulk:
      AppendHeader(out, '$', static_cast<std::int64_t>(str_.size()));
      out->append(str_);
      out->append("\r\n", 2);
      break;
    case Type::kNil: out->append("$-1\r\n", 5); break;
    case Type::kNilArray: out->append("*-1\r\n", 5); break;
    case Type::kArray:
      AppendHeader(out, '*', static_cast<std::int64_t>(elements_.size()));
      for (const RedisReply& e : elements_) e.AppendResp(out);
      break;
  }
}

std::string RedisReply::ToResp() const {
  std::string out;
  AppendResp(&out);
  return out;
}

std::string RedisReply::ToString() const {
  std::string out;
  Render(*this, &out, 0);
  return out;
}

}  // namespace nedb
