// Copyright (c) NEDB authors. Helpers shared by the route files.
// SPDX-License-Identifier: Apache-2.0
#include "routes.h"

namespace nedbd {

std::shared_ptr<nedb::NEDB> DatabaseOf(const Request& req, DbRegistry& registry) {
  const std::string& name = req.Param("name");
  if (!DbRegistry::ValidName(name)) {
    throw HttpError(http::status::bad_request, "bad_name",
                    "invalid database name (must match [A-Za-z0-9_-]{1,64})");
  }
  auto db = registry.Get(name, /*create=*/false);
  if (!db) throw HttpError(http::status::not_found, "no_database", "no database " + name);
  return db;
}

std::string RequireString(const nlohmann::json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    throw HttpError(http::status::bad_request, "missing_field",
                    std::string("missing field \"") + key + "\"");
  }
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    throw HttpError(http::status::bad_request, "bad_request",
                    std::string("field \"") + key + "\" must be a non-empty string");
  }
  return it->get<std::string>();
}

nedb::WriteOptions WriteOptionsOf(const nlohmann::json& body) {
  nedb::WriteOptions options;
  if (auto it = body.find("client"); it != body.end() && !it->is_null()) {
    options.client = it->get<std::string>();
  }
  if (auto it = body.find("nonce"); it != body.end() && !it->is_null()) {
    if (!it->is_number_unsigned()) {
      throw HttpError(http::status::bad_request, "bad_request",
                      "field \"nonce\" must be a non-negative integer");
    }
    options.nonce = it->get<std::uint64_t>();
  }
  if (auto it = body.find("idem"); it != body.end() && !it->is_null()) {
    options.idem = it->get<std::string>();
  }
  return options;
}

}  // namespace nedbd
