#include "synth/reference.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/csv.h"
#include "synth/format.h"

namespace onechild::synth {
namespace {

struct PlaceStyle {
  std::string_view name;
  std::string_view postcode_area;  // two letters, as in a real outward code
  char ods_letter;                 // first letter of its practices' ODS codes
  int deprivation_shift;           // negative: more deprived than England
};

// Four fictional places, from the most to the least deprived, so breakdowns
// by place and by IMD show a gradient.
constexpr std::array<PlaceStyle, 4> kPlaces = {{{"Northbridge", "NB", 'N', -3},
                                                {"Easthaven", "EH", 'E', -1},
                                                {"Westmoor", "WM", 'W', 1},
                                                {"Southdale", "SD", 'S', 3}}};

constexpr int kChildrenPerLsoa = 300;
// About fifteen addresses share a postcode; a few hundred children's homes
// (and their neighbours without children) need a dozen in an LSOA.
constexpr int kPostcodesPerLsoa = 12;
// Outward codes have a one- or two-digit district, so large places reuse
// district numbers across wards (as real districts span several wards).
constexpr int kDistrictsPerPlace = 98;

constexpr std::string_view kStreetNames[] = {
    "Ash",      "Beech",    "Cedar",   "Elm",      "Hazel",   "Holly",    "Larch",   "Maple",
    "Oak",      "Rowan",    "Willow",  "Alder",    "Birch",   "Hawthorn", "Juniper", "Laurel",
    "Poplar",   "Sycamore", "Yew",     "Chestnut", "Church",  "Mill",     "Station", "Park",
    "Victoria", "Albert",   "Queen's", "King's",   "Windsor", "York",     "Manor",   "Grange",
    "Meadow",   "Orchard",  "Brook",   "School",   "Chapel",  "Bridge",   "Market",  "Castle"};
constexpr std::string_view kStreetKinds[] = {"Road",  "Street",   "Close",   "Avenue",
                                             "Lane",  "Grove",    "Way",     "Drive",
                                             "Court", "Crescent", "Gardens", "Terrace"};

// Postcodes unique across the ICS: a fresh inward code ("4QT") for the
// district each time. Inward codes never use C, I, K, M, O or V.
void add_postcodes(Random& rng, Lsoa& lsoa, std::set<std::string>& used) {
  static constexpr std::string_view kLetters = "ABDEFGHJLNPQRSTUWXYZ";
  while (lsoa.postcodes.size() < static_cast<size_t>(kPostcodesPerLsoa)) {
    std::string pc = lsoa.postcode_district + " " + std::to_string(rng.between(0, 9));
    pc += kLetters[static_cast<size_t>(rng.below(kLetters.size()))];
    pc += kLetters[static_cast<size_t>(rng.below(kLetters.size()))];
    if (!used.insert(pc).second) continue;
    std::string street(kStreetNames[rng.below(std::size(kStreetNames))]);
    street += " ";
    street += kStreetKinds[rng.below(std::size(kStreetKinds))];
    lsoa.postcodes.push_back({std::move(pc), std::move(street)});
  }
}
constexpr int kLsoasPerWard = 5;
constexpr int kLsoasPerPcn = 15;
constexpr int kPracticesPerPcn = 3;

// A uniform decile moved towards the place's deprivation by 0..|shift|.
int deprivation_decile(Random& rng, int shift) {
  const int64_t moved = rng.between(1, 10) + rng.between(std::min(0, shift), std::max(0, shift));
  return static_cast<int>(std::clamp<int64_t>(moved, 1, 10));
}

void add_place_organisations(Reference& ref, int place, int lsoas_in_place, Date hub_from,
                             int& next_pcn, int& next_school) {
  const PlaceStyle& style = kPlaces[static_cast<size_t>(place)];
  const std::string name(style.name);
  ref.organisations.push_back({ref.places[static_cast<size_t>(place)].code, name + " Council",
                               "local-authority", "", place, std::nullopt});
  const int pcns = std::max(1, lsoas_in_place / kLsoasPerPcn);
  int practice_number = 1;
  for (int p = 0; p < pcns; ++p) {
    const std::string pcn_code = "U" + zero_padded(90000 + next_pcn++, 5);
    ref.organisations.push_back(
        {pcn_code, name + " PCN " + std::to_string(p + 1), "pcn", "", place, std::nullopt});
    // The first PCN of every place runs a child health hub with its
    // practices; where a place has one PCN only its first practice does, so
    // there are always practices outside the hub to compare with.
    const auto hub = [&](int pcn, int practice) { return pcn == 0 && (pcns > 1 || practice == 0); };
    for (int g = 0; g < kPracticesPerPcn; ++g, ++practice_number) {
      ref.organisations.push_back(
          {std::string(1, style.ods_letter) + "9" + zero_padded(practice_number, 4),
           name + " Medical Practice " + std::to_string(practice_number), "gp-practice", pcn_code,
           place, hub(p, g) ? std::optional<Date>(hub_from) : std::nullopt});
    }
  }
  const int primaries = std::max(2, lsoas_in_place / 4);
  const int secondaries = std::max(1, lsoas_in_place / 12);
  for (int s = 0; s < primaries + secondaries; ++s) {
    const bool primary = s < primaries;
    ref.organisations.push_back({"9" + zero_padded(next_school++, 5),
                                 name + (primary ? " Primary School " : " Academy ") +
                                     std::to_string(primary ? s + 1 : s - primaries + 1),
                                 primary ? "school-primary" : "school-secondary", "", place,
                                 std::nullopt});
  }
}

}  // namespace

std::vector<const Organisation*> Reference::of_type(const std::string& type, int place) const {
  std::vector<const Organisation*> found;
  for (const auto& org : organisations) {
    if (org.type == type && (place < 0 || org.place == place)) found.push_back(&org);
  }
  return found;
}

Reference make_reference(Random& rng, int64_t children, Date as_of) {
  Reference ref;
  ref.icb_code = "E54000999";
  ref.icb_ods = "QXX";
  ref.icb_name = "NHS Synthetic Integrated Care Board";
  const int places = static_cast<int>(rng.between(2, 4));
  for (int p = 0; p < places; ++p) {
    // LA numbers 990+ are unused by real local authorities.
    ref.places.push_back({"E069000" + zero_padded(p + 1, 2),
                          std::string(kPlaces[static_cast<size_t>(p)].name), 990 + p});
  }

  const int lsoas =
      static_cast<int>(std::max<int64_t>(int64_t{10} * places, children / kChildrenPerLsoa));
  std::vector<int> per_place(static_cast<size_t>(places), 0);
  std::set<std::string> used_postcodes;
  for (int i = 0; i < lsoas; ++i) {
    const int place = i % places;
    const int index_in_place = per_place[static_cast<size_t>(place)]++;
    const PlaceStyle& style = kPlaces[static_cast<size_t>(place)];
    const int ward = index_in_place / kLsoasPerWard;
    // The first ten LSOAs cover every decile, so every breakdown has all ten.
    const int decile = i < 10 ? i + 1 : deprivation_decile(rng, style.deprivation_shift);
    ref.lsoas.push_back(
        {"E01" + zero_padded(900000 + i, 6),
         std::string(style.name) + " " + zero_padded(index_in_place / 4 + 1, 3) +
             static_cast<char>('A' + index_in_place % 4),
         decile,
         place,
         "E05" + zero_padded(900000 + place * 1000 + ward, 6),
         std::string(style.name) + " Ward " + std::to_string(ward + 1),
         std::string(style.postcode_area) + std::to_string(ward % kDistrictsPerPlace + 1),
         {}});
    add_postcodes(rng, ref.lsoas.back(), used_postcodes);
  }

  const Date hub_from = add_days(as_of, -730);
  int next_pcn = 1, next_school = 1;
  for (int p = 0; p < places; ++p) {
    add_place_organisations(ref, p, per_place[static_cast<size_t>(p)], hub_from, next_pcn,
                            next_school);
  }
  ref.organisations.push_back(
      {"RZA", "Synthetic Hospitals NHS Foundation Trust", "acute-trust", "", -1, std::nullopt});
  ref.organisations.push_back(
      {"RZB", "Synthetic Community Health NHS Trust", "community-trust", "", -1, std::nullopt});
  ref.organisations.push_back(
      {"RZC", "Synthetic Mental Health NHS Trust", "mental-health-trust", "", -1, std::nullopt});
  return ref;
}

Status write_reference(const Reference& ref, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "reference", ec);
  if (ec) return Error::io_error("cannot create '" + dir + "/reference': " + ec.message());

  std::ofstream geo(fs::path(dir) / "reference" / "geography.csv");
  geo << "lsoa_code,lsoa_name,imd_decile,ward_code,ward_name,local_authority_code,"
         "local_authority_name,icb_code,icb_ods_code,icb_name,postcode_district\n";
  for (const auto& l : ref.lsoas) {
    const Place& place = ref.places[static_cast<size_t>(l.place)];
    geo << l.code << ',' << csv_quote(l.name) << ',' << l.imd_decile << ',' << l.ward_code << ','
        << csv_quote(l.ward_name) << ',' << place.code << ',' << csv_quote(place.name) << ','
        << ref.icb_code << ',' << ref.icb_ods << ',' << csv_quote(ref.icb_name) << ','
        << l.postcode_district << '\n';
  }
  std::ofstream postcodes(fs::path(dir) / "reference" / "postcodes.csv");
  postcodes << "postcode,lsoa_code,ward_code,local_authority_code\n";
  for (const auto& l : ref.lsoas) {
    for (const auto& pc : l.postcodes) {
      postcodes << pc.code << ',' << l.code << ',' << l.ward_code << ','
                << ref.places[static_cast<size_t>(l.place)].code << '\n';
    }
  }
  std::ofstream orgs(fs::path(dir) / "reference" / "organisations.csv");
  orgs << "code,name,type,parent_code,local_authority_code,child_health_hub_from\n";
  for (const auto& o : ref.organisations) {
    orgs << o.code << ',' << csv_quote(o.name) << ',' << o.type << ',' << o.parent_code << ','
         << (o.place >= 0 ? ref.places[static_cast<size_t>(o.place)].code : "") << ','
         << (o.hub_from ? format_iso_date(*o.hub_from) : "") << '\n';
  }
  // Each authority's children's social care contacts, for protection flags.
  // The numbers are in Ofcom's range reserved for drama (01632 960000-960999),
  // so none can ring a real phone.
  std::ofstream las(fs::path(dir) / "reference" / "local_authorities.csv");
  las << "code,name,social_care_source,office_hours_phone,out_of_hours_phone,email\n";
  for (size_t i = 0; i < ref.places.size(); ++i) {
    const Place& p = ref.places[i];
    std::string source = "social_care_";
    for (char c : p.name)
      source += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string n = zero_padded(static_cast<int>(i) * 2, 3);
    const std::string m = zero_padded(static_cast<int>(i) * 2 + 1, 3);
    las << p.code << ',' << csv_quote(p.name + " Children's Services") << ',' << source
        << ",01632 960" << n << ",01632 960" << m << ",childrens.services@" << source.substr(12)
        << ".example.gov.uk\n";
  }
  if (!geo.good() || !postcodes.good() || !orgs.good() || !las.good())
    return Error::io_error("writing '" + dir + "/reference' failed");
  return {};
}

}  // namespace onechild::synth
