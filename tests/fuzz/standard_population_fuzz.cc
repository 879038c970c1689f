// load_standard_population on an arbitrary file (written to one path per
// process): never a crash; a failure names the file; weights it accepts are
// the five bands 0-4 .. 20-24, each a positive, finite number, as the
// directly standardised rates need.
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "analytics/engine.h"

namespace {

namespace fs = std::filesystem;

void check(bool condition) {
  if (!condition) std::abort();
}

// tmpfs when there is one: rewriting a small file there is far faster than on
// a journalled disk. The exit handler is registered once the path is made, so
// it runs before the path is destroyed.
const std::string& path() {
  static const std::string p = [] {
    std::error_code ec;
    const fs::path shm = "/dev/shm";
    const fs::path dir = fs::is_directory(shm, ec) ? shm : fs::temp_directory_path();
    return (dir / ("onechild-fuzz-esp-" + std::to_string(getpid()) + ".csv")).string();
  }();
  static const bool registered = [] {
    std::atexit([] {
      std::error_code ec;
      fs::remove(p, ec);
    });
    return true;
  }();
  (void)registered;
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::ofstream(path(), std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  auto weights = onechild::load_standard_population(path());
  if (!weights.ok()) {
    check(weights.error().message().find(path()) != std::string::npos);
    return 0;
  }
  check(weights->size() == 5);
  for (double w : *weights)
    check(w > 0 && std::isfinite(w));
  return 0;
}
