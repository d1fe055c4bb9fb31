// SPDX-License-Identifier: Apache-2.0
// Scalar: a JSON value normalized for comparison, and NEDB's total order
// over JSON values (docs/NQL.md, "Comparisons"):
//   missing < null < false < true < numbers < strings < arrays < objects
// Numbers compare by value (3 == 3.0; integers exactly, up to 128 bits),
// strings by their UTF-8 bytes, arrays and objects by their canonical text.
#ifndef NEDB_QUERY_VALUE_H_
#define NEDB_QUERY_VALUE_H_

#include <nlohmann/json.hpp>
#include <string>

#include "util/json_text.h"

namespace nedb {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

struct Scalar {
  Rank rank = Rank::kMissing;
  bool b = false;       // kBool
  bool is_int = false;  // kNumber: i holds it exactly, else d
  Int128 i = 0;
  double d = 0;
  std::string s;  // kString: the decoded bytes; kArray/kObject: raw text

  static Scalar FromView(const ValueView& v);
  static Scalar FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// <0, 0, >0 in the total order.
int Compare(const Scalar& a, const Scalar& b);
// Compares a value in a document with a scalar without allocating for the
// common cases (strings without escapes, numbers).
int CompareView(const ValueView& v, const Scalar& c);

// A byte string equal for two scalars iff Compare() == 0 (hash key).
std::string EqKey(const Scalar& s);

}  // namespace nedb

#endif  // NEDB_QUERY_VALUE_H_
