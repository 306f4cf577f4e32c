#include "thread_object.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <thread>
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

std::shared_ptr<ThreadObject> register_current_thread() {
  auto self = std::make_shared<ThreadObject>(static_cast<DWORD>(::syscall(SYS_gettid)));
  ThreadRegistry& r = registry();
  std::lock_guard lock(r.mutex);
  std::erase_if(r.threads, [](const auto& entry) { return entry.second.expired(); });
  r.threads[self->id()] = self;
  return self;
}

}  // namespace

ThreadObject& ThreadObject::current() {
  thread_local const std::shared_ptr<ThreadObject> self = register_current_thread();
  return *self;
}

std::shared_ptr<ThreadObject> ThreadObject::find(DWORD thread_id) {
  ThreadRegistry& r = registry();
  std::lock_guard lock(r.mutex);
  const auto it = r.threads.find(thread_id);
  return it == r.threads.end() ? nullptr : it->second.lock();
}

ThreadObject::ThreadObject(DWORD thread_id) : KernelObject(kType), id_(thread_id) {}

void ThreadObject::begin_synchronous_io(KernelObject* file) {
  synchronous_file_.store(file, std::memory_order_seq_cst);
}

void ThreadObject::end_synchronous_io() {
  synchronous_file_.store(nullptr, std::memory_order_seq_cst);
  // A canceller that still saw the file is using it: let it finish before the
  // caller releases the file. (seq_cst on both sides: either it sees null, or
  // this load sees it counted.)
  while (cancellers_.load(std::memory_order_seq_cst) != 0)
    std::this_thread::yield();
}

bool ThreadObject::cancel_synchronous_io() {
  std::lock_guard lock(cancel_mutex_);
  cancellers_.fetch_add(1, std::memory_order_seq_cst);
  KernelObject* const file = synchronous_file_.load(std::memory_order_seq_cst);
  const bool cancelled =
      file != nullptr &&
      file->cancel_io(CancelScope{.kind = CancelScope::Kind::kThreadSynchronous, .thread_id = id_});
  cancellers_.fetch_sub(1, std::memory_order_seq_cst);
  return cancelled;
}

}  // namespace hilcap::ks
