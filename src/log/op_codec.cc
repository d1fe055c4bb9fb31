// SPDX-License-Identifier: Apache-2.0
#include "log/op_codec.h"

#include <cctype>
#include <charconv>
#include <cstring>
#include <limits>

#include "log/log_format.h"
#include "nedb/errors.h"
#include "util/blake2b.h"
#include "util/json_text.h"

namespace nedb {

std::string_view OpKindName(OpKind k) {
  switch (k) {
    case OpKind::kGenesis: return "genesis";
    case OpKind::kPut: return "put";
    case OpKind::kDelete: return "delete";
    case OpKind::kLink: return "link";
    case OpKind::kUnlink: return "unlink";
    case OpKind::kCheckpoint: return "checkpoint";
    case OpKind::kErase: return "erase";
    case OpKind::kPutFile: return "put_file";
    case OpKind::kDeleteFile: return "delete_file";
  }
  return "unknown";
}

bool ParseOpKind(std::string_view name, OpKind* out) {
  for (int i = 0; i < kOpKindCount; ++i) {
    if (OpKindName(static_cast<OpKind>(i)) == name) {
      *out = static_cast<OpKind>(i);
      return true;
    }
  }
  return false;
}

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  std::size_t run = 0;  // start of the current run of bytes needing no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out->append(esc, 6);
      }
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

namespace {

void AppendUint(std::uint64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

void AppendInt(std::int64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

void AppendKey(std::string_view key, std::string* out) {
  out->push_back(',');
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

}  // namespace

void EncodeOpLine(const OpView& op, std::string* out, char* hash_out) {
  const std::size_t start = out->size();
  out->append("{\"seq\":");
  AppendUint(op.seq, out);
  AppendKey("ts", out);
  AppendInt(op.ts, out);
  AppendKey("client", out);
  AppendJsonString(op.client, out);
  AppendKey("nonce", out);
  AppendUint(op.nonce, out);
  AppendKey("op", out);
  AppendJsonString(OpKindName(op.kind), out);
  switch (op.kind) {
    case OpKind::kGenesis:
      AppendKey("format", out);
      AppendJsonString(logfmt::kFormatName, out);
      AppendKey("version", out);
      AppendUint(op.format_version, out);
      break;
    case OpKind::kPut:
    case OpKind::kDelete:
      AppendKey("coll", out);
      AppendJsonString(op.coll, out);
      AppendKey("id", out);
      AppendJsonString(op.id, out);
      if (op.kind == OpKind::kPut) {
        AppendKey("doc", out);
        out->append(op.doc);
      }
      break;
    case OpKind::kLink:
    case OpKind::kUnlink:
      AppendKey("from", out);
      AppendJsonString(op.from, out);
      AppendKey("rel", out);
      AppendJsonString(op.rel, out);
      AppendKey("to", out);
      AppendJsonString(op.to, out);
      break;
    case OpKind::kCheckpoint:
      AppendKey("snapshot", out);
      AppendJsonString(op.snapshot, out);
      AppendKey("state_seq", out);
      AppendUint(op.state_seq, out);
      break;
    case OpKind::kErase:
    case OpKind::kPutFile:
    case OpKind::kDeleteFile:
      // Format v1 has none of these (log.aof is only read, to upgrade it).
      throw InvalidArgument(std::string("log format v1 has no ") +
                            std::string(OpKindName(op.kind)) + " op");
  }
  if (op.idem) {
    AppendKey("idem", out);
    AppendJsonString(*op.idem, out);
  }
  AppendKey("prev", out);
  out->push_back('"');
  out->append(op.prev);
  out->push_back('"');
  Digest d = Blake2b(std::string_view(out->data() + start, out->size() - start));
  out->append(logfmt::kHashKey);
  const std::size_t hash_at = out->size();
  out->resize(hash_at + kDigestHexChars);
  ToHex(d, out->data() + hash_at);
  std::memcpy(hash_out, out->data() + hash_at, kDigestHexChars);
  out->append(logfmt::kLineEnd);
  out->push_back('\n');
}

namespace {

// A strict reader of the canonical line: fields in their fixed order, no
// whitespace. Strings without escapes are returned as views into the line;
// escaped ones are decoded into the scratch strings.
class LineParser {
 public:
  explicit LineParser(std::string_view line) : s_(line) {}

  bool Lit(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) != lit) return Fail("expected " + std::string(lit));
    pos_ += lit.size();
    return true;
  }

  bool Uint(std::uint64_t* v) {
    std::size_t start = pos_;
    std::uint64_t x = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      unsigned d = static_cast<unsigned>(s_[pos_] - '0');
      if (x > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return Fail("number overflow");
      x = x * 10 + d;
      ++pos_;
    }
    if (pos_ == start) return Fail("expected a number");
    if (s_[start] == '0' && pos_ - start > 1) return Fail("leading zero");
    *v = x;
    return true;
  }

  bool Int(std::int64_t* v) {
    bool neg = pos_ < s_.size() && s_[pos_] == '-';
    if (neg) ++pos_;
    std::uint64_t u;
    if (!Uint(&u)) return false;
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return Fail("number overflow");
    }
    *v = neg ? -static_cast<std::int64_t>(u) : static_cast<std::int64_t>(u);
    return true;
  }

  // A JSON string; *out views the line or (if escaped) *slot.
  bool String(std::string_view* out, std::string* slot) {
    if (pos_ >= s_.size() || s_[pos_] != '"') return Fail("expected a string");
    std::size_t start = ++pos_;
    bool escaped = false;
    if (!SkipStringBody(&escaped)) return false;
    std::string_view raw = s_.substr(start, pos_ - 1 - start);
    if (!escaped) {
      *out = raw;
      return true;
    }
    slot->clear();
    if (!UnescapeJsonString(raw, slot)) return Fail("bad escape");
    *out = *slot;
    return true;
  }

  // Any JSON value, validated and skipped.
  bool Value(int depth) {
    if (depth > kMaxDepth) return Fail("nesting too deep");
    if (pos_ >= s_.size()) return Fail("expected a value");
    char c = s_[pos_];
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++pos_;
      if (pos_ < s_.size() && s_[pos_] == close) {
        ++pos_;
        return true;
      }
      for (;;) {
        if (c == '{') {
          bool esc;
          if (pos_ >= s_.size() || s_[pos_] != '"') return Fail("expected a key");
          ++pos_;
          if (!SkipStringBody(&esc) || !Lit(":")) return false;
        }
        if (!Value(depth + 1)) return false;
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == close) {
          ++pos_;
          return true;
        }
        return Fail("expected , or a closing bracket");
      }
    }
    if (c == '"') {
      bool esc;
      ++pos_;
      return SkipStringBody(&esc);
    }
    if (c == 't') return Lit("true");
    if (c == 'f') return Lit("false");
    if (c == 'n') return Lit("null");
    return Number();
  }

  std::size_t pos() const { return pos_; }
  const std::string& error() const { return error_; }
  bool Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why) + " at column " + std::to_string(pos_);
    return false;
  }

 private:
  static constexpr int kMaxDepth = 512;

  // After the opening quote: to just past the closing quote.
  bool SkipStringBody(bool* escaped) {
    *escaped = false;
    while (pos_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail("control character in string");
      if (c == '\\') {
        *escaped = true;
        if (pos_ + 1 >= s_.size()) return Fail("bad escape");
        char e = s_[pos_ + 1];
        if (e == 'u') {
          for (int k = 2; k < 6; ++k) {
            if (pos_ + k >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[pos_ + k]))) {
              return Fail("bad \\u escape");
            }
          }
          pos_ += 6;
          continue;
        }
        if (std::strchr("\"\\/bfnrt", e) == nullptr || e == 0) return Fail("bad escape");
        pos_ += 2;
        continue;
      }
      if (c >= 0x80) {
        std::size_t n = Utf8SeqLen(s_.substr(pos_));
        if (n == 0) return Fail("invalid UTF-8");
        pos_ += n;
        continue;
      }
      ++pos_;
    }
    return Fail("unterminated string");
  }

  bool Number() {
    std::size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    auto digits = [&] {
      std::size_t b = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ - b;
    };
    std::size_t int_start = pos_;
    std::size_t n = digits();
    if (n == 0) return Fail("expected a value");
    if (s_[int_start] == '0' && n > 1) return Fail("leading zero");
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) return Fail("bad number");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (digits() == 0) return Fail("bad number");
    }
    return pos_ > start;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::string error_;
};

bool DecodeFields(std::string_view body, DecodeScratch* sc, OpView* op, std::string* why) {
  LineParser p(body);
  std::string_view kind_name;
  auto str = [&](std::string_view key, std::string_view* out, std::string* slot) {
    return p.Lit(key) && p.String(out, slot);
  };
  bool ok = p.Lit("{\"seq\":") && p.Uint(&op->seq) && p.Lit(",\"ts\":") && p.Int(&op->ts) &&
            str(",\"client\":", &op->client, &sc->client) && p.Lit(",\"nonce\":") &&
            p.Uint(&op->nonce) && str(",\"op\":", &kind_name, &sc->kind);
  if (ok && !ParseOpKind(kind_name, &op->kind)) {
    ok = p.Fail("unknown op kind \"" + std::string(kind_name) + "\"");
  }
  if (ok) {
    switch (op->kind) {
      case OpKind::kGenesis: {
        std::string_view format;
        ok = str(",\"format\":", &format, &sc->a) && p.Lit(",\"version\":") &&
             p.Uint(&op->format_version);
        if (ok && format != logfmt::kFormatName) ok = p.Fail("unknown format name");
        break;
      }
      case OpKind::kPut:
      case OpKind::kDelete:
        ok = str(",\"coll\":", &op->coll, &sc->a) && str(",\"id\":", &op->id, &sc->b);
        if (ok && op->kind == OpKind::kPut) {
          ok = p.Lit(",\"doc\":");
          std::size_t start = p.pos();
          if (ok && (start >= body.size() || body[start] != '{'))
            ok = p.Fail("doc is not an object");
          ok = ok && p.Value(0);
          if (ok) op->doc = body.substr(start, p.pos() - start);
        }
        break;
      case OpKind::kLink:
      case OpKind::kUnlink:
        ok = str(",\"from\":", &op->from, &sc->a) && str(",\"rel\":", &op->rel, &sc->b) &&
             str(",\"to\":", &op->to, &sc->c);
        break;
      case OpKind::kCheckpoint:
        ok = str(",\"snapshot\":", &op->snapshot, &sc->a) && p.Lit(",\"state_seq\":") &&
             p.Uint(&op->state_seq);
        if (ok && op->snapshot.size() != kDigestHexChars) ok = p.Fail("malformed snapshot digest");
        break;
      case OpKind::kErase:
      case OpKind::kPutFile:
      case OpKind::kDeleteFile: ok = p.Fail("op kind not in log format v1"); break;
    }
  }
  if (ok && body.substr(p.pos(), 8) == ",\"idem\":") {
    std::string_view idem;
    ok = str(",\"idem\":", &idem, &sc->idem);
    op->idem = idem;
  }
  if (ok && p.Lit(",\"prev\":\"")) {
    op->prev = body.substr(p.pos(), kDigestHexChars);
    // prev's digits are checked by comparison with the previous op's hash.
    if (body.size() != p.pos() + kDigestHexChars + 1 || body.back() != '"') {
      ok = p.Fail("unexpected bytes after prev");
    }
  } else {
    ok = false;
  }
  if (!ok) *why = p.error();
  return ok;
}

}  // namespace

namespace {

// Checks the hash suffix; on success *hex views the line's hash digits.
LineStatus CheckHash(std::string_view line, std::string_view* hex, std::string* why) {
  using logfmt::kSuffixBytes;
  if (line.size() < kSuffixBytes + 2 || line.front() != '{' ||
      line.substr(line.size() - logfmt::kLineEnd.size()) != logfmt::kLineEnd ||
      line.substr(line.size() - kSuffixBytes, logfmt::kHashKey.size()) != logfmt::kHashKey) {
    *why = "line does not end with the hash field";
    return LineStatus::kBadSyntax;
  }
  std::string_view body = line.substr(0, line.size() - kSuffixBytes);
  *hex = line.substr(line.size() - logfmt::kLineEnd.size() - kDigestHexChars, kDigestHexChars);
  char computed[kDigestHexChars];
  ToHex(Blake2b(body), computed);
  if (std::memcmp(computed, hex->data(), kDigestHexChars) != 0) {
    *why = "hash mismatch";
    return LineStatus::kBadHash;
  }
  return LineStatus::kOk;
}

}  // namespace

LineStatus CheckOpLineChain(std::string_view line, OpView* op, std::string* why) {
  std::string_view hex;
  LineStatus st = CheckHash(line, &hex, why);
  if (st != LineStatus::kOk) return st;
  static constexpr std::string_view kSeq = "{\"seq\":";
  static constexpr std::string_view kPrev = ",\"prev\":\"";
  const std::size_t body = line.size() - logfmt::kSuffixBytes;
  const std::size_t prev_at = body - 1 - kDigestHexChars;
  if (line.substr(0, kSeq.size()) != kSeq ||
      body < kSeq.size() + kPrev.size() + kDigestHexChars + 1 || line[body - 1] != '"' ||
      line.substr(prev_at - kPrev.size(), kPrev.size()) != kPrev) {
    *why = "line does not start with seq or end with prev";
    return LineStatus::kBadSyntax;
  }
  std::uint64_t seq = 0;
  std::size_t i = kSeq.size();
  const std::size_t digits = i;
  while (i < body && line[i] >= '0' && line[i] <= '9' && i - digits < 20) {
    seq = seq * 10 + static_cast<std::uint64_t>(line[i] - '0');
    ++i;
  }
  if (i == digits || line[i] != ',' || (line[digits] == '0' && i - digits > 1)) {
    *why = "malformed seq";
    return LineStatus::kBadSyntax;
  }
  *op = OpView{};
  op->seq = seq;
  op->prev = line.substr(prev_at, kDigestHexChars);
  op->hash = hex;
  // The genesis check of ScanLog needs the kind of op 0 only.
  op->kind = line.find("\"op\":\"genesis\"") != std::string_view::npos && seq == 0
                 ? OpKind::kGenesis
                 : OpKind::kPut;
  op->format_version = logfmt::kFormatVersion;
  return LineStatus::kOk;
}

LineStatus DecodeOpLine(std::string_view line, DecodeScratch* scratch, OpView* op,
                        std::string* why) {
  std::string_view hex;
  LineStatus st = CheckHash(line, &hex, why);
  if (st != LineStatus::kOk) return st;
  std::string_view body = line.substr(0, line.size() - logfmt::kSuffixBytes);
  *op = OpView{};
  op->hash = hex;
  if (!DecodeFields(body, scratch, op, why)) return LineStatus::kBadSyntax;
  return LineStatus::kOk;
}

}  // namespace nedb
