#include "thread_object.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <unordered_map>

namespace hilcap::ks {
namespace {

struct ThreadRegistry {
  std::mutex mutex;
  std::unordered_map<DWORD, std::weak_ptr<ThreadObject>> threads;
};

// Never destroyed: threads may still use it while the process exits.
ThreadRegistry& registry() {
  static ThreadRegistry* const instance = new ThreadRegistry;
  return *instance;
}

}  // namespace

std::shared_ptr<ThreadObject> ThreadObject::current() {
  thread_local std::shared_ptr<ThreadObject> self;
  if (!self) {
    self = std::make_shared<ThreadObject>(static_cast<DWORD>(::syscall(SYS_gettid)));
    ThreadRegistry& r = registry();
    std::lock_guard lock(r.mutex);
    std::erase_if(r.threads, [](const auto& entry) { return entry.second.expired(); });
    r.threads[self->id()] = self;
  }
  return self;
}

std::shared_ptr<ThreadObject> ThreadObject::find(DWORD thread_id) {
  ThreadRegistry& r = registry();
  std::lock_guard lock(r.mutex);
  const auto it = r.threads.find(thread_id);
  return it == r.threads.end() ? nullptr : it->second.lock();
}

ThreadObject::ThreadObject(DWORD thread_id) : id_(thread_id) {}

void ThreadObject::begin_synchronous_io(std::shared_ptr<KernelObject> file) {
  std::lock_guard lock(mutex_);
  synchronous_file_ = std::move(file);
}

void ThreadObject::end_synchronous_io() {
  std::lock_guard lock(mutex_);
  synchronous_file_.reset();
}

bool ThreadObject::cancel_synchronous_io() {
  std::lock_guard lock(mutex_);
  if (!synchronous_file_) return false;
  return synchronous_file_->cancel_io(
      CancelScope{.kind = CancelScope::Kind::kThreadSynchronous, .thread_id = id_});
}

}  // namespace hilcap::ks
