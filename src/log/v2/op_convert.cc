// SPDX-License-Identifier: Apache-2.0
#include "log/v2/op_convert.h"

#include "nedb/errors.h"
#include "util/blake2b.h"
#include "util/hex.h"

namespace nedb::logv2 {

OpRecord ToRecord(const OpView& op, std::string_view salt, ConvertScratch* scratch) {
  OpRecord rec;
  rec.kind = op.kind;
  rec.seq = op.seq;
  rec.ts = op.ts;
  rec.client = op.client;
  rec.nonce = op.nonce;
  rec.idem = op.idem;
  switch (op.kind) {
    case OpKind::kGenesis: rec.format_version = op.format_version; break;
    case OpKind::kPut:
      rec.coll = op.coll;
      rec.id = op.id;
      rec.payload.state = PayloadState::kPlain;
      rec.payload.salt = salt;
      rec.payload.bytes = op.doc;
      break;
    case OpKind::kDelete:
      rec.coll = op.coll;
      rec.id = op.id;
      break;
    case OpKind::kLink:
    case OpKind::kUnlink:
      rec.from = op.from;
      rec.rel = op.rel;
      rec.to = op.to;
      break;
    case OpKind::kCheckpoint: {
      nedb::Digest d;  // BLAKE2b-512 (util/blake2b.h)
      if (!FromHex(op.snapshot, &d)) {
        throw InvalidArgument("checkpoint op: snapshot digest is not 128 hex digits");
      }
      scratch->snapshot.assign(reinterpret_cast<const char*>(d.data()), d.size());
      rec.snapshot = scratch->snapshot;
      rec.state_seq = op.state_seq;
      break;
    }
    case OpKind::kErase:
      rec.coll = op.coll;
      rec.id = op.id;
      rec.reason = op.reason;
      rec.erases.assign(op.erases.begin(), op.erases.end());
      break;
    case OpKind::kPutFile:
    case OpKind::kDeleteFile: throw NotSupported("file-store ops are not supported yet");
  }
  return rec;
}

void FromRecord(const OpRecord& rec, OpView* op, ConvertScratch* scratch) {
  *op = OpView{};
  op->kind = rec.kind;
  op->seq = rec.seq;
  op->ts = rec.ts;
  op->client = rec.client;
  op->nonce = rec.nonce;
  op->idem = rec.idem;
  switch (rec.kind) {
    case OpKind::kGenesis: op->format_version = rec.format_version; break;
    case OpKind::kPut:
      op->coll = rec.coll;
      op->id = rec.id;
      switch (rec.payload.state) {
        case PayloadState::kPlain: op->doc = rec.payload.bytes; break;
        case PayloadState::kErased: op->erased_by = rec.payload.erased_by; break;
        case PayloadState::kEncrypted:
          throw NotSupported("op " + std::to_string(rec.seq) +
                             " has an encrypted payload; this build cannot decrypt it");
      }
      break;
    case OpKind::kDelete:
      op->coll = rec.coll;
      op->id = rec.id;
      break;
    case OpKind::kLink:
    case OpKind::kUnlink:
      op->from = rec.from;
      op->rel = rec.rel;
      op->to = rec.to;
      break;
    case OpKind::kCheckpoint:
      scratch->snapshot = HexEncode(rec.snapshot);
      op->snapshot = scratch->snapshot;
      op->state_seq = rec.state_seq;
      break;
    case OpKind::kErase:
      op->coll = rec.coll;
      op->id = rec.id;
      op->reason = rec.reason;
      op->erases = rec.erases;
      break;
    case OpKind::kPutFile:
    case OpKind::kDeleteFile:
      throw NotSupported("op " + std::to_string(rec.seq) + " is a file-store op (" +
                         KindName(rec.kind) + "); this build has no file store yet");
  }
}

}  // namespace nedb::logv2
