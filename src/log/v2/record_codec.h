// SPDX-License-Identifier: Apache-2.0
// The v2 op record: encoding an OpRecord as its bytes and decoding them back
// (docs/FORMAT.md, "Record"). A record is
//
//   entry_len:var  entry[entry_len]  payload_section
//
// where entry is what the op's Merkle leaf commits to (LeafEntry) and the
// payload section (put and put_file only) holds the salt and the payload, or
// says the payload was erased or is encrypted. The decoder is strict: a
// record has exactly one encoding, and anything else is rejected.
#ifndef NEDB_LOG_V2_RECORD_CODEC_H_
#define NEDB_LOG_V2_RECORD_CODEC_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "log/v2/op_record.h"

namespace nedb::logv2 {

// The largest record (frame payload) a reader accepts; a document is at most
// logfmt::kMaxDocBytes (16 MiB).
inline constexpr std::size_t kMaxRecordBytes = 64u << 20;

// Appends rec's record bytes to *out. For a kPlain payload, computes the
// digest from salt and payload (rec.digest is ignored). Throws
// nedb::InvalidArgument if rec breaks a rule of the format (a payload on a
// kind without one, a salt that is not 16 bytes, an unsorted seq list, a
// confidence outside [0, 1], ...); *out is then unchanged.
void EncodeRecord(const OpRecord& rec, std::string* out);

// The leaf entry: the bytes the Merkle leaf of rec commits to (its hash is
// SHA-256(0x00 || entry)). Equal to the entry inside EncodeRecord's output.
std::string LeafEntry(const OpRecord& rec);
void AppendLeafEntry(const OpRecord& rec, std::string* out);

// Decodes record into *rec (views point into record). Returns false and
// says why in *why if the bytes are not a valid record. Never reads outside
// record. Does not check a plain payload's digest (PayloadDigestMatches).
bool DecodeRecord(std::string_view record, OpRecord* rec, std::string* why);

// Decodes a leaf entry alone (what a verifier holds after erasure): every
// field but the payload section.
bool DecodeEntry(std::string_view entry, OpRecord* rec, std::string* why);

// For a decoded record: true unless the payload is kPlain and its salted
// digest differs from the entry's.
bool PayloadDigestMatches(const OpRecord& rec);

// Rewrites a record with a kPlain payload as the same record with its
// payload erased by the erase op at erase_seq, padded with zero bytes to the
// same length (so it can replace the original in place). The entry bytes are
// unchanged. Returns false if record is not a decodable record with a plain
// payload, or erase_seq <= its seq.
bool EraseRecordPayload(std::string_view record, std::uint64_t erase_seq, std::string* out);

}  // namespace nedb::logv2

#endif  // NEDB_LOG_V2_RECORD_CODEC_H_
