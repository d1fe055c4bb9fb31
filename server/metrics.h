// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// nedbd's Prometheus metrics (GET /metrics, text format 0.0.4): request
// counts and a latency histogram per route, observed by the HTTP server,
// plus the engine's counters of every open database, read at scrape time.
//
// Thread safety: every method may be called from several threads at once.
#ifndef NEDB_SERVER_METRICS_H_
#define NEDB_SERVER_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace nedbd {

class DbRegistry;

class Metrics {
 public:
  // Upper bounds (seconds) of the latency histogram's buckets; +Inf is added.
  static constexpr std::array<double, 14> kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

  // Records one answered request. route: the matched pattern (e.g.
  // "/v1/databases/:name/put") or "unmatched"; seconds: from the request
  // read to its response ready.
  void Observe(std::string_view route, std::string_view method, unsigned status, double seconds);

  // The whole exposition: nedbd_requests_total{route,method,status},
  // nedbd_request_duration_seconds{route} (histogram), and per open
  // database nedb_ops_appended_total{db,kind}, nedb_fsyncs_total{db},
  // nedb_seq{db}, nedb_live_docs{db}.
  std::string Render(DbRegistry& registry) const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size() + 1> counts{};  // last: +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };

  // Orders (route, method, status) keys held as strings or looked up as
  // string_views. (std::less<> would compare tuple<string, ...> with
  // tuple<string_view, ...>, which libstdc++ 12's operator< does not allow
  // under Clang 14.)
  struct RequestKeyLess {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return std::make_tuple(std::string_view(std::get<0>(a)), std::string_view(std::get<1>(a)),
                             std::get<2>(a)) < std::make_tuple(std::string_view(std::get<0>(b)),
                                                               std::string_view(std::get<1>(b)),
                                                               std::get<2>(b));
    }
  };

  mutable std::mutex mu_;  // guards the maps: one short lock per request
  std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t, RequestKeyLess> requests_;
  std::map<std::string, Histogram, std::less<>> latency_;
};

}  // namespace nedbd

#endif  // NEDB_SERVER_METRICS_H_
