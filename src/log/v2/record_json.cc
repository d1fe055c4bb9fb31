// SPDX-License-Identifier: Apache-2.0
#include "log/v2/record_json.h"

#include "merkle/hash.h"
#include "util/hex.h"

namespace nedb::logv2 {

namespace {

std::string Str(std::string_view s) { return std::string(s); }

void AddPayload(const OpRecord& rec, nlohmann::ordered_json& j) {
  const Payload& p = rec.payload;
  switch (p.state) {
    case PayloadState::kPlain: {
      auto doc = nlohmann::ordered_json::parse(p.bytes, nullptr, /*allow_exceptions=*/false);
      if (rec.kind == Kind::kPut && !doc.is_discarded()) {
        j["doc"] = std::move(doc);
      } else {
        j["payload"] = HexEncode(p.bytes);  // a file manifest, or a put that is not JSON
      }
      break;
    }
    case PayloadState::kErased: j["erased"] = p.erased_by; break;
    case PayloadState::kEncrypted:
      j["encrypted"] = {{"key_id", Str(p.key_id)}, {"alg", p.alg}};
      break;
  }
}

}  // namespace

nlohmann::ordered_json RecordJson(const OpRecord& rec) {
  nlohmann::ordered_json j;
  j["seq"] = rec.seq;
  j["ts"] = rec.ts;
  j["op"] = KindName(rec.kind);
  j["client"] = Str(rec.client);
  j["nonce"] = rec.nonce;
  switch (rec.kind) {
    case Kind::kGenesis:
      j["format_version"] = rec.format_version;
      if (rec.v1_head) j["v1_head"] = HexEncode(*rec.v1_head);
      if (rec.v1_ops) j["v1_ops"] = *rec.v1_ops;
      break;
    case Kind::kPut:
    case Kind::kDelete:
      j["coll"] = Str(rec.coll);
      j["id"] = Str(rec.id);
      break;
    case Kind::kLink:
    case Kind::kUnlink:
      j["from"] = Str(rec.from);
      j["rel"] = Str(rec.rel);
      j["to"] = Str(rec.to);
      break;
    case Kind::kCheckpoint:
      j["snapshot"] = HexEncode(rec.snapshot);
      j["state_seq"] = rec.state_seq;
      break;
    case Kind::kErase:
      j["coll"] = Str(rec.coll);
      j["id"] = Str(rec.id);
      j["reason"] = Str(rec.reason);
      j["erases"] = rec.erases;
      break;
    case Kind::kPutFile:
      j["file"] = Str(rec.file);
      j["version"] = rec.file_version;
      break;
    case Kind::kDeleteFile: j["file"] = Str(rec.file); break;
  }
  if (KindHasPayload(rec.kind)) AddPayload(rec, j);
  if (rec.idem) j["idem"] = Str(*rec.idem);
  const Provenance& prov = rec.prov;
  if (!prov.caused_by.empty()) j["caused_by"] = prov.caused_by;
  if (prov.evidence) j["evidence"] = Str(*prov.evidence);
  if (prov.confidence) j["confidence"] = *prov.confidence;
  if (prov.valid_from) j["valid_from"] = *prov.valid_from;
  if (prov.valid_to) j["valid_to"] = *prov.valid_to;
  for (const UnknownField& f : rec.unknown) {
    j["unknown_fields"].push_back({{"tag", f.tag}, {"value", HexEncode(f.value)}});
  }
  j["leaf_hash"] = merkle::ToHex(merkle::HashLeaf(rec.entry));
  return j;
}

std::string DumpJsonLine(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace nedb::logv2
