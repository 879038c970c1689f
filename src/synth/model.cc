#include "synth/model.h"

#include "synth/calendar.h"

namespace onechild::synth {

const Address& Household::address_at(Date date) const {
  // Before the family's first recorded home (a child born before they
  // arrived), the first home is the best there is.
  const Address* found = &addresses.front();
  for (const Address& a : addresses) {
    if (before(date, a.from)) break;
    found = &a;
  }
  return *found;
}

const std::string& Child::family_name_at(Date date) const {
  if (surname_changed && before(date, *surname_changed)) return earlier_family_name;
  return family_name;
}

bool Child::alive_on(Date date) const {
  return !before(date, birth_date) && (!died || before(date, *died));
}

bool Child::in_ics_on(Date date) const {
  return alive_on(date) && !before(date, arrived);
}

const Diagnosis* Child::diagnosis(Condition condition) const {
  for (const Diagnosis& d : diagnoses) {
    if (d.condition == condition) return &d;
  }
  return nullptr;
}

}  // namespace onechild::synth
