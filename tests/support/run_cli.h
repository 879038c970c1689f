// What the integration tests share: run the real `onechild` (ONECHILD_BIN,
// defined by the test's CMake target) with CI=true, capturing its status,
// stdout and stderr in files of a TempDir; and read a whole file.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "support/temp_dir.h"

namespace onechild::testing {

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Run {
  int status = -1;
  std::string out, err;
};

inline Run onechild(const TempDir& dir, const std::string& args) {
  const std::string out = dir.file("stdout.txt"), err = dir.file("stderr.txt");
  const std::string cmd = std::string("CI=true '") + ONECHILD_BIN + "' " + args + " >'" + out +
                          "' 2>'" + err + "' </dev/null";
  const int raw = std::system(cmd.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
}

}  // namespace onechild::testing
