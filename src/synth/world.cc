#include "synth/world.h"

#include "synth/calendar.h"

namespace onechild::synth {

World::World(Reference ref, const SynthOptions& options)
    : reference(std::move(ref)),
      as_of(options.as_of),
      history_from(birthday(options.as_of, -options.history_years)),
      community_from(birthday(options.as_of, -10)),
      hub_effect(options.hub_effect) {
  const size_t places = reference.places.size();
  lsoas_by_place.resize(places);
  practices_by_place.resize(places);
  primaries_by_place.resize(places);
  secondaries_by_place.resize(places);
  for (size_t i = 0; i < reference.lsoas.size(); ++i) {
    lsoas_by_place[static_cast<size_t>(reference.lsoas[i].place)].push_back(static_cast<int>(i));
  }
  for (const Organisation& org : reference.organisations) {
    if (org.type == "gp-practice") {
      practices_by_place[static_cast<size_t>(org.place)].push_back(&org);
      hub_from_[org.code] = org.hub_from;
    } else if (org.type == "school-primary") {
      primaries_by_place[static_cast<size_t>(org.place)].push_back(&org);
    } else if (org.type == "school-secondary") {
      secondaries_by_place[static_cast<size_t>(org.place)].push_back(&org);
    } else if (org.type == "acute-trust") {
      acute_ = &org;
    } else if (org.type == "community-trust") {
      community_ = &org;
    }
  }
}

std::optional<Date> World::hub_from(const std::string& practice) const {
  const auto it = hub_from_.find(practice);
  return it == hub_from_.end() ? std::nullopt : it->second;
}

}  // namespace onechild::synth
