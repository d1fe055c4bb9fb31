// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
#include "auth.h"

#include "util/blake2b.h"

namespace nedbd {

Auth::Auth(std::string_view token) : token_(token) {}

bool Auth::Allows(std::string_view authorization) const {
  if (token_.empty()) return true;
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() < kScheme.size()) return false;
  // The scheme name is case-insensitive (RFC 7235); the token is not.
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    char k = kScheme[i];
    if (k >= 'A' && k <= 'Z') k = static_cast<char>(k - 'A' + 'a');
    if (c != k) return false;
  }
  return nedb::SecretEquals(authorization.substr(kScheme.size()), token_);
}

}  // namespace nedbd
