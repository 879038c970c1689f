// Readers for the files `onechild synth` writes, shared by its tests.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/csv.h"
#include "core/date.h"
#include "synth/synth.h"

namespace onechild::testing::synth_files {

namespace fs = std::filesystem;
namespace json = boost::json;

// The options the synth tests use: a fixed reference date, so figures do
// not move with the day the tests run.
inline SynthOptions synth_options(const std::string& out, uint64_t seed, int64_t children) {
  SynthOptions o;
  o.children = children;
  o.seed = seed;
  o.as_of = Date{std::chrono::year{2026}, std::chrono::November, std::chrono::day{24}};
  o.out_dir = out;
  return o;
}

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

using Record = std::map<std::string, std::string>;

// A CSV file as records keyed by the header's column names.
inline std::vector<Record> read_csv(const fs::path& path) {
  std::ifstream in(path);
  CsvReader reader(in);
  auto header = reader.next();
  EXPECT_TRUE(header.has_value()) << path;
  std::vector<Record> rows;
  while (auto r = reader.next()) {
    EXPECT_FALSE(r->error) << path << ":" << r->line;
    EXPECT_EQ(r->fields.size(), header->fields.size()) << path << ":" << r->line;
    Record row;
    for (size_t i = 0; i < r->fields.size() && i < header->fields.size(); ++i)
      row[header->fields[i]] = r->fields[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

// Every CSV under feeds/ named prefix...suffix ("social_care_", ".persons.csv").
inline std::vector<Record> read_feeds(const fs::path& dir, const std::string& prefix,
                                      const std::string& suffix) {
  std::vector<Record> rows;
  for (const auto& e : fs::directory_iterator(dir / "feeds")) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(prefix) && name.ends_with(suffix)) {
      auto more = read_csv(e.path());
      rows.insert(rows.end(), more.begin(), more.end());
    }
  }
  return rows;
}

inline std::vector<json::object> read_ndjson(const fs::path& path) {
  std::vector<json::object> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    out.push_back(json::parse(line).as_object());
  return out;
}

inline Date date(const std::string& text) {
  auto d = parse_iso_date(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : Date{};
}

inline int days(Date from, Date to) {
  using std::chrono::sys_days;
  return static_cast<int>((sys_days{to} - sys_days{from}).count());
}

inline std::string str(const json::value& v) {
  return std::string(v.as_string());
}

inline double share(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace onechild::testing::synth_files
