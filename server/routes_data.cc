// Copyright (c) NEDB authors.
//
// The routes under /v1/databases/:name/: queries, writes, rows, the graph,
// TTL, verify, log and checkpoint. Writes and disk-bound work run on the
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

Response Put(Request& req, nedb::NEDB& db) {
  const json body = req.JsonBody();
  const std::string coll = RequireString(body, "coll");
  const std::string id = RequireString(body, "id");
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
  json stored = db.put(coll, id, std::move(*doc), options);
  json out = Position(db);
  out["ok"] = true;
  out["doc"] = std::move(stored);
  return Response::Json(out);
}

// link and unlink: {"frm" (or "from"), "rel", "to", client?, nonce?, idem?}.
Response Edge(Request& req, nedb::NEDB& db, bool add) {
  const json body = req.JsonBody();
  const std::string from = RequireString(body, body.contains("frm") ? "frm" : "from");
  const std::string rel = RequireString(body, "rel");
  const std::string to = RequireString(body, "to");
  const nedb::WriteOptions options = WriteOptionsOf(body);
  const bool changed = add ? db.link(from, rel, to, options) : db.unlink(from, rel, to, options);
  json out = Position(db);
  out["ok"] = true;
  out[add ? "created" : "removed"] = changed;
  return Response::Json(out);
}

Response DeleteRow(Request& req, nedb::NEDB& db) {
  // No body on a DELETE: the write options come in the query string.
  json opts = json::object();
  if (auto client = req.Query("client")) opts["client"] = *client;
  if (auto nonce = req.QueryUint("nonce")) opts["nonce"] = *nonce;
  if (auto idem = req.Query("idem")) opts["idem"] = *idem;
  const std::string& coll = req.Param("coll");
  const std::string& id = req.Param("id");
  if (!db.remove(coll, id, WriteOptionsOf(opts))) {
    throw HttpError(http::status::not_found, "no_row", "no row " + coll + "/" + id);
  }
  json out = Position(db);
  out["ok"] = true;
  return Response::Json(out);
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

Response Expire(Request& req, nedb::NEDB& db) {
  const json body = req.JsonBody();
  const std::string coll = RequireString(body, "coll");
  const std::string id = RequireString(body, "id");
  if (!body.contains("ttl_s") || !body["ttl_s"].is_number()) {
    throw HttpError(http::status::bad_request, "missing_field", "\"ttl_s\" must be a number");
  }
  if (!db.expire(coll, id, body["ttl_s"].get<double>(), WriteOptionsOf(body))) {
    throw HttpError(http::status::not_found, "no_row", "no row " + coll + "/" + id);
  }
  json out = Position(db);
  out["ok"] = true;
  return Response::Json(out);
}

Response Log(Request& req, nedb::NEDB& db) {
  const std::size_t limit = static_cast<std::size_t>(
      std::min<std::uint64_t>(req.QueryUint("limit").value_or(50), kMaxLogLimit));
  const std::vector<json> entries = db.log(limit);
  return Response::Json({{"entries", entries}, {"count", entries.size()}});
}

}  // namespace

void AddDataRoutes(Router& router, DbRegistry& registry) {
  // Adds a route whose handler gets the database named by :name.
  auto add = [&](verb method, std::string_view pattern, Exec exec,
                 std::function<Response(Request&, nedb::NEDB&)> fn) {
    router.Add(method, pattern, exec, [&registry, fn = std::move(fn)](Request& req) {
      auto db = DatabaseOf(req, registry);
      return fn(req, *db);
    });
  };
  const std::string base = "/v1/databases/:name";
  add(verb::post, base + "/query", Exec::kInline, Query);
  add(verb::post, base + "/sql", Exec::kBlocking, Sql);
  add(verb::post, base + "/put", Exec::kBlocking, Put);
  add(verb::post, base + "/index", Exec::kBlocking, [](Request& req, nedb::NEDB& db) {
    const json body = req.JsonBody();
    db.create_index(RequireString(body, "coll"), RequireString(body, "field"),
                    RequireString(body, "kind"));
    return Response::Json({{"ok", true}, {"indexes", db.indexes()}});
  });
  add(verb::post, base + "/link", Exec::kBlocking,
      [](Request& req, nedb::NEDB& db) { return Edge(req, db, /*add=*/true); });
  add(verb::post, base + "/unlink", Exec::kBlocking,
      [](Request& req, nedb::NEDB& db) { return Edge(req, db, /*add=*/false); });
  add(verb::get, base + "/rows/:coll/:id", Exec::kInline, GetRow);
  add(verb::delete_, base + "/rows/:coll/:id", Exec::kBlocking, DeleteRow);
  add(verb::get, base + "/neighbors", Exec::kInline,
      [](Request& req, nedb::NEDB& db) { return Graph(req, db, /*outbound=*/true); });
  add(verb::get, base + "/inbound", Exec::kInline,
      [](Request& req, nedb::NEDB& db) { return Graph(req, db, /*outbound=*/false); });
  add(verb::post, base + "/expire", Exec::kBlocking, Expire);
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
