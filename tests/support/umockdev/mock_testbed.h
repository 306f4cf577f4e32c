// A umockdev testbed for one test: the fake /sys and /dev that libusb sees
// when the process runs under umockdev-wrapper (LD_PRELOAD of umockdev's
// preload library).
#pragma once

#include <umockdev.h>

#include <string>

namespace hilcap::testing {

class MockTestbed {
 public:
  MockTestbed();
  ~MockTestbed();
  MockTestbed(const MockTestbed&) = delete;
  MockTestbed& operator=(const MockTestbed&) = delete;

  // Whether the process runs under umockdev-wrapper. umockdev can tell only
  // once a testbed exists, so this is the place to ask.
  bool in_mock_environment() const;

  UMockdevTestbed* get() const { return testbed_; }
  // The folder that stands in for / (its dev/ and sys/ are what libusb sees).
  std::string root_dir() const;
  // Adds a device from a umockdev description; sends its "add" uevent.
  bool add_device(const std::string& description, std::string& error);
  void uevent(const std::string& sysfs_path, const char* action);
  void remove_device(const std::string& sysfs_path);

 private:
  UMockdevTestbed* testbed_;
};

}  // namespace hilcap::testing
