// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// GET /health, GET /metrics, and the databases themselves: list, create
// (with the init payload), detail, drop.
#include <nlohmann/json.hpp>

#include "routes.h"

namespace nedbd {

namespace {

using http::verb;
using nlohmann::json;

nlohmann::json CollectionsJson(const nedb::Stats& stats) {
  json out = json::object();
  for (const auto& [coll, n] : stats.collections) out[coll] = n;
  return out;
}

json Summary(const std::string& name, nedb::NEDB& db) {
  const nedb::Stats stats = db.stats();
  return {{"name", name},
          {"seq", stats.seq},
          {"head", db.head()},
          {"rows", stats.live_docs},
          {"collections", CollectionsJson(stats)}};
}

json Detail(const std::string& name, nedb::NEDB& db) {
  json out = Summary(name, db);
  out["indexes"] = db.indexes();
  out["verified"] = db.verify();
  out["open"] = db.open_info();
  out["ops_appended"] = db.stats().ops_appended;
  out["log"] = db.log(20);
  return out;
}

// A [a, b, c] triple of non-empty strings (an index spec or a link).
std::array<std::string, 3> Triple(const json& value, const char* what) {
  if (!value.is_array() || value.size() != 3 ||
      !std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); })) {
    throw HttpError(http::status::bad_request, "bad_init",
                    std::string("init: each of ") + what + " must be an array of 3 strings");
  }
  return {value[0].get<std::string>(), value[1].get<std::string>(), value[2].get<std::string>()};
}

// Checks the shape of the init payload before anything is created, so a
// malformed one creates nothing.
void ValidateInit(const json& init) {
  if (!init.is_object()) {
    throw HttpError(http::status::bad_request, "bad_init", "init must be an object");
  }
  for (const char* key : {"indexes", "links"}) {
    if (!init.contains(key)) continue;
    if (!init[key].is_array()) {
      throw HttpError(http::status::bad_request, "bad_init",
                      std::string("init.") + key + " must be an array");
    }
    for (const json& t : init[key]) Triple(t, key);
  }
  if (!init.contains("seed")) return;
  if (!init["seed"].is_object()) {
    throw HttpError(http::status::bad_request, "bad_init",
                    "init.seed must be an object: collection -> [documents]");
  }
  for (const auto& [coll, rows] : init["seed"].items()) {
    if (!rows.is_array()) {
      throw HttpError(http::status::bad_request, "bad_init",
                      "init.seed." + coll + " must be an array of documents");
    }
    for (const json& row : rows) {
      const json* id = row.is_object() && row.contains("id") ? &row["id"] : nullptr;
      if (id == nullptr && row.is_object() && row.contains("_id")) id = &row["_id"];
      if (id == nullptr || !id->is_string()) {
        throw HttpError(http::status::bad_request, "bad_init",
                        "init.seed." + coll + ": every document needs a string \"id\"");
      }
    }
  }
}

// Indexes first (so seeding fills them), then the seed and the links as
// one atomic group: one fsync for the whole seed.
void ApplyInit(nedb::NEDB& db, const json& init) {
  const json indexes = init.value("indexes", json::array());
  const json seed = init.value("seed", json::object());
  const json links = init.value("links", json::array());
  for (const json& t : indexes) {
    const auto [coll, field, kind] = Triple(t, "indexes");
    db.create_index(coll, field, kind);
  }
  db.atomic([&] {
    for (const auto& [coll, rows] : seed.items()) {
      for (const json& row : rows) {
        const json& id = row.contains("id") ? row["id"] : row["_id"];
        db.put(coll, id.get<std::string>(), row);
      }
    }
    for (const json& t : links) {
      const auto [from, rel, to] = Triple(t, "links");
      db.link(from, rel, to);
    }
  });
}

Response CreateDatabase(Request& req, DbRegistry& registry) {
  const json body = req.JsonBody();
  const std::string name = RequireString(body, "name");
  if (!DbRegistry::ValidName(name)) {
    throw HttpError(http::status::bad_request, "bad_name",
                    "invalid database name (must match [A-Za-z0-9_-]{1,64})");
  }
  const json init =
      body.contains("init") && !body["init"].is_null() ? body["init"] : json::object();
  ValidateInit(init);
  auto db = registry.Create(name);
  if (!db) {
    throw HttpError(http::status::conflict, "exists", "database " + name + " already exists");
  }
  try {
    ApplyInit(*db, init);
  } catch (...) {
    registry.Drop(name);  // all or nothing: a failed init leaves no database
    throw;
  }
  json out = {{"ok", true},
              {"name", name},
              {"seq", db->seq()},
              {"head", db->head()},
              {"indexes", db->indexes()}};
  return Response::Json(out, http::status::created);
}

}  // namespace

void AddAdminRoutes(Router& router, DbRegistry& registry, Metrics& metrics) {
  router.Add(verb::get, "/health", Exec::kInline, [&](Request&) {
    // The databases this daemon holds open: every one under the data root
    // is opened at boot, and created ones are added (no directory scan per
    // ping).
    json names = json::array();
    for (const auto& [name, db] : registry.OpenDatabases()) names.push_back(name);
    return Response::Json({{"ok", true}, {"version", nedb::kVersion}, {"databases", names}});
  });

  router.Add(verb::get, "/metrics", Exec::kInline, [&](Request&) {
    return Response::Text(metrics.Render(registry), "text/plain; version=0.0.4");
  });

  router.Add(verb::get, "/v1/databases", Exec::kBlocking, [&](Request&) {
    json list = json::array();
    for (const std::string& name : registry.Names()) {
      auto db = registry.Get(name, /*create=*/false);
      if (db) list.push_back(Summary(name, *db));
    }
    return Response::Json({{"databases", list}});
  });

  router.Add(verb::post, "/v1/databases", Exec::kBlocking,
             [&](Request& req) { return CreateDatabase(req, registry); });

  router.Add(verb::get, "/v1/databases/:name", Exec::kBlocking, [&](Request& req) {
    return Response::Json(Detail(req.Param("name"), *DatabaseOf(req, registry)));
  });

  router.Add(verb::delete_, "/v1/databases/:name", Exec::kBlocking, [&](Request& req) {
    DatabaseOf(req, registry);  // 400 / 404
    if (!registry.Drop(req.Param("name"))) {
      throw HttpError(http::status::not_found, "no_database", "no database " + req.Param("name"));
    }
    return Response::Json({{"ok", true}, {"dropped", req.Param("name")}});
  });
}

}  // namespace nedbd
