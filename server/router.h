// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// The HTTP route table of nedbd: method + path pattern -> handler. A pattern
// is a '/'-separated path whose ":name" segments capture the (percent-decoded)
// segment of the request there, e.g. "/v1/databases/:name/rows/:coll/:id".
// Adding a route is one call:
//
//   router.Add(http::verb::post, "/v1/databases/:name/sql", Exec::kBlocking,
//              [&](Request& req) { return Response::Json(...); });
//
// The router also does what every route shares: path and query decoding,
// bearer-token auth on /v1/*, CORS preflight, 404/405, and turning the
// exceptions a handler throws into JSON errors (errors.h).
//
// Thread safety: Add() only before serving; Resolve() and Run() from any
// number of threads at once.
#ifndef NEDB_SERVER_ROUTER_H_
#define NEDB_SERVER_ROUTER_H_

#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth.h"
#include "http_types.h"

namespace nedbd {

// Where a handler runs. kInline: on the I/O thread that read the request
// (fast, non-blocking work: reads). kBlocking: on the blocking pool, for
// work that may wait on an fsync or the disk (writes, verify, checkpoint),
// so an I/O thread never sleeps). kAsync: an AsyncHandler, which hands its
// response to a callback later (writes through the WriteBatcher).
enum class Exec { kInline, kBlocking, kAsync };

using Handler = std::function<Response(Request&)>;
// Called on the I/O thread; must call done exactly once, from any thread,
// or throw before it has arranged for done to be called.
using Done = std::function<void(Response)>;
using AsyncHandler = std::function<void(Request&, Done done)>;

struct Route {
  http::verb method;
  std::string pattern;                // also the "route" label in /metrics
  std::vector<std::string> segments;  // pattern split on '/'
  Exec exec;
  bool auth;           // needs the bearer token (every /v1/* route)
  Handler handler;     // kInline, kBlocking
  AsyncHandler async;  // kAsync
};

// A request matched to its route, or the response it already has (a
// preflight, 404, 405, 401 or a malformed path).
struct Resolved {
  const Route* route = nullptr;          // null when response is set
  std::optional<Response> response;      // the immediate answer, if any
  Request request;                       // decoded path params and query
  std::string_view label = "unmatched";  // route label for metrics
};

class Router {
 public:
  explicit Router(Auth auth) : auth_(std::move(auth)) {}

  void Add(http::verb method, std::string_view pattern, Exec exec, Handler handler);
  void AddAsync(http::verb method, std::string_view pattern, AsyncHandler handler);

  // Matches method + target (path?query). body is moved into the request;
  // authorization is the Authorization header ("" if none).
  Resolved Resolve(http::verb method, std::string_view target, std::string body,
                   std::string_view authorization) const;

  // Runs the resolved route's handler; any exception becomes the JSON error
  // response of ErrorFromException(). Never throws.
  static Response Run(Resolved& resolved);
  // Runs an Exec::kAsync route: done gets its response, or the error if the
  // handler throws.
  static void RunAsync(Resolved& resolved, Done done);

  // Splits a path into percent-decoded segments; nullopt for a malformed
  // escape, a NUL byte, or a "." / ".." segment (nothing may walk the tree).
  static std::optional<std::vector<std::string>> SplitPath(std::string_view path);

 private:
  Auth auth_;
  std::vector<Route> routes_;
};

}  // namespace nedbd

#endif  // NEDB_SERVER_ROUTER_H_
