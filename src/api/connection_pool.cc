#include "api/connection_pool.h"

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
  return Lease(this, std::make_unique<Database>(std::move(db).value()));
}

}  // namespace onechild::api
