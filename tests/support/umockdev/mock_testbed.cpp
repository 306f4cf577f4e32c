#include "mock_testbed.h"

namespace hilcap::testing {

MockTestbed::MockTestbed() : testbed_(umockdev_testbed_new()) {}

MockTestbed::~MockTestbed() {
  g_object_unref(testbed_);
}

// umockdev stats /sys, which the preload redirects only once a testbed has
// set $UMOCKDEV_DIR, and caches the first answer.
bool MockTestbed::in_mock_environment() const {
  return umockdev_in_mock_environment() != FALSE;
}

std::string MockTestbed::root_dir() const {
  gchar* dir = umockdev_testbed_get_root_dir(testbed_);  // ours to free
  std::string path(dir);
  g_free(dir);
  return path;
}

bool MockTestbed::add_device(const std::string& description, std::string& error) {
  GError* err = nullptr;
  if (umockdev_testbed_add_from_string(testbed_, description.c_str(), &err)) return true;
  error = err ? err->message : "umockdev_testbed_add_from_string failed";
  g_clear_error(&err);
  return false;
}

void MockTestbed::uevent(const std::string& sysfs_path, const char* action) {
  umockdev_testbed_uevent(testbed_, sysfs_path.c_str(), action);
}

void MockTestbed::remove_device(const std::string& sysfs_path) {
  umockdev_testbed_remove_device(testbed_, sysfs_path.c_str());
}

}  // namespace hilcap::testing
