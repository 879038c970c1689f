// ConnectionPool: SQLite connections shared by the server's threads. A
// connection is used by one thread at a time; idle ones are kept for reuse.
// Its connections do not checkpoint the WAL: the server runs a Checkpointer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/database.h"

namespace onechild::api {

class ConnectionPool {
 public:
  explicit ConnectionPool(std::string path) : path_(std::move(path)) {}

  // A connection lent until the Lease is destroyed.
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Database> db) : pool_(pool), db_(std::move(db)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Database& db() { return *db_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Database> db_;
  };

  Result<Lease> acquire();

 private:
  std::string path_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Database>> idle_;
};

// Checkpoints the WAL in the background every interval (PASSIVE: it never
// waits for readers or blocks writers), so requests never do.
class Checkpointer {
 public:
  Checkpointer(const std::string& path, std::chrono::milliseconds interval);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace onechild::api
