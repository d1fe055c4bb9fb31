// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
#include "http_types.h"

#include <algorithm>
#include <charconv>

#include "nedb/errors.h"

namespace nedbd {

const std::string& Request::Param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  throw std::logic_error("route has no parameter " + std::string(name));
}

std::optional<std::string> Request::Query(std::string_view key) const {
  for (const auto& [k, v] : query) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> Request::QueryUint(std::string_view key) const {
  auto text = Query(key);
  if (!text) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size()) {
    throw HttpError(http::status::bad_request, "bad_request",
                    "query parameter " + std::string(key) + " must be a non-negative integer");
  }
  return value;
}

namespace {

// Deepest [ / { nesting of a JSON text (outside strings). Checked before
// parsing: the parser is iterative, but dumping and the engine's document
// code recurse, so a body of a million '[' must not reach them.
std::size_t NestingDepth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

nlohmann::json Request::JsonBody() const {
  if (body.empty()) {
    throw HttpError(http::status::bad_request, "bad_json", "the request body must be JSON");
  }
  if (NestingDepth(body) > kMaxJsonDepth) {
    throw HttpError(http::status::bad_request, "bad_json",
                    "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  nlohmann::json value = nlohmann::json::parse(body);  // parse_error -> 400 bad_json
  if (!value.is_object()) {
    throw HttpError(http::status::bad_request, "bad_request", "the body must be a JSON object");
  }
  return value;
}

Response Response::Json(const nlohmann::json& value, http::status status) {
  Response r;
  r.status = status;
  // Replace invalid UTF-8 rather than throw: stored ids are validated, but
  // an error message may quote raw request bytes.
  r.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::Text(std::string body, std::string_view content_type) {
  Response r;
  r.body = std::move(body);
  r.content_type = content_type;
  return r;
}

Response ErrorResponse(http::status status, std::string_view code, std::string_view message) {
  return Response::Json({{"error", {{"code", code}, {"message", message}}}}, status);
}

Response ErrorFromException(std::exception_ptr error) {
  using S = http::status;
  try {
    std::rethrow_exception(error);
  } catch (const HttpError& e) {
    return ErrorResponse(e.status(), e.code(), e.what());
  } catch (const nlohmann::json::parse_error& e) {
    return ErrorResponse(S::bad_request, "bad_json", e.what());
  } catch (const nlohmann::json::exception& e) {
    // .get<std::string>() on a number and the like: a field of the wrong type.
    return ErrorResponse(S::bad_request, "bad_request", e.what());
  } catch (const nedb::QueryError& e) {
    Response r = Response::Json(
        {{"error", {{"code", "bad_query"}, {"message", e.what()}, {"position", e.position()}}}},
        S::bad_request);
    return r;
  } catch (const nedb::ErasedError& e) {
    return Response::Json(
        {{"error", {{"code", "erased"}, {"message", e.what()}, {"erase_seq", e.erase_seq()}}}},
        S::gone);
  } catch (const nedb::InvalidArgument& e) {
    return ErrorResponse(S::bad_request, "invalid_argument", e.what());
  } catch (const nedb::NotFound& e) {
    return ErrorResponse(S::not_found, "not_found", e.what());
  } catch (const nedb::ClosedError& e) {
    return ErrorResponse(S::not_found, "not_found", "the database was dropped or closed");
  } catch (const nedb::ReplayError& e) {
    return ErrorResponse(S::conflict, "replay", e.what());
  } catch (const nedb::LockError& e) {
    return ErrorResponse(S::service_unavailable, "locked", e.what());
  } catch (const nedb::CorruptionError& e) {
    return ErrorResponse(S::internal_server_error, "corruption", e.what());
  } catch (const nedb::IOError& e) {
    return ErrorResponse(S::internal_server_error, "io_error", e.what());
  } catch (const std::bad_alloc&) {
    return ErrorResponse(S::internal_server_error, "internal", "out of memory");
  } catch (const std::exception& e) {
    return ErrorResponse(S::internal_server_error, "internal", e.what());
  } catch (...) {
    return ErrorResponse(S::internal_server_error, "internal", "unknown error");
  }
}

}  // namespace nedbd
