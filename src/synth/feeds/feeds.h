// The organisations' feeds: each renders a family's truth and life courses
// in its own shape (docs/feeds.md), with the data quality it has in real
// life (quality.h), and notes in truth/ which record is whom.
#pragma once

#include <cstdint>
#include <vector>

#include "synth/feeds/output.h"
#include "synth/life.h"
#include "synth/population.h"

namespace onechild::synth {

// Writes every record of one family (children and mother) into `out`.
void write_family(const World& world, const Layout& layout, const Family& family,
                  const std::vector<Life>& lives, uint64_t seed, Chunk& out);

}  // namespace onechild::synth
