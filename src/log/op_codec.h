// SPDX-License-Identifier: Apache-2.0
// Encoding an op as its canonical line, and decoding a line back.
#ifndef NEDB_LOG_OP_CODEC_H_
#define NEDB_LOG_OP_CODEC_H_

#include <string>
#include <string_view>

#include "log/op.h"

namespace nedb {

// Appends the canonical line of op (everything but op.hash, which is
// computed) to *out, including the trailing '\n'. Writes the hex hash into
// hash_out (kDigestHexChars bytes). Strings are JSON-escaped; op.doc must
// already be canonical JSON.
void EncodeOpLine(const OpView& op, std::string* out, char* hash_out);

// Appends s as a JSON string literal (quotes and escapes) to *out.
void AppendJsonString(std::string_view s, std::string* out);

// Result of checking one line (without its '\n').
enum class LineStatus { kOk, kBadHash, kBadSyntax };

// Storage for strings that had to be unescaped while decoding.
struct DecodeScratch {
  std::string client, kind, a, b, c, idem;
};

// Checks the hash suffix of line and decodes it (strictly: the canonical
// field order of docs/FORMAT-v1.md) into *op. Views in *op point into line or
// *scratch. On failure, *why says what is wrong.
LineStatus DecodeOpLine(std::string_view line, DecodeScratch* scratch, OpView* op,
                        std::string* why);

// The cheap check verify() needs: the hash suffix, and seq and prev (read at
// their fixed places) into *op; other fields of *op are not decoded. The
// hash covers every byte, so this detects any change to the line.
LineStatus CheckOpLineChain(std::string_view line, OpView* op, std::string* why);

}  // namespace nedb

#endif  // NEDB_LOG_OP_CODEC_H_
