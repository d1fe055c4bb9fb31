// Copyright (c) NEDB authors.
#include "auth.h"

#include <sodium.h>

#include <stdexcept>

namespace nedbd {

Auth::Auth(std::string_view token) : enabled_(!token.empty()) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
  if (enabled_) token_digest_ = Hash(token);
}

Auth::Digest Auth::Hash(std::string_view text) {
  Digest d;
  crypto_generichash(d.data(), d.size(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size(), nullptr, 0);
  return d;
}

bool Auth::Allows(std::string_view authorization) const {
  if (!enabled_) return true;
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
  const Digest given = Hash(authorization.substr(kScheme.size()));
  return sodium_memcmp(given.data(), token_digest_.data(), given.size()) == 0;
}

}  // namespace nedbd
