// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// nedbd's HTTP routes (docs/SERVER.md), added to a Router. Each Add*Routes
// function registers one group; a new group (e.g. SQL) is one more function
// called from AddAllRoutes().
#ifndef NEDB_SERVER_ROUTES_H_
#define NEDB_SERVER_ROUTES_H_

#include <memory>
#include <optional>
#include <string>

#include "db_registry.h"
#include "metrics.h"
#include "nedb/nedb.h"
#include "router.h"
#include "write_batcher.h"

namespace nedbd {

// GET /health, GET /metrics, GET/POST /v1/databases, GET/DELETE
// /v1/databases/:name.
void AddAdminRoutes(Router& router, DbRegistry& registry, Metrics& metrics);
// Everything under /v1/databases/:name/ (query, put, rows, graph, ...).
// Writes (put, delete, link, unlink, expire) go through batcher.
void AddDataRoutes(Router& router, DbRegistry& registry, WriteBatcher& batcher);
// /root, /proof, /consistency and /erase (routes_proof.cc).
void AddProofRoutes(Router& router, DbRegistry& registry);

inline void AddAllRoutes(Router& router, DbRegistry& registry, Metrics& metrics,
                         WriteBatcher& batcher) {
  AddAdminRoutes(router, registry, metrics);
  AddDataRoutes(router, registry, batcher);
  AddProofRoutes(router, registry);
}

// ---- helpers shared by the route files ----

// The database named by the ":name" parameter: 400 bad_name for an invalid
// name, 404 no_database if it does not exist.
std::shared_ptr<nedb::NEDB> DatabaseOf(const Request& req, DbRegistry& registry);

// body[key] as a non-empty string (400 missing_field / bad_request otherwise).
std::string RequireString(const nlohmann::json& body, const char* key);
// The write options a body (or query string) may carry: client, nonce, idem.
nedb::WriteOptions WriteOptionsOf(const nlohmann::json& body);
// The ?as_of=N of a read, if any.
inline std::optional<std::uint64_t> AsOf(const Request& req) { return req.QueryUint("as_of"); }

}  // namespace nedbd

#endif  // NEDB_SERVER_ROUTES_H_
