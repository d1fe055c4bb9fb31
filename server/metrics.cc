// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
#include "metrics.h"

#include <sstream>

#include "db_registry.h"

namespace nedbd {

void Metrics::Observe(std::string_view route, std::string_view method, unsigned status,
                      double seconds) {
  std::size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  std::lock_guard<std::mutex> l(mu_);
  auto key = std::make_tuple(route, method, status);
  auto it = requests_.find(key);
  if (it == requests_.end()) {
    it = requests_.emplace(std::make_tuple(std::string(route), std::string(method), status), 0)
             .first;
  }
  ++it->second;
  auto h = latency_.find(route);
  if (h == latency_.end()) h = latency_.emplace(std::string(route), Histogram{}).first;
  ++h->second.counts[bucket];
  h->second.sum += seconds;
  ++h->second.count;
}

std::string Metrics::Render(DbRegistry& registry) const {
  std::ostringstream out;
  out << "# HELP nedbd_requests_total HTTP requests answered, by route, method and status.\n"
         "# TYPE nedbd_requests_total counter\n";
  decltype(requests_) requests;
  decltype(latency_) latency;
  {
    std::lock_guard<std::mutex> l(mu_);
    requests = requests_;
    latency = latency_;
  }
  for (const auto& [key, n] : requests) {
    const auto& [route, method, status] = key;
    out << "nedbd_requests_total{route=\"" << route << "\",method=\"" << method << "\",status=\""
        << status << "\"} " << n << "\n";
  }
  out << "# HELP nedbd_request_duration_seconds Time from request read to response ready.\n"
         "# TYPE nedbd_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      out << "nedbd_request_duration_seconds_bucket{route=\"" << route << "\",le=\"";
      if (i < kBuckets.size()) {
        out << kBuckets[i];
      } else {
        out << "+Inf";
      }
      out << "\"} " << cumulative << "\n";
    }
    out << "nedbd_request_duration_seconds_sum{route=\"" << route << "\"} " << h.sum << "\n"
        << "nedbd_request_duration_seconds_count{route=\"" << route << "\"} " << h.count << "\n";
  }

  std::ostringstream seq, fsyncs, ops, docs;
  for (const auto& [name, db] : registry.OpenDatabases()) {
    nedb::Stats s;
    try {
      s = db->stats();
    } catch (const std::exception&) {
      continue;  // dropped or closed meanwhile
    }
    const std::string label = "db=\"" + name + "\"";
    seq << "nedb_seq{" << label << "} " << s.seq << "\n";
    fsyncs << "nedb_fsyncs_total{" << label << "} " << s.fsyncs << "\n";
    docs << "nedb_live_docs{" << label << "} " << s.live_docs << "\n";
    for (const auto& [kind, n] : s.ops_appended) {
      ops << "nedb_ops_appended_total{" << label << ",kind=\"" << kind << "\"} " << n << "\n";
    }
  }
  out << "# HELP nedb_ops_appended_total Ops appended since the database was opened, by kind.\n"
         "# TYPE nedb_ops_appended_total counter\n"
      << ops.str()
      << "# HELP nedb_fsyncs_total fsyncs of the log since the database was opened.\n"
         "# TYPE nedb_fsyncs_total counter\n"
      << fsyncs.str()
      << "# HELP nedb_seq Seq of the last op.\n"
         "# TYPE nedb_seq gauge\n"
      << seq.str()
      << "# HELP nedb_live_docs Documents live at HEAD.\n"
         "# TYPE nedb_live_docs gauge\n"
      << docs.str();
  return out.str();
}

}  // namespace nedbd
