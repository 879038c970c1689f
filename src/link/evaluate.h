// Evaluate: how good the links are, against a truth that says who every
// record really is.
//
// Pairwise figures count pairs of records: a true pair is two records of one
// person, a predicted pair two records under one child. A false merge (one
// child holding two people: the dangerous error) and a false split (one
// person under two children) are counted by cluster, and false merges are
// broken down by how the people are related when the truth says (twins and
// siblings share a surname, an address and often a birthday).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/database.h"

namespace onechild {

struct LinkEvaluation {
  int64_t records = 0;             // records scored
  int64_t records_not_loaded = 0;  // in the truth but not in the store (quarantined)
  int64_t true_pairs = 0, predicted_pairs = 0, true_positive_pairs = 0;
  int64_t persons = 0, persons_exactly_clustered = 0;
  int64_t clusters = 0;
  int64_t records_in_majority = 0;   // records whose cluster's commonest person is theirs
  int64_t false_merge_clusters = 0;  // clusters holding more than one person
  int64_t persons_falsely_merged = 0;
  int64_t false_split_persons = 0;  // persons spread over more than one cluster
  int64_t extra_clusters = 0;       // clusters beyond one per person, from false splits
  std::map<std::string, int64_t> persons_falsely_merged_by_relation;  // "twins", "siblings", ...
  int64_t review_open = 0;  // review queue size, when known
  double seconds = 0;       // linking time, when measured here
  std::string model_json;   // the trained parameters, when linked here

  double precision() const;
  double recall() const;
  double f1() const;
  double purity() const;  // records_in_majority / records
  std::string to_json() const;
};

// How two true persons are related ("twins", "siblings", "mother and child",
// "unrelated"), or "" when unknown.
using RelationOf = std::function<std::string(const std::string&, const std::string&)>;

// truth[r] is record r's true person; cluster[r] its predicted cluster.
LinkEvaluation evaluate_clusters(const std::vector<std::string>& truth,
                                 const std::vector<int64_t>& cluster, const RelationOf& relation);

// The store's links against a truth CSV (source,original_id,person_id). When
// a children.csv from `onechild synth` sits beside it, false merges are
// broken down by relation.
Result<LinkEvaluation> evaluate_links(Database& db, const std::string& truth_csv);

// Links CSV files with a model file (the public data sets) and scores the
// result against the truth the model's [input] names.
Result<LinkEvaluation> evaluate_files(const std::string& model_path,
                                      const std::vector<std::string>& files);

}  // namespace onechild
