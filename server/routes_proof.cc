// SPDX-License-Identifier: Apache-2.0
//
// The routes of the history as a Merkle tree (docs/MERKLE.md) and erasure:
// GET .../root, .../proof, .../consistency and POST .../erase.
#include <nlohmann/json.hpp>

#include "routes.h"

namespace nedbd {

namespace {

using http::verb;
using nlohmann::json;

// ?key=N, required.
std::uint64_t RequireUint(const Request& req, const char* key) {
  if (auto v = req.QueryUint(key)) return *v;
  throw HttpError(http::status::bad_request, "missing_field",
                  std::string("query parameter ") + key + " (a non-negative integer) is required");
}

// ?key=N, or the size of the whole tree (every op).
std::uint64_t SizeOr(const Request& req, const char* key, const nedb::NEDB& db) {
  const auto size = req.QueryUint(key);
  return size ? *size : db.seq() + 1;
}

Response Root(Request& req, nedb::NEDB& db) {
  const std::uint64_t tree_size = SizeOr(req, "size", db);
  return Response::Json({{"tree_size", tree_size}, {"root", db.root(tree_size)}});
}

Response Proof(Request& req, nedb::NEDB& db) {
  const std::uint64_t seq = RequireUint(req, "seq");
  const std::uint64_t tree_size = SizeOr(req, "size", db);
  const nedb::InclusionProof p = db.prove(seq, tree_size);
  return Response::Json({{"index", p.index},
                         {"tree_size", p.tree_size},
                         {"leaf_hash", p.leaf_hash},
                         {"entry", db.leaf_entry(seq)},
                         {"path", p.path},
                         {"root", db.root(tree_size)}});
}

Response Consistency(Request& req, nedb::NEDB& db) {
  const std::uint64_t from = RequireUint(req, "from");
  const std::uint64_t size2 = SizeOr(req, "to", db);
  const nedb::ConsistencyProof p = db.prove_consistency(from, size2);
  return Response::Json({{"size1", p.size1},
                         {"size2", p.size2},
                         {"path", p.path},
                         {"root1", db.root(p.size1)},
                         {"root2", db.root(p.size2)}});
}

// {"coll", "id", "reason"?, client?, nonce?, idem?}: runs on the blocking
// pool, not the write batcher (an erase is never part of a batch: it makes
// its op durable, then rewrites records).
Response Erase(Request& req, nedb::NEDB& db) {
  const json body = req.JsonBody();
  const nedb::WriteOptions w = WriteOptionsOf(body);
  nedb::EraseOptions o{.client = w.client, .nonce = w.nonce, .idem = w.idem};
  if (auto r = body.find("reason"); r != body.end() && !r->is_null()) {
    if (!r->is_string()) {
      throw HttpError(http::status::bad_request, "bad_request", "\"reason\" must be a string");
    }
    o.reason = r->get<std::string>();
  }
  const std::uint64_t seq = db.erase(RequireString(body, "coll"), RequireString(body, "id"), o);
  return Response::Json({{"ok", true}, {"seq", seq}, {"head", db.head()}});
}

}  // namespace

void AddProofRoutes(Router& router, DbRegistry& registry) {
  auto add = [&](verb method, std::string_view pattern, Exec exec,
                 Response (*fn)(Request&, nedb::NEDB&)) {
    router.Add(method, pattern, exec, [&registry, fn](Request& req) {
      auto db = DatabaseOf(req, registry);
      return fn(req, *db);
    });
  };
  const std::string base = "/v1/databases/:name";
  add(verb::get, base + "/root", Exec::kInline, Root);
  add(verb::get, base + "/proof", Exec::kBlocking, Proof);
  add(verb::get, base + "/consistency", Exec::kInline, Consistency);
  add(verb::post, base + "/erase", Exec::kBlocking, Erase);
}

}  // namespace nedbd
