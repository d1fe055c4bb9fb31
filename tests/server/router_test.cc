// SPDX-License-Identifier: Apache-2.0
// Unit tests of nedbd's router: path decoding, matching, 404/405, auth,
// and the mapping of exceptions to JSON errors.
#include "router.h"

#include <gtest/gtest.h>

#include "nedb/errors.h"

namespace nedbd {
namespace {

using http::status;
using http::verb;

Router MakeRouter(std::string_view token = "") {
  Router router{Auth(token)};
  router.Add(verb::get, "/health", Exec::kInline, [](Request&) {
    return Response::Json({{"ok", true}});
  });
  router.Add(verb::get, "/v1/databases/:name/rows/:coll/:id", Exec::kInline, [](Request& req) {
    return Response::Json({{"name", req.Param("name")},
                           {"coll", req.Param("coll")},
                           {"id", req.Param("id")},
                           {"as_of", req.Query("as_of").value_or("")}});
  });
  router.Add(verb::delete_, "/v1/databases/:name/rows/:coll/:id", Exec::kBlocking,
             [](Request&) -> Response { throw nedb::ReplayError("stale nonce"); });
  router.Add(verb::post, "/v1/q", Exec::kInline, [](Request& req) -> Response {
    req.JsonBody();
    throw nedb::QueryError("bad", 7);
  });
  return router;
}

nlohmann::json Body(const Response& r) { return nlohmann::json::parse(r.body); }

TEST(RouterTest, SplitPathDecodesAndRejectsTraversal) {
  EXPECT_EQ(*Router::SplitPath("/v1/databases/a%20b/"),
            (std::vector<std::string>{"v1", "databases", "a b"}));
  EXPECT_EQ(*Router::SplitPath("/v1/x%2Fy"), (std::vector<std::string>{"v1", "x/y"}));
  for (const char* bad : {"", "v1", "/v1/..", "/v1/.", "/v1/%2e%2e", "/v1/%2E", "/v1/%zz", "/v1/%2",
                          "/v1/%", "/v1/a%00b"}) {
    EXPECT_FALSE(Router::SplitPath(bad).has_value()) << bad;
  }
}

TEST(RouterTest, MatchesParamsAndQuery) {
  Router router = MakeRouter();
  Resolved r = router.Resolve(verb::get, "/v1/databases/shop/rows/users/u%2F1?as_of=3&x", "", "");
  ASSERT_NE(r.route, nullptr);
  EXPECT_EQ(r.label, "/v1/databases/:name/rows/:coll/:id");
  const auto body = Body(Router::Run(r));
  EXPECT_EQ(body["id"], "u/1");
  EXPECT_EQ(body["as_of"], "3");
  EXPECT_EQ(r.route->exec, Exec::kInline);
}

TEST(RouterTest, NotFoundMethodNotAllowedAndPreflight) {
  Router router = MakeRouter();
  Resolved r = router.Resolve(verb::get, "/nothing", "", "");
  ASSERT_TRUE(r.response);
  EXPECT_EQ(r.response->status, status::not_found);
  r = router.Resolve(verb::post, "/v1/databases/a/rows/b/c", "", "");
  ASSERT_TRUE(r.response);
  EXPECT_EQ(r.response->status, status::method_not_allowed);
  ASSERT_EQ(r.response->headers.size(), 1u);
  EXPECT_EQ(r.response->headers[0].second, "GET, DELETE, OPTIONS");
  r = router.Resolve(verb::options, "/v1/databases/a/rows/b/c", "", "");
  ASSERT_TRUE(r.response);
  EXPECT_EQ(r.response->status, status::no_content);
  r = router.Resolve(verb::get, "/v1/databases/%2e%2e/rows/b/c", "", "");
  ASSERT_TRUE(r.response);
  EXPECT_EQ(r.response->status, status::bad_request);
}

TEST(RouterTest, AuthOnV1Only) {
  Router router = MakeRouter("s3cret");
  EXPECT_EQ(router.Resolve(verb::get, "/health", "", "").route != nullptr, true);
  Resolved r = router.Resolve(verb::get, "/v1/databases/a/rows/b/c", "", "");
  ASSERT_TRUE(r.response);
  EXPECT_EQ(r.response->status, status::unauthorized);
  EXPECT_EQ(Body(*r.response)["error"]["code"], "unauthorized");
  for (const char* wrong : {"Bearer s3cre", "Bearer s3cret ", "Bearer S3cret", "s3cret", ""}) {
    EXPECT_TRUE(router.Resolve(verb::get, "/v1/databases/a/rows/b/c", "", wrong).response) << wrong;
  }
  EXPECT_NE(router.Resolve(verb::get, "/v1/databases/a/rows/b/c", "", "Bearer s3cret").route,
            nullptr);
}

TEST(RouterTest, ExceptionsBecomeJsonErrors) {
  Router router = MakeRouter();
  Resolved r = router.Resolve(verb::delete_, "/v1/databases/a/rows/b/c", "", "");
  Response resp = Router::Run(r);
  EXPECT_EQ(resp.status, status::conflict);
  EXPECT_EQ(Body(resp)["error"]["code"], "replay");

  r = router.Resolve(verb::post, "/v1/q", "{\"nql\":1}", "");
  resp = Router::Run(r);
  EXPECT_EQ(resp.status, status::bad_request);
  EXPECT_EQ(Body(resp)["error"]["position"], 7);

  r = router.Resolve(verb::post, "/v1/q", "{nope", "");
  resp = Router::Run(r);
  EXPECT_EQ(resp.status, status::bad_request);
  EXPECT_EQ(Body(resp)["error"]["code"], "bad_json");

  r = router.Resolve(verb::post, "/v1/q", std::string(1000, '['), "");
  resp = Router::Run(r);
  EXPECT_EQ(Body(resp)["error"]["code"], "bad_json");
}

}  // namespace
}  // namespace nedbd
