// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// The routes under /v1/databases/:name/: queries, writes, rows, the graph,
// TTL, verify, log and checkpoint. Single writes go through the
// WriteBatcher (one fsync per batch), other disk-bound work runs on the
// blocking pool (Exec::kBlocking), reads inline.
#include <nlohmann/json.hpp>

#include "nedb/sql.h"
#include "routes.h"

namespace nedbd {

namespace {

using http::verb;
using nlohmann::json;

constexpr std::size_t kMaxLogLimit = 10000;

// seq and head read together after a write: the database's position then
// (at least the write's own seq; later writes may already be in).
json Position(nedb::NEDB& db) { return {{"seq", db.seq()}, {"head", db.head()}}; }

Response Query(Request& req, nedb::NEDB& db) {
  const json body = req.JsonBody();
  const std::string nql = RequireString(body, "nql");
  if (body.value("explain", false)) return Response::Json({{"plan", db.explain(nql)}});
  const std::vector<json> rows = db.query(nql);
  json out = Position(db);
  out["rows"] = rows;
  out["count"] = rows.size();
  return Response::Json(out);
}

// POST .../sql {"sql": "..."} (docs/SQL.md): a SELECT answers like /query,
// a write with {"affected", "seq", "head"}; SQL errors are bad_query (400).
Response Sql(Request& req, nedb::NEDB& db) {
  const json body = req.JsonBody();
  json result = nedb::sql_exec(db, RequireString(body, "sql"));
  json out = Position(db);
  if (result.is_array()) {
    out["count"] = result.size();
    out["rows"] = std::move(result);
  } else {
    out["affected"] = result["affected"];
    out["seq"] = result["seq"];
  }
  return Response::Json(out);
}

// Parses and checks a put on the I/O thread; the returned job does it.
WriteBatcher::Job Put(Request& req, std::shared_ptr<nedb::NEDB> db) {
  json body = req.JsonBody();
  std::string coll = RequireString(body, "coll");
  std::string id = RequireString(body, "id");
  auto doc = body.find("doc");
  if (doc == body.end() || !doc->is_object()) {
    throw HttpError(http::status::bad_request, "missing_field", "\"doc\" must be a JSON object");
  }
  nedb::WriteOptions options = WriteOptionsOf(body);
  if (auto ttl = body.find("ttl_s"); ttl != body.end() && !ttl->is_null()) {
    if (!ttl->is_number()) {
      throw HttpError(http::status::bad_request, "bad_request", "\"ttl_s\" must be a number");
    }
    options.ttl_s = ttl->get<double>();
  }
  return [db, coll = std::move(coll), id = std::move(id), doc = std::move(*doc),
          options = std::move(options)]() mutable {
    json stored = db->put(coll, id, std::move(doc), options);
    json out = Position(*db);
    out["ok"] = true;
    out["doc"] = std::move(stored);
    return Response::Json(out);
  };
}

// link and unlink: {"frm" (or "from"), "rel", "to", client?, nonce?, idem?}.
WriteBatcher::Job Edge(Request& req, std::shared_ptr<nedb::NEDB> db, bool add) {
  const json body = req.JsonBody();
  std::string from = RequireString(body, body.contains("frm") ? "frm" : "from");
  std::string rel = RequireString(body, "rel");
  std::string to = RequireString(body, "to");
  return [db, add, from = std::move(from), rel = std::move(rel), to = std::move(to),
          options = WriteOptionsOf(body)] {
    const bool changed =
        add ? db->link(from, rel, to, options) : db->unlink(from, rel, to, options);
    json out = Position(*db);
    out["ok"] = true;
    out[add ? "created" : "removed"] = changed;
    return Response::Json(out);
  };
}

WriteBatcher::Job DeleteRow(Request& req, std::shared_ptr<nedb::NEDB> db) {
  // No body on a DELETE: the write options come in the query string.
  json opts = json::object();
  if (auto client = req.Query("client")) opts["client"] = *client;
  if (auto nonce = req.QueryUint("nonce")) opts["nonce"] = *nonce;
  if (auto idem = req.Query("idem")) opts["idem"] = *idem;
  return [db, coll = req.Param("coll"), id = req.Param("id"), options = WriteOptionsOf(opts)] {
    if (!db->remove(coll, id, options)) {
      throw HttpError(http::status::not_found, "no_row", "no row " + coll + "/" + id);
    }
    json out = Position(*db);
    out["ok"] = true;
    return Response::Json(out);
  };
}

Response GetRow(Request& req, nedb::NEDB& db) {
  const auto as_of = AsOf(req);
  auto doc = db.get(req.Param("coll"), req.Param("id"), as_of);
  if (!doc) {
    throw HttpError(http::status::not_found, "no_row",
                    "no row " + req.Param("coll") + "/" + req.Param("id"));
  }
  return Response::Json({{"doc", std::move(*doc)}, {"as_of", as_of ? json(*as_of) : json()}});
}

Response Graph(Request& req, nedb::NEDB& db, bool outbound) {
  const auto node = req.Query("node"), rel = req.Query("rel");
  if (!node || !rel) {
    throw HttpError(http::status::bad_request, "missing_field",
                    "query parameters node and rel are required");
  }
  const auto as_of = AsOf(req);
  auto nodes = outbound ? db.neighbors(*node, *rel, as_of) : db.inbound(*node, *rel, as_of);
  return Response::Json({{"node", *node}, {"rel", *rel}, {"nodes", nodes}});
}

WriteBatcher::Job Expire(Request& req, std::shared_ptr<nedb::NEDB> db) {
  const json body = req.JsonBody();
  std::string coll = RequireString(body, "coll");
  std::string id = RequireString(body, "id");
  if (!body.contains("ttl_s") || !body["ttl_s"].is_number()) {
    throw HttpError(http::status::bad_request, "missing_field", "\"ttl_s\" must be a number");
  }
  return [db, coll = std::move(coll), id = std::move(id), ttl = body["ttl_s"].get<double>(),
          options = WriteOptionsOf(body)] {
    if (!db->expire(coll, id, ttl, options)) {
      throw HttpError(http::status::not_found, "no_row", "no row " + coll + "/" + id);
    }
    json out = Position(*db);
    out["ok"] = true;
    return Response::Json(out);
  };
}

Response Log(Request& req, nedb::NEDB& db) {
  const std::size_t limit = static_cast<std::size_t>(
      std::min<std::uint64_t>(req.QueryUint("limit").value_or(50), kMaxLogLimit));
  const std::vector<json> entries = db.log(limit);
  return Response::Json({{"entries", entries}, {"count", entries.size()}});
}

}  // namespace

void AddDataRoutes(Router& router, DbRegistry& registry, WriteBatcher& batcher) {
  // Adds a route whose handler gets the database named by :name.
  auto add = [&](verb method, std::string_view pattern, Exec exec,
                 std::function<Response(Request&, nedb::NEDB&)> fn) {
    router.Add(method, pattern, exec, [&registry, fn = std::move(fn)](Request& req) {
      auto db = DatabaseOf(req, registry);
      return fn(req, *db);
    });
  };
  // Adds a write: prepare checks the request on the I/O thread (errors are
  // answered at once) and returns the job the batcher runs.
  using Prepare = std::function<WriteBatcher::Job(Request&, std::shared_ptr<nedb::NEDB>)>;
  auto write = [&](verb method, std::string_view pattern, Prepare prepare) {
    router.AddAsync(method, pattern,
                    [&registry, &batcher, prepare = std::move(prepare)](Request& req, Done done) {
                      auto db = DatabaseOf(req, registry);
                      WriteBatcher::Job job = prepare(req, db);
                      batcher.Submit(req.Param("name"), std::move(db), std::move(job),
                                     std::move(done));
                    });
  };
  const std::string base = "/v1/databases/:name";
  add(verb::post, base + "/query", Exec::kInline, Query);
  add(verb::post, base + "/sql", Exec::kBlocking, Sql);
  write(verb::post, base + "/put", Put);
  add(verb::post, base + "/index", Exec::kBlocking, [](Request& req, nedb::NEDB& db) {
    const json body = req.JsonBody();
    db.create_index(RequireString(body, "coll"), RequireString(body, "field"),
                    RequireString(body, "kind"));
    return Response::Json({{"ok", true}, {"indexes", db.indexes()}});
  });
  write(verb::post, base + "/link",
        [](Request& req, std::shared_ptr<nedb::NEDB> db) { return Edge(req, db, /*add=*/true); });
  write(verb::post, base + "/unlink",
        [](Request& req, std::shared_ptr<nedb::NEDB> db) { return Edge(req, db, /*add=*/false); });
  add(verb::get, base + "/rows/:coll/:id", Exec::kInline, GetRow);
  write(verb::delete_, base + "/rows/:coll/:id", DeleteRow);
  add(verb::get, base + "/neighbors", Exec::kInline,
      [](Request& req, nedb::NEDB& db) { return Graph(req, db, /*outbound=*/true); });
  add(verb::get, base + "/inbound", Exec::kInline,
      [](Request& req, nedb::NEDB& db) { return Graph(req, db, /*outbound=*/false); });
  write(verb::post, base + "/expire", Expire);
  add(verb::post, base + "/sweep", Exec::kBlocking, [](Request&, nedb::NEDB& db) {
    const std::size_t deleted = db.sweep();
    json out = Position(db);
    out["ok"] = true;
    out["deleted"] = deleted;
    return Response::Json(out);
  });
  add(verb::get, base + "/verify", Exec::kBlocking, [](Request&, nedb::NEDB& db) {
    const bool ok = db.verify();
    json out = Position(db);
    out["ok"] = ok;
    return Response::Json(out);
  });
  add(verb::get, base + "/log", Exec::kBlocking, Log);
  add(verb::post, base + "/checkpoint", Exec::kBlocking,
      [](Request&, nedb::NEDB& db) { return Response::Json(db.checkpoint()); });
}

}  // namespace nedbd
