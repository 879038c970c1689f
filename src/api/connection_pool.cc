#include "api/connection_pool.h"

#include <cstdio>

namespace onechild::api {

ConnectionPool::Lease::~Lease() {
  if (db_ == nullptr) return;  // moved from
  std::lock_guard lock(pool_->mutex_);
  pool_->idle_.push_back(std::move(db_));
}

Result<ConnectionPool::Lease> ConnectionPool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
  }
  auto db = Database::open(path_);
  if (!db.ok()) return db.error();
  // Requests never checkpoint the WAL themselves (that would put the copy
  // and its fsync on one unlucky request); the server's checkpointer does.
  if (Status s = db->execute("PRAGMA wal_autocheckpoint=0"); !s.ok()) return s.error();
  return Lease(this, std::make_unique<Database>(std::move(db).value()));
}

Checkpointer::Checkpointer(const std::string& path, std::chrono::milliseconds interval) {
  thread_ = std::thread([this, path, interval] {
    auto db = Database::open(path);
    if (!db.ok()) {
      std::fprintf(stderr, "onechild serve: checkpointer: %s\n", db.error().to_string().c_str());
      return;
    }
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval, [this] { return stop_; })) {
      lock.unlock();
      (void)db->execute("PRAGMA wal_checkpoint(PASSIVE)");
      lock.lock();
    }
  });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

}  // namespace onechild::api
