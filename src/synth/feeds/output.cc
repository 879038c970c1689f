#include "synth/feeds/output.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace onechild::synth {
namespace {

struct FileSpec {
  Feed feed;
  std::string_view name;  // under feeds/ or truth/; "{la}" is the source prefix's place
  std::string_view header;
};

// docs/feeds.md describes every column.
constexpr std::array<FileSpec, 24> kFiles = {{
    {Feed::kGp, "feeds/gp.ndjson", ""},
    {Feed::kCommunity, "feeds/community.ndjson", ""},
    {Feed::kAcutePatients, "feeds/acute.patients.csv",
     "local_patient_id,nhs_number,nhs_number_status,given_name,family_name,birth_date,sex,"
     "postcode,gp_practice_code"},
    {Feed::kAcuteEcds, "feeds/acute.ecds.csv",
     "attendance_id,local_patient_id,arrival_date,arrival_time,department_type,site_code,"
     "diagnosis_snomed,diagnosis_description,discharge_destination_snomed,"
     "postcode_of_usual_address"},
    {Feed::kAcuteApc, "feeds/acute.apc.csv",
     "spell_id,local_patient_id,admission_date,admission_method,discharge_date,"
     "primary_diagnosis_icd10,external_cause_icd10,primary_procedure_opcs,"
     "treatment_function_code,postcode_of_usual_address"},
    {Feed::kAcuteOutpatients, "feeds/acute.outpatients.csv",
     "attendance_id,local_patient_id,appointment_date,treatment_function_code,first_attendance,"
     "attended_or_did_not_attend"},
    {Feed::kMentalHealthPatients, "feeds/mental_health.patients.csv",
     "local_patient_id,nhs_number,given_name,family_name,birth_date,gender,postcode,"
     "ethnic_category,gp_practice_code"},
    {Feed::kMentalHealthReferrals, "feeds/mental_health.referrals.csv",
     "service_request_id,local_patient_id,referral_received_date,source_of_referral,"
     "primary_reason_for_referral,discharge_date"},
    {Feed::kMentalHealthContacts, "feeds/mental_health.care_contacts.csv",
     "care_contact_id,service_request_id,care_contact_date,attend_or_dna_code,"
     "consultation_mechanism"},
    {Feed::kMentalHealthOutcomes, "feeds/mental_health.outcomes.csv",
     "assessment_id,service_request_id,assessment_date,assessment_tool,score"},
    {Feed::kMaternityBirths, "feeds/maternity.births.csv",
     "baby_local_id,baby_nhs_number,baby_given_name,baby_family_name,baby_birth_date,baby_sex,"
     "birth_order,gestation_length_days,birth_weight_grams,delivery_site_code,mother_local_id,"
     "mother_nhs_number,mother_given_name,mother_family_name,mother_birth_date,mother_postcode"},
    {Feed::kSocialCarePersons, "feeds/social_care_{la}.persons.csv",
     "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number,upn,ethnicity"},
    {Feed::kSocialCareCin, "feeds/social_care_{la}.cin.csv",
     "episode_id,local_id,category,start_date,end_date,referral_source,primary_need,"
     "reason_for_closure"},
    {Feed::kSocialCareProtectionPlans, "feeds/social_care_{la}.cp_plans.csv",
     "episode_id,local_id,category,start_date,end_date,initial_category_of_abuse,"
     "latest_category_of_abuse"},
    {Feed::kSocialCareLookedAfter, "feeds/social_care_{la}.lac_episodes.csv",
     "episode_id,local_id,category,start_date,end_date,reason_for_new_episode,legal_status,"
     "placement_type,reason_episode_ceased"},
    {Feed::kSocialCareHealthAssessments, "feeds/social_care_{la}.health_assessments.csv",
     "episode_id,local_id,category,start_date,end_date,immunisations_up_to_date,dental_check"},
    {Feed::kSchoolCensus, "feeds/education_{la}.school_census.csv",
     "census_date,term,school_urn,upn,legal_surname,forename,date_of_birth,sex,ethnicity,"
     "postcode,nc_year_actual,entry_date,fsm_eligible,sen_provision,sen_primary_need"},
    {Feed::kEyfsp, "feeds/education_{la}.eyfsp.csv",
     "upn,school_urn,forename,surname,date_of_birth,sex,academic_year,assessment_date,"
     "good_level_of_development"},
    {Feed::kEhcRequests, "feeds/education_{la}.ehc_requests.csv",
     "request_id,child_id,upn,forename,surname,date_of_birth,postcode,request_date,"
     "request_outcome,"
     "request_outcome_date,assessment_outcome,assessment_outcome_date,plan_issue_date,"
     "exceptions_apply"},
    {Feed::kTruthPersons, "truth/persons.csv", "source,original_id,person_id"},
    {Feed::kTruthErrors, "truth/errors.csv",
     "source,original_id,field,true_value,recorded_value,error"},
    {Feed::kTruthChildren, "truth/children.csv",
     "person_id,nhs_number,given_name,family_name,birth_date,sex,ethnic_category,household,"
     "mother_person_id,lsoa_code,imd_decile,local_authority_code,practice_code,hub_practice,"
     "arrived,died,conditions"},
    {Feed::kTruthParents, "truth/parents.csv",
     "person_id,nhs_number,given_name,family_name,birth_date,household"},
    {Feed::kTruthProgrammes, "truth/programmes.csv", "person_id,programme,item,due,date,outcome"},
}};

bool per_place(std::string_view name) {
  return name.find("{la}") != std::string_view::npos;
}

std::string lower_case(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Layout::Layout(const Reference& reference) {
  for (const Place& p : reference.places)
    places_.push_back(lower_case(p.name));
  first_slot_.resize(kFiles.size());
  for (const FileSpec& f : kFiles) {
    first_slot_[static_cast<size_t>(f.feed)] = paths_.size();
    const size_t copies = per_place(f.name) ? places_.size() : 1;
    for (size_t p = 0; p < copies; ++p) {
      std::string path(f.name);
      if (const auto at = path.find("{la}"); at != std::string::npos)
        path.replace(at, 4, places_[p]);
      paths_.push_back(std::move(path));
      headers_.emplace_back(f.header);
    }
  }
}

size_t Layout::slot(Feed feed, int place) const {
  return first_slot_[static_cast<size_t>(feed)] +
         (per_place(kFiles[static_cast<size_t>(feed)].name) ? static_cast<size_t>(place) : 0);
}

std::string Layout::source(Feed feed, int place) const {
  const std::string& path = paths_[slot(feed, place)];
  const size_t start = path.find('/') + 1;
  return path.substr(start, path.find('.', start) - start);
}

void append_date(std::string& out, Date date) {
  const int y = static_cast<int>(date.year());
  const auto m = static_cast<unsigned>(date.month());
  const auto d = static_cast<unsigned>(date.day());
  const char buf[10] = {static_cast<char>('0' + y / 1000 % 10),
                        static_cast<char>('0' + y / 100 % 10),
                        static_cast<char>('0' + y / 10 % 10),
                        static_cast<char>('0' + y % 10),
                        '-',
                        static_cast<char>('0' + m / 10),
                        static_cast<char>('0' + m % 10),
                        '-',
                        static_cast<char>('0' + d / 10),
                        static_cast<char>('0' + d % 10)};
  out.append(buf, sizeof buf);
}

void Row::separate() {
  if (!first_) out_ += ',';
  first_ = false;
}

Row& Row::operator<<(std::string_view value) {
  separate();
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out_ += value;
    return *this;
  }
  out_ += '"';
  for (char c : value) {
    if (c == '"') out_ += '"';
    out_ += c;
  }
  out_ += '"';
  return *this;
}

Row& Row::operator<<(int64_t value) {
  separate();
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, r.ptr);
  return *this;
}

Row& Row::operator<<(double value) {
  separate();
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, std::round(value * 10) / 10,
                               std::chars_format::fixed, 1);
  out_.append(buf, r.ptr);
  return *this;
}

Row& Row::operator<<(Date value) {
  separate();
  append_date(out_, value);
  return *this;
}

void Json::separate() {
  if (need_comma_) out_ += ',';
  need_comma_ = false;
}

Json& Json::object() {
  separate();
  out_ += '{';
  closers_.push_back('}');
  return *this;
}

Json& Json::array() {
  separate();
  out_ += '[';
  closers_.push_back(']');
  return *this;
}

Json& Json::end() {
  out_ += closers_.back();
  closers_.pop_back();
  need_comma_ = true;
  return *this;
}

Json& Json::key(std::string_view name) {
  separate();
  value(name);
  out_ += ':';
  need_comma_ = false;
  return *this;
}

Json& Json::value(std::string_view text) {
  separate();
  out_ += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out_ += "\\u00";
          out_ += kHex[(c >> 4) & 0xF];
          out_ += kHex[c & 0xF];
        } else {
          out_ += c;
        }
    }
  }
  out_ += '"';
  need_comma_ = true;
  return *this;
}

Json& Json::value(int64_t number) {
  separate();
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, number);
  out_.append(buf, r.ptr);
  need_comma_ = true;
  return *this;
}

Json& Json::value(double number) {
  separate();
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, std::round(number * 100) / 100);
  out_.append(buf, r.ptr);
  need_comma_ = true;
  return *this;
}

Json& Json::value(bool flag) {
  separate();
  out_ += flag ? "true" : "false";
  need_comma_ = true;
  return *this;
}

Json& Json::value(Date date) {
  separate();
  out_ += '"';
  append_date(out_, date);
  out_ += '"';
  need_comma_ = true;
  return *this;
}

}  // namespace onechild::synth
