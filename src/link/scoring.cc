#include "link/scoring.h"

#include <boost/json.hpp>
#include <cmath>

namespace onechild::linkage {
namespace {

namespace json = boost::json;

double log2_ratio(double m, double u) {
  // Never infinite: a level seen in no true match (or no non-match) in
  // training still gets a finite, very strong weight.
  constexpr double kFloor = 1e-9;
  return std::log2(std::max(m, kFloor) / std::max(u, kFloor));
}

// The probability a match weight (prior included) stands for.
double probability_of_total(double weight) {
  return 1.0 / (1.0 + std::exp2(-weight));
}

}  // namespace

Parameters Parameters::sized_for(const ModelSpec& spec) {
  Parameters p;
  for (const Field& f : spec.fields) {
    p.m.emplace_back(f.levels.size() + 2, 0.0);
    p.u.emplace_back(f.levels.size() + 2, 0.0);
  }
  return p;
}

std::string Parameters::to_json(const ModelSpec& spec) const {
  json::array fields;
  for (size_t f = 0; f < spec.fields.size(); ++f) {
    json::array levels;
    for (size_t code = 1; code < m[f].size(); ++code) {
      levels.push_back(json::object{{"label", level_label(spec, f, static_cast<uint8_t>(code))},
                                    {"m", m[f][code]},
                                    {"u", u[f][code]},
                                    {"weight", log2_ratio(m[f][code], u[f][code])}});
    }
    fields.push_back(json::object{{"field", spec.fields[f].name}, {"levels", levels}});
  }
  return json::serialize(json::object{{"prior", prior}, {"fields", fields}});
}

Result<Parameters> Parameters::from_json(std::string_view text, const ModelSpec& spec) {
  Parameters p = sized_for(spec);
  try {
    const json::object root = json::parse(text).as_object();
    p.prior = root.at("prior").as_double();
    const json::array& fields = root.at("fields").as_array();
    if (fields.size() != spec.fields.size()) throw std::runtime_error("field count");
    for (size_t f = 0; f < fields.size(); ++f) {
      const json::object& field = fields[f].as_object();
      const json::array& levels = field.at("levels").as_array();
      if (field.at("field").as_string() != spec.fields[f].name ||
          levels.size() + 1 != p.m[f].size()) {
        throw std::runtime_error("fields differ");
      }
      for (size_t i = 0; i < levels.size(); ++i) {
        p.m[f][i + 1] = levels[i].at("m").to_number<double>();
        p.u[f][i + 1] = levels[i].at("u").to_number<double>();
      }
    }
  } catch (const std::exception& e) {
    return Error::corruption(std::string("stored linkage parameters do not fit the model: ") +
                             e.what());
  }
  return p;
}

std::string level_label(const ModelSpec& spec, size_t field, uint8_t code) {
  const auto& levels = spec.fields[field].levels;
  if (code == kNullLevel) return "null";
  if (code > levels.size()) return "else";
  return levels[code - 1].label;
}

Scorer::Scorer(const RecordSet& records, const Comparer& comparer, const Parameters& params)
    : records_(records),
      comparer_(comparer),
      prior_weight_(std::log2(params.prior / (1.0 - params.prior))) {
  const ModelSpec& spec = records.spec();
  for (size_t f = 0; f < spec.fields.size(); ++f) {
    std::vector<double> w(params.m[f].size(), 0.0);
    for (size_t code = 1; code < w.size(); ++code)
      w[code] = log2_ratio(params.m[f][code], params.u[f][code]);
    weights_.push_back(std::move(w));
    int tf = -1;
    for (size_t i = 0; i < spec.fields[f].levels.size(); ++i) {
      if (spec.fields[f].levels[i].tf) tf = static_cast<int>(i + 1);
    }
    tf_level_.push_back(tf);
    std::vector<float> per_value;
    if (tf > 0) {
      // Exact agreement on value v: P(agree on v | match) / P(agree on v | non-match)
      // = m * p_v / p_v^2 = m / p_v.
      const double m = params.m[f][static_cast<size_t>(tf)];
      const double floor = spec.fields[f].tf_minimum;
      per_value.assign(records.value_count(f), 0.0F);
      for (uint32_t id = 1; id < per_value.size(); ++id) {
        per_value[id] =
            static_cast<float>(log2_ratio(m, std::max(records.frequency(f, id), floor)));
      }
    }
    tf_weight_.push_back(std::move(per_value));
  }
}

double Scorer::field_weight(size_t f, uint8_t code, size_t a) const {
  if (static_cast<int>(code) == tf_level_[f]) return tf_weight_[f][records_.value_id(f, a)];
  return weights_[f][code];
}

double Scorer::weight_of(LevelVector levels, size_t a) const {
  double w = 0;
  for (size_t f = 0; f < weights_.size(); ++f)
    w += field_weight(f, level_at(levels, f), a);
  return w;
}

double Scorer::weight(size_t a, size_t b) const {
  double w = 0;
  for (size_t f = 0; f < weights_.size(); ++f)
    w += field_weight(f, comparer_.level(f, a, b), a);
  return w;
}

double Scorer::probability(double weight) const {
  return probability_of_total(weight + prior_weight_);
}

double match_probability(double weight, double prior) {
  return probability_of_total(weight + std::log2(prior / (1.0 - prior)));
}

double Scorer::weight_for_probability(double p) const {
  return std::log2(p / (1.0 - p)) - prior_weight_;
}

std::vector<Evidence> Scorer::explain(size_t a, size_t b) const {
  std::vector<Evidence> out;
  for (size_t f = 0; f < weights_.size(); ++f) {
    const uint8_t code = comparer_.level(f, a, b);
    out.push_back({f, code, field_weight(f, code, a), level_label(records_.spec(), f, code)});
  }
  return out;
}

}  // namespace onechild::linkage
