// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
#include "db_registry.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace nedbd {

namespace fs = std::filesystem;

DbRegistry::DbRegistry(std::string root, nedb::Options options)
    : root_(std::move(root)), options_(std::move(options)) {
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) throw nedb::IOError("cannot create data directory " + root_ + ": " + ec.message());
}

DbRegistry::~DbRegistry() { CloseAll(); }

bool DbRegistry::ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::string DbRegistry::PathOf(std::string_view name) const {
  return (fs::path(root_) / std::string(name)).string();
}

std::shared_ptr<nedb::NEDB> DbRegistry::Get(std::string_view name, bool create) {
  return Open(name, create ? Mode::kOpenOrCreate : Mode::kOpenExisting);
}

std::shared_ptr<nedb::NEDB> DbRegistry::Create(std::string_view name) {
  return Open(name, Mode::kCreateNew);
}

std::shared_ptr<nedb::NEDB> DbRegistry::Open(std::string_view name, Mode mode) {
  if (!ValidName(name)) {
    throw nedb::InvalidArgument("invalid database name (must match [A-Za-z0-9_-]{1,64})");
  }
  std::lock_guard<std::mutex> l(mu_);
  if (auto it = open_.find(name); it != open_.end()) {
    return mode == Mode::kCreateNew ? nullptr : it->second;
  }
  const std::string path = PathOf(name);
  std::error_code ec;
  const bool exists = fs::is_directory(path, ec);
  if (exists && mode == Mode::kCreateNew) return nullptr;
  if (!exists && mode == Mode::kOpenExisting) return nullptr;
  // Opening replays the log: done under mu_ so two requests never open the
  // same directory twice (the second would fail on the LOCK file).
  auto db = std::make_shared<nedb::NEDB>(path, options_);
  open_.emplace(std::string(name), db);
  return db;
}

bool DbRegistry::Exists(std::string_view name) {
  if (!ValidName(name)) return false;
  std::lock_guard<std::mutex> l(mu_);
  if (open_.count(name)) return true;
  std::error_code ec;
  return fs::is_directory(PathOf(name), ec);
}

std::vector<std::string> DbRegistry::Names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string n = it->path().filename().string();
    if (it->is_directory(ec) && ValidName(n)) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool DbRegistry::Drop(std::string_view name) {
  if (!ValidName(name)) return false;
  std::lock_guard<std::mutex> l(mu_);
  const std::string path = PathOf(name);
  if (auto it = open_.find(name); it != open_.end()) {
    it->second->close();
    open_.erase(it);
  }
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return false;
  fs::remove_all(path, ec);
  if (ec) throw nedb::IOError("cannot delete " + path + ": " + ec.message());
  return true;
}

std::map<std::string, nlohmann::json> DbRegistry::CheckpointAll() {
  std::map<std::string, nlohmann::json> out;
  for (auto& [name, db] : OpenDatabases()) {
    try {
      out[name] = db->checkpoint();
    } catch (const std::exception& e) {
      out[name] = {{"error", e.what()}};
    }
  }
  return out;
}

void DbRegistry::CloseAll() {
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [name, db] : open_) {
    try {
      db->close();
    } catch (const std::exception&) {
      // close() of a database whose fsync failed: nothing more to do.
    }
  }
  open_.clear();
}

std::vector<std::pair<std::string, std::shared_ptr<nedb::NEDB>>> DbRegistry::OpenDatabases() {
  std::lock_guard<std::mutex> l(mu_);
  return {open_.begin(), open_.end()};
}

}  // namespace nedbd
