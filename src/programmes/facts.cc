#include "programmes/facts.h"

namespace onechild {

Day to_day(Date date) {
  return static_cast<Day>(std::chrono::sys_days{date}.time_since_epoch().count());
}

Date from_day(Day day) {
  return Date{std::chrono::sys_days{std::chrono::days{day}}};
}

Vocabulary::Vocabulary() {
  texts_.emplace_back();
  ids_.emplace(std::string(), 0);
}

uint32_t Vocabulary::intern(std::string_view text) {
  const auto it = ids_.find(text);
  if (it != ids_.end()) return it->second;
  const auto id = static_cast<uint32_t>(texts_.size());
  texts_.emplace_back(text);
  ids_.emplace(std::string(text), id);
  return id;
}

std::optional<uint32_t> Vocabulary::find(std::string_view text) const {
  const auto it = ids_.find(text);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

std::vector<uint32_t> intern_sorted(Vocabulary& words, const std::vector<std::string>& texts) {
  std::vector<uint32_t> ids;
  ids.reserve(texts.size());
  for (const std::string& t : texts)
    ids.push_back(words.intern(t));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace onechild
