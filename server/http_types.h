// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// What a nedbd route handler sees and returns, and the JSON error shape
// {"error": {"code": "...", "message": "..."}} every failure takes
// (docs/SERVER.md, "Errors").
#ifndef NEDB_SERVER_HTTP_TYPES_H_
#define NEDB_SERVER_HTTP_TYPES_H_

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nedbd {

namespace http = boost::beast::http;

// The deepest JSON nesting a request body may have.
inline constexpr std::size_t kMaxJsonDepth = 256;

struct Request {
  http::verb method = http::verb::get;
  std::vector<std::pair<std::string, std::string>> params;  // ":name" -> decoded segment
  std::vector<std::pair<std::string, std::string>> query;   // decoded ?k=v pairs
  std::string body;

  // The captured path segment `name` (the pattern guarantees it exists).
  const std::string& Param(std::string_view name) const;
  // The first query value for key, if any.
  std::optional<std::string> Query(std::string_view key) const;
  // A query value that must be a non-negative integer (400 otherwise).
  std::optional<std::uint64_t> QueryUint(std::string_view key) const;
  // The body parsed as a JSON object (400 bad_json / bad_request otherwise,
  // also for nesting deeper than kMaxJsonDepth).
  nlohmann::json JsonBody() const;
};

struct Response {
  http::status status = http::status::ok;
  std::string body;
  std::string_view content_type = "application/json";
  std::vector<std::pair<http::field, std::string>> headers;  // extra, e.g. Allow

  static Response Json(const nlohmann::json& value, http::status status = http::status::ok);
  static Response Text(std::string body, std::string_view content_type);
};

// Thrown by handlers for a client error with a given status and code.
class HttpError : public std::runtime_error {
 public:
  HttpError(http::status status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  http::status status() const { return status_; }
  const std::string& code() const { return code_; }

 private:
  http::status status_;
  std::string code_;
};

// {"error": {"code": code, "message": message}} with status.
Response ErrorResponse(http::status status, std::string_view code, std::string_view message);

// Maps an exception to its error response: HttpError as given; malformed
// JSON 400 bad_json; nedb::QueryError 400 bad_query (with "position");
// nedb::InvalidArgument 400; nedb::NotFound 404; nedb::ClosedError 404
// (dropped meanwhile); nedb::ReplayError 409; nedb::LockError 503;
// nedb::CorruptionError, nedb::IOError and anything else 500.
Response ErrorFromException(std::exception_ptr error);

}  // namespace nedbd

#endif  // NEDB_SERVER_HTTP_TYPES_H_
