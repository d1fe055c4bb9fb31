// SPDX-License-Identifier: Apache-2.0
#include "log/v2/record_codec.h"

#include <cmath>
#include <cstring>

#include "log/op.h"
#include "log/v2/payload_digest.h"
#include "log/v2/varint.h"
#include "nedb/errors.h"

namespace nedb::logv2 {
namespace {

// v1 op kinds keep their numbers, so an upgrade maps them one to one.
static_assert(static_cast<int>(Kind::kGenesis) == static_cast<int>(OpKind::kGenesis));
static_assert(static_cast<int>(Kind::kPut) == static_cast<int>(OpKind::kPut));
static_assert(static_cast<int>(Kind::kDelete) == static_cast<int>(OpKind::kDelete));
static_assert(static_cast<int>(Kind::kLink) == static_cast<int>(OpKind::kLink));
static_assert(static_cast<int>(Kind::kUnlink) == static_cast<int>(OpKind::kUnlink));
static_assert(static_cast<int>(Kind::kCheckpoint) == static_cast<int>(OpKind::kCheckpoint));

bool IsKnownTag(std::uint64_t t) {
  switch (t) {
    case kTagIdem:
    case kTagCausedBy:
    case kTagEvidence:
    case kTagConfidence:
    case kTagValidFrom:
    case kTagValidTo:
    case kTagV1Head:
    case kTagV1Ops: return true;
    default: return false;
  }
}

bool Ascending(const std::vector<std::uint64_t>& v, std::uint64_t below) {
  for (std::size_t i = 0; i < v.size(); i++) {
    if (v[i] >= below || (i > 0 && v[i] <= v[i - 1])) return false;
  }
  return true;
}

// The rules both sides check; nullptr if rec keeps them all.
const char* CheckRecord(const OpRecord& rec, bool with_payload) {
  if (static_cast<std::uint8_t>(rec.kind) > kMaxKind) return "unknown kind";
  if (!Ascending(rec.prov.caused_by, rec.seq)) {
    return "caused_by must be strictly ascending seqs before the op's own";
  }
  if (rec.kind == Kind::kErase && !Ascending(rec.erases, rec.seq)) {
    return "erase must name strictly ascending seqs before its own";
  }
  if (rec.prov.confidence) {
    const double c = *rec.prov.confidence;
    if (!(c >= 0.0 && c <= 1.0) || std::signbit(c)) return "confidence must be in [0, 1]";
  }
  if (rec.prov.valid_from && rec.prov.valid_to && *rec.prov.valid_to < *rec.prov.valid_from) {
    return "valid_to is before valid_from";
  }
  if (rec.kind != Kind::kGenesis && (rec.v1_head || rec.v1_ops)) {
    return "v1_head and v1_ops belong to genesis only";
  }
  std::uint64_t prev_tag = 0;
  for (const UnknownField& f : rec.unknown) {
    if (f.tag % 2 == 1 || IsKnownTag(f.tag) || f.tag <= prev_tag) {
      return "unknown fields must have even, unknown, ascending tags";
    }
    prev_tag = f.tag;
  }
  if (!with_payload || !KindHasPayload(rec.kind)) return nullptr;
  const Payload& p = rec.payload;
  switch (p.state) {
    case PayloadState::kPlain:
      if (p.salt.size() != kSaltBytes) return "a salt is 16 bytes";
      break;
    case PayloadState::kErased:
      if (p.erased_by <= rec.seq) return "a payload is erased by a later op";
      break;
    case PayloadState::kEncrypted:
      if (p.key_id.empty() || p.alg == 0) return "an encrypted payload needs a key id and an alg";
      break;
    default: return "unknown payload state";
  }
  return nullptr;
}

void PutSeqList(std::string* out, const std::vector<std::uint64_t>& v) {
  PutVarint(out, v.size());
  for (std::size_t i = 0; i < v.size(); i++) PutVarint(out, i == 0 ? v[0] : v[i] - v[i - 1]);
}

bool GetSeqList(ByteReader* r, std::vector<std::uint64_t>* v) {
  std::uint64_t n;
  if (!r->GetVarint(&n) || n > r->remaining()) return false;  // >= 1 byte each
  v->clear();
  v->reserve(static_cast<std::size_t>(n));
  for (std::uint64_t i = 0; i < n; i++) {
    std::uint64_t d;
    if (!r->GetVarint(&d)) return false;
    if (i > 0) {
      if (d == 0 || v->back() + d < d) return false;  // not ascending, or wraps
      d += v->back();
    }
    v->push_back(d);
  }
  return true;
}

// Emits the optional fields in ascending tag order, unknown ones merged in.
class FieldWriter {
 public:
  FieldWriter(const OpRecord& rec, std::string* out) : rec_(rec), out_(out) {}
  void Bytes(std::uint64_t tag, std::string_view v) {
    Before(tag);
    PutVarint(out_, tag);
    PutString(out_, v);
  }
  void Number(std::uint64_t tag, std::uint64_t v) {
    Before(tag);
    PutVarint(out_, tag);
    PutVarint(out_, VarintSize(v));
    PutVarint(out_, v);
  }
  void SeqList(std::uint64_t tag, const std::vector<std::uint64_t>& v) {
    scratch_.clear();
    PutSeqList(&scratch_, v);
    Bytes(tag, scratch_);
  }
  void Finish() { Before(~std::uint64_t{0}); }

 private:
  void Before(std::uint64_t tag) {
    for (; next_ < rec_.unknown.size() && rec_.unknown[next_].tag < tag; next_++) {
      PutVarint(out_, rec_.unknown[next_].tag);
      PutString(out_, rec_.unknown[next_].value);
    }
  }
  const OpRecord& rec_;
  std::string* out_;
  std::size_t next_ = 0;
  std::string scratch_;
};

void AppendEntryChecked(const OpRecord& rec, const Digest& digest, std::string* out) {
  out->push_back(static_cast<char>(rec.kind));
  PutVarint(out, rec.seq);
  PutVarint(out, ZigZag(rec.ts));
  PutString(out, rec.client);
  PutVarint(out, rec.nonce);
  switch (rec.kind) {
    case Kind::kGenesis: PutVarint(out, rec.format_version); break;
    case Kind::kPut:
    case Kind::kDelete:
      PutString(out, rec.coll);
      PutString(out, rec.id);
      break;
    case Kind::kLink:
    case Kind::kUnlink:
      PutString(out, rec.from);
      PutString(out, rec.rel);
      PutString(out, rec.to);
      break;
    case Kind::kCheckpoint:
      PutString(out, rec.snapshot);
      PutVarint(out, rec.state_seq);
      break;
    case Kind::kErase:
      PutString(out, rec.coll);
      PutString(out, rec.id);
      PutString(out, rec.reason);
      PutSeqList(out, rec.erases);
      break;
    case Kind::kPutFile:
      PutString(out, rec.file);
      PutVarint(out, rec.file_version);
      break;
    case Kind::kDeleteFile: PutString(out, rec.file); break;
  }
  if (KindHasPayload(rec.kind)) out->append(reinterpret_cast<const char*>(digest.data()), 32);
  if (rec.unknown.empty() && !rec.idem && rec.prov.empty() && !rec.v1_head && !rec.v1_ops) return;
  FieldWriter w(rec, out);
  if (rec.idem) w.Bytes(kTagIdem, *rec.idem);
  if (!rec.prov.caused_by.empty()) w.SeqList(kTagCausedBy, rec.prov.caused_by);
  if (rec.prov.evidence) w.Bytes(kTagEvidence, *rec.prov.evidence);
  if (rec.prov.confidence) {
    std::uint64_t bits;
    std::memcpy(&bits, &*rec.prov.confidence, 8);
    std::string b;
    PutFixed64(&b, bits);
    w.Bytes(kTagConfidence, b);
  }
  if (rec.prov.valid_from) w.Number(kTagValidFrom, ZigZag(*rec.prov.valid_from));
  if (rec.prov.valid_to) w.Number(kTagValidTo, ZigZag(*rec.prov.valid_to));
  if (rec.v1_head) w.Bytes(kTagV1Head, *rec.v1_head);
  if (rec.v1_ops) w.Number(kTagV1Ops, *rec.v1_ops);
  w.Finish();
}

Digest DigestOf(const OpRecord& rec) {
  if (KindHasPayload(rec.kind) && rec.payload.state == PayloadState::kPlain) {
    return PayloadDigest(rec.payload.salt, rec.payload.bytes);
  }
  return rec.digest;
}

void Check(const OpRecord& rec) {
  if (const char* why = CheckRecord(rec, true)) {
    throw InvalidArgument(std::string("log record: ") + why);
  }
}

// A varint that must fill value exactly.
bool GetWholeVarint(std::string_view value, std::uint64_t* v) {
  ByteReader r(value);
  return r.GetVarint(v) && r.remaining() == 0;
}

bool DecodeField(std::uint64_t tag, std::string_view value, OpRecord* rec) {
  std::uint64_t v;
  switch (tag) {
    case kTagIdem: rec->idem = value; return true;
    case kTagCausedBy: {
      ByteReader r(value);
      return GetSeqList(&r, &rec->prov.caused_by) && r.remaining() == 0 &&
             !rec->prov.caused_by.empty();
    }
    case kTagEvidence: rec->prov.evidence = value; return true;
    case kTagConfidence: {
      if (value.size() != 8) return false;
      const std::uint64_t bits = DecodeFixed64(value.data());
      double c;
      std::memcpy(&c, &bits, 8);
      rec->prov.confidence = c;
      return true;
    }
    case kTagValidFrom:
      if (!GetWholeVarint(value, &v)) return false;
      rec->prov.valid_from = UnZigZag(v);
      return true;
    case kTagValidTo:
      if (!GetWholeVarint(value, &v)) return false;
      rec->prov.valid_to = UnZigZag(v);
      return true;
    case kTagV1Head: rec->v1_head = value; return true;
    case kTagV1Ops:
      if (!GetWholeVarint(value, &v)) return false;
      rec->v1_ops = v;
      return true;
    default: return false;
  }
}

bool Fail(std::string* why, const char* msg) {
  if (why) *why = msg;
  return false;
}

bool DecodeNames(ByteReader* r, OpRecord* rec) {
  switch (rec->kind) {
    case Kind::kGenesis: return r->GetVarint(&rec->format_version);
    case Kind::kPut:
    case Kind::kDelete: return r->GetString(&rec->coll) && r->GetString(&rec->id);
    case Kind::kLink:
    case Kind::kUnlink:
      return r->GetString(&rec->from) && r->GetString(&rec->rel) && r->GetString(&rec->to);
    case Kind::kCheckpoint: return r->GetString(&rec->snapshot) && r->GetVarint(&rec->state_seq);
    case Kind::kErase:
      return r->GetString(&rec->coll) && r->GetString(&rec->id) && r->GetString(&rec->reason) &&
             GetSeqList(r, &rec->erases);
    case Kind::kPutFile: return r->GetString(&rec->file) && r->GetVarint(&rec->file_version);
    case Kind::kDeleteFile: return r->GetString(&rec->file);
  }
  return false;
}

bool DecodePayload(ByteReader* r, OpRecord* rec, std::string* why) {
  Payload& p = rec->payload;
  std::uint8_t state;
  if (!r->GetByte(&state)) return Fail(why, "truncated: no payload section");
  p.state = static_cast<PayloadState>(state);
  switch (p.state) {
    case PayloadState::kPlain:
      if (!r->GetBytes(kSaltBytes, &p.salt)) return Fail(why, "truncated salt");
      p.bytes = r->Rest();
      return true;
    case PayloadState::kErased: {
      if (!r->GetVarint(&p.erased_by)) return Fail(why, "bad erased_by");
      const std::string_view pad = r->Rest();
      for (char c : pad) {
        if (c != 0) return Fail(why, "non-zero padding after an erased payload");
      }
      p.padding = pad.size();
      return true;
    }
    case PayloadState::kEncrypted:
      if (!r->GetString(&p.key_id) || !r->GetByte(&p.alg)) return Fail(why, "bad key id or alg");
      p.bytes = r->Rest();
      return true;
  }
  return Fail(why, "unknown payload state");
}

}  // namespace

const char* KindName(Kind k) { return OpKindName(k).data(); }

bool operator==(const Provenance& a, const Provenance& b) {
  return a.caused_by == b.caused_by && a.evidence == b.evidence && a.confidence == b.confidence &&
         a.valid_from == b.valid_from && a.valid_to == b.valid_to;
}

void AppendLeafEntry(const OpRecord& rec, std::string* out) {
  Check(rec);
  AppendEntryChecked(rec, DigestOf(rec), out);
}

std::string LeafEntry(const OpRecord& rec) {
  std::string s;
  AppendLeafEntry(rec, &s);
  return s;
}

void EncodeRecord(const OpRecord& rec, std::string* out) {
  Check(rec);
  const std::size_t start = out->size();
  AppendEntryChecked(rec, DigestOf(rec), out);
  // Prefix the entry with its length (usually one byte: a short move).
  const std::size_t entry_len = out->size() - start;
  char len[kMaxVarintBytes];
  std::size_t n = 0;
  for (std::uint64_t v = entry_len;; v >>= 7) {
    len[n++] = static_cast<char>((v & 0x7F) | (v >= 0x80 ? 0x80 : 0));
    if (v < 0x80) break;
  }
  out->insert(start, len, n);
  if (!KindHasPayload(rec.kind)) return;
  const Payload& p = rec.payload;
  out->push_back(static_cast<char>(p.state));
  switch (p.state) {
    case PayloadState::kPlain:
      out->append(p.salt);
      out->append(p.bytes);
      break;
    case PayloadState::kErased:
      PutVarint(out, p.erased_by);
      out->append(p.padding, '\0');
      break;
    case PayloadState::kEncrypted:
      PutString(out, p.key_id);
      out->push_back(static_cast<char>(p.alg));
      out->append(p.bytes);
      break;
  }
}

bool DecodeEntry(std::string_view entry, OpRecord* rec, std::string* why) {
  *rec = OpRecord();
  rec->entry = entry;
  ByteReader r(entry);
  std::uint8_t kind;
  std::uint64_t ts;
  if (!r.GetByte(&kind)) return Fail(why, "empty entry");
  if (kind > kMaxKind) return Fail(why, "unknown op kind");
  rec->kind = static_cast<Kind>(kind);
  if (!r.GetVarint(&rec->seq) || !r.GetVarint(&ts) || !r.GetString(&rec->client) ||
      !r.GetVarint(&rec->nonce)) {
    return Fail(why, "bad seq, ts, client or nonce");
  }
  rec->ts = UnZigZag(ts);
  if (!DecodeNames(&r, rec)) return Fail(why, "bad names for the op kind");
  if (KindHasPayload(rec->kind)) {
    std::string_view d;
    if (!r.GetBytes(kDigestBytes, &d)) return Fail(why, "truncated payload digest");
    std::memcpy(rec->digest.data(), d.data(), kDigestBytes);
  }
  std::uint64_t prev_tag = 0;
  while (r.remaining() > 0) {
    std::uint64_t tag;
    std::string_view value;
    if (!r.GetVarint(&tag) || !r.GetString(&value)) return Fail(why, "truncated field");
    if (tag <= prev_tag) return Fail(why, "fields out of order (or tag 0)");
    prev_tag = tag;
    if (IsKnownTag(tag)) {
      if (!DecodeField(tag, value, rec)) return Fail(why, "malformed field");
    } else if (tag % 2 == 1) {
      return Fail(why, "unknown critical field (odd tag): written by a newer version");
    } else {
      rec->unknown.push_back({tag, value});
    }
  }
  if (const char* bad = CheckRecord(*rec, false)) return Fail(why, bad);
  return true;
}

bool DecodeRecord(std::string_view record, OpRecord* rec, std::string* why) {
  ByteReader r(record);
  std::uint64_t entry_len;
  std::string_view entry;
  if (!r.GetVarint(&entry_len) || entry_len > r.remaining() ||
      !r.GetBytes(static_cast<std::size_t>(entry_len), &entry)) {
    return Fail(why, "bad entry length");
  }
  if (!DecodeEntry(entry, rec, why)) return false;
  if (KindHasPayload(rec->kind)) {
    if (!DecodePayload(&r, rec, why)) return false;
    if (const char* bad = CheckRecord(*rec, true)) return Fail(why, bad);
  } else if (r.remaining() != 0) {
    return Fail(why, "bytes after the entry of an op without a payload");
  }
  return true;
}

bool PayloadDigestMatches(const OpRecord& rec) {
  if (!KindHasPayload(rec.kind) || rec.payload.state != PayloadState::kPlain) return true;
  return PayloadDigest(rec.payload.salt, rec.payload.bytes) == rec.digest;
}

bool EraseRecordPayload(std::string_view record, std::uint64_t erase_seq, std::string* out) {
  OpRecord rec;
  if (!DecodeRecord(record, &rec, nullptr) || !KindHasPayload(rec.kind) ||
      rec.payload.state != PayloadState::kPlain || erase_seq <= rec.seq) {
    return false;
  }
  // entry_len, entry, state byte, then erased_by and zeros up to the old size.
  const std::size_t head =
      static_cast<std::size_t>(rec.entry.data() - record.data()) + rec.entry.size();
  out->assign(record.substr(0, head));
  out->push_back(static_cast<char>(PayloadState::kErased));
  PutVarint(out, erase_seq);
  if (out->size() > record.size()) return false;  // cannot happen: salt alone is 16 bytes
  out->append(record.size() - out->size(), '\0');
  return true;
}

}  // namespace nedb::logv2
