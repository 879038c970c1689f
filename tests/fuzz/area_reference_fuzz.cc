// AreaReference::load on arbitrary files: the input is split at lines
// "----" into geography.csv, postcodes.csv and organisations.csv (a part not
// given is a missing file), written to one directory per process. Never a
// crash; a failure names one of the files. A reference it accepts finds the
// LSOA of every postcode row, by any case and spacing, with a decile 1-10,
// and its organisations by code and name.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/area_reference.h"
#include "core/csv.h"

namespace {

using namespace onechild;
namespace fs = std::filesystem;

void check(bool condition) {
  if (!condition) std::abort();
}

// tmpfs when there is one: rewriting small files there is far faster than on
// a journalled disk.
fs::path scratch(const std::string& name) {
  std::error_code ec;
  const fs::path shm = "/dev/shm";
  return (fs::is_directory(shm, ec) ? shm : fs::temp_directory_path()) / name;
}

// The exit handler is registered once the path is made, so it runs before the
// path is destroyed.
const fs::path& dir() {
  static const fs::path d = scratch("onechild-fuzz-area-" + std::to_string(getpid()));
  static const bool made = [] {
    fs::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(d, ec);
    });
    return true;
  }();
  (void)made;
  return d;
}

constexpr const char* kFiles[] = {"geography.csv", "postcodes.csv", "organisations.csv"};
constexpr std::string_view kSeparator = "\n----\n";

// The postcodes in postcodes.csv's 'postcode' column (the last of that name,
// as load reads it), for rows of the header's width.
std::vector<std::string> postcodes(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in);
  auto header = reader.next();
  std::vector<std::string> out;
  if (!header || header->error) return out;
  const auto it = std::find(header->fields.rbegin(), header->fields.rend(), "postcode");
  if (it == header->fields.rend()) return out;
  const size_t column = header->fields.size() - 1 - (it - header->fields.rbegin());
  while (auto r = reader.next()) {
    if (!r->error && r->fields.size() == header->fields.size()) out.push_back(r->fields[column]);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  for (size_t from = 0; parts.size() < 3;) {
    const size_t at = input.find(kSeparator, from);
    if (at == std::string_view::npos) {
      parts.emplace_back(input.substr(from));
      break;
    }
    parts.emplace_back(input.substr(from, at - from + 1));  // keep the line's ending
    from = at + kSeparator.size();
  }
  for (size_t i = 0; i < 3; ++i) {
    const fs::path path = dir() / kFiles[i];
    if (i < parts.size()) {
      std::ofstream(path, std::ios::binary | std::ios::trunc) << parts[i];
    } else {
      std::error_code ec;
      fs::remove(path, ec);
    }
  }

  auto ref = AreaReference::load(dir().string());
  if (!ref.ok()) {
    const std::string& m = ref.error().message();
    check(std::any_of(std::begin(kFiles), std::end(kFiles), [&](const char* f) {
      return m.find((dir() / f).string()) != std::string::npos;
    }));
    return 0;
  }
  check(parts.size() == 3);
  for (const std::string& postcode : postcodes(parts[1])) {
    std::string spaced;
    for (char c : postcode)
      spaced += {' ', static_cast<char>(std::tolower(static_cast<unsigned char>(c)))};
    for (const std::string& p : {postcode, spaced}) {
      const Lsoa* l = ref->lsoa_of_postcode(p);
      check(l != nullptr);
      check(l->imd_decile >= 1 && l->imd_decile <= 10);
    }
  }
  for (const auto& [code, org] : ref->organisations()) {
    check(org.code == code);
    check(ref->organisation(code) == &org);
    check(ref->name_of(code) == org.name);
    if (org.hub_from) check(org.hub_from->ok());
  }
  return 0;
}
