// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// Bearer-token auth for nedbd's /v1/* routes (NEDBD_TOKEN / --token).
#ifndef NEDB_SERVER_AUTH_H_
#define NEDB_SERVER_AUTH_H_

#include <array>
#include <string>
#include <string_view>

namespace nedbd {

class Auth {
 public:
  // An empty token turns auth off: every request is allowed.
  explicit Auth(std::string_view token);

  bool enabled() const { return !token_.empty(); }

  // True if auth is off, or authorization is "Bearer <token>" with the
  // configured token, compared by nedb::SecretEquals (util/blake2b.h: both
  // hashed, digests compared in constant time), so neither the length nor the
  // first differing byte of the token leaks through timing.
  bool Allows(std::string_view authorization) const;

 private:
  std::string token_;
};

}  // namespace nedbd

#endif  // NEDB_SERVER_AUTH_H_
