// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
#include "router.h"

#include <boost/beast/http/field.hpp>

namespace nedbd {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes text; plus_is_space for query strings. nullopt for a bad
// escape or a NUL byte.
std::optional<std::string> Decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool Matches(const Route& route, const std::vector<std::string>& segments) {
  if (route.segments.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& p = route.segments[i];
    if (p.empty() || p[0] != ':') {
      if (p != segments[i]) return false;
    } else if (segments[i].empty()) {
      return false;  // a parameter is never empty
    }
  }
  return true;
}

Response BadPath() {
  return ErrorResponse(http::status::bad_request, "bad_path",
                       "malformed path: bad percent-escape, NUL, '.' or '..' segment");
}

}  // namespace

std::optional<std::vector<std::string>> Router::SplitPath(std::string_view path) {
  if (path.empty() || path[0] != '/') return std::nullopt;
  path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);  // "/v1/databases/"
  std::vector<std::string> segments;
  for (std::string_view raw : Split(path, '/')) {
    auto seg = Decode(raw, /*plus_is_space=*/false);
    if (!seg || *seg == "." || *seg == "..") return std::nullopt;
    segments.push_back(std::move(*seg));
  }
  return segments;
}

void Router::Add(http::verb method, std::string_view pattern, Exec exec, Handler handler) {
  Route route{method, std::string(pattern),          {},
              exec,   pattern.rfind("/v1/", 0) == 0, std::move(handler)};
  for (std::string_view seg : Split(pattern.substr(1), '/')) route.segments.emplace_back(seg);
  routes_.push_back(std::move(route));
}

void Router::AddAsync(http::verb method, std::string_view pattern, AsyncHandler handler) {
  Add(method, pattern, Exec::kAsync, nullptr);
  routes_.back().async = std::move(handler);
}

Resolved Router::Resolve(http::verb method, std::string_view target, std::string body,
                         std::string_view authorization) const {
  Resolved out;
  out.request.method = method;
  out.request.body = std::move(body);
  const std::size_t q = target.find('?');
  auto segments = SplitPath(target.substr(0, q));
  if (!segments) {
    out.response = BadPath();
    return out;
  }
  if (q != std::string_view::npos) {
    for (std::string_view pair : Split(target.substr(q + 1), '&')) {
      if (pair.empty()) continue;
      const std::size_t eq = pair.find('=');
      auto key = Decode(pair.substr(0, eq), true);
      auto value = Decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
      if (!key || !value) {
        out.response =
            ErrorResponse(http::status::bad_request, "bad_query_string", "malformed query string");
        return out;
      }
      out.request.query.emplace_back(std::move(*key), std::move(*value));
    }
  }

  std::string allow;
  const Route* found = nullptr;
  for (const Route& route : routes_) {
    if (!Matches(route, *segments)) continue;
    out.label = route.pattern;
    if (route.method == method) {
      found = &route;
      break;
    }
    if (!allow.empty()) allow += ", ";
    allow += std::string(http::to_string(route.method));
  }
  if (method == http::verb::options) {
    // CORS preflight: answered for any path, without auth (browsers send
    // no credentials on a preflight). The CORS headers are added to every
    // response by the server.
    out.response = Response{http::status::no_content, "", "", {}};
    return out;
  }
  if (!found) {
    if (allow.empty()) {
      out.response = ErrorResponse(http::status::not_found, "no_route", "no such route");
    } else {
      out.response = ErrorResponse(http::status::method_not_allowed, "method_not_allowed",
                                   "method not allowed here; allowed: " + allow);
      out.response->headers.emplace_back(http::field::allow, allow + ", OPTIONS");
    }
    return out;
  }
  if (found->auth && !auth_.Allows(authorization)) {
    out.response = ErrorResponse(http::status::unauthorized, "unauthorized",
                                 "missing or wrong bearer token (Authorization: Bearer <token>)");
    out.response->headers.emplace_back(http::field::www_authenticate, "Bearer");
    return out;
  }
  for (std::size_t i = 0; i < found->segments.size(); ++i) {
    if (!found->segments[i].empty() && found->segments[i][0] == ':') {
      out.request.params.emplace_back(found->segments[i].substr(1), std::move((*segments)[i]));
    }
  }
  out.route = found;
  return out;
}

Response Router::Run(Resolved& resolved) {
  try {
    return resolved.route->handler(resolved.request);
  } catch (...) {
    return ErrorFromException(std::current_exception());
  }
}

void Router::RunAsync(Resolved& resolved, Done done) {
  try {
    resolved.route->async(resolved.request, done);
  } catch (...) {
    done(ErrorFromException(std::current_exception()));
  }
}

}  // namespace nedbd
